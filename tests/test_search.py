"""The search box on every staff page: companies, certificates, meldingen and dossiers of the
CKI, never another CKI's or company's; the API answers the same."""
from datetime import date

from tests.test_meldingen import submit
from tests.test_surveillance import certify
from tests.test_web import login


def kinds(hits):
    return sorted({h["kind"] for h in hits})


def test_the_search_box_finds_by_name_kvk_number_postcode_and_number(app, client, tenant, other_tenant, clock):
    clock("2026-12-01")
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 3, 2))
    m = submit(client, tenant, street="Kerkstraat 12", postcode="3511 AB", planned_start="2026-12-07",
               planned_end="2026-12-09")
    planner = tenant.auth("planner")
    company = client.get(f"/api/v1/companies/{tenant.ids['company1']}", headers=planner).json
    number = client.get(f"/api/v1/certificates/{cid}", headers=planner).json["number"]

    def search(q, who=planner):
        r = client.get("/api/v1/search", query_string={"q": q}, headers=who)
        assert r.status_code == 200, r.json
        return r.json

    assert "company" in kinds(search(company["name"][:6].lower()))
    assert kinds(search(company["kvk_number"])) == ["certificate", "company"]
    assert [h["id"] for h in search(number) if h["kind"] == "certificate"] == [cid]
    assert [h["url"] for h in search("3511ab 12")] == [f"/meldingen/{m['id']}"]
    assert search("3511 AB 99") == []  # another house number
    assert f"/meldingen/{m['id']}" in [h["url"] for h in search(str(m["id"]))]
    assert search("%") == [] and search("_") == []  # wildcards are text
    assert search("²") == [] and search("¹²") == []  # digits to Python, no number: no 500
    # another CKI's staff find nothing of ours; a company and the register may not search at all
    assert search(company["kvk_number"], other_tenant.auth("planner")) == []
    assert client.get("/api/v1/search?q=abc", headers=tenant.auth("company1")).status_code == 403
    assert client.get("/api/v1/search", headers=planner).status_code == 422
    # the page behind the header's box
    page = app.test_client()
    login(page, tenant.emails["reviewer"])
    text = page.get("/start").text
    assert 'role="search"' in text and 'for="search-q"' in text
    found = page.get("/zoeken/", query_string={"q": number}).text
    assert "Certificaten" in found and f'href="/certificaten/{cid}"' in found
    assert "Niets gevonden" in page.get("/zoeken/?q=onvindbaar").text


def test_the_api_link_is_shown_to_who_uses_the_api(app, client, tenant):
    import sqlalchemy as sa

    from cki.core.db import db
    from cki.users.models import ApiToken, User

    admin, assessor = app.test_client(), app.test_client()
    login(admin, tenant.emails["admin"])
    login(assessor, tenant.emails["assessor"])
    assert ">API<" in admin.get("/start").text
    assert ">API<" in assessor.get("/start").text  # it holds a token (the fixture gave every role one)
    with app.app_context():
        user = db.session.scalar(sa.select(User.id).where(User.email == tenant.emails["assessor"]))
        db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user))
        db.session.commit()
    assert ">API<" not in assessor.get("/start").text  # without one the menu leaves it out
