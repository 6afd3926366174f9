"""The admin's pages for users and API clients (/beheer): what the users API does, through the same
operations and rule. An admin creates staff and company users, edits roles, records a qualification,
deactivates a user (its token stops), sets a password, revokes a token, and creates, rotates and
deactivates an API client whose token is shown once; refused input says which field and why (422);
other roles get 403 (the quality manager may record qualifications); another CKI's rows answer 404."""
import html
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import PASSWORD
from tests.test_dutch_labels import ENGLISH
from tests.test_web import login, post

USERS = "/beheer/gebruikers"
CLIENTS = "/beheer/api-koppelingen"
NEW_PASSWORD = "een heel nieuw wachtwoord"


def web(app, tenant, who):
    client = app.test_client()
    assert login(client, tenant.emails[who]).status_code == 302
    return client


def api_user(client, tenant, user_id):
    r = client.get(f"/api/v1/users/{user_id}", headers=tenant.auth("admin"))
    assert r.status_code == 200
    return r.json


def works(client, token) -> bool:
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code in (200, 401)
    return r.status_code == 200


def text(page) -> str:
    """The page's text as a person reads it (tags gone, entities decoded, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def shown_token(page) -> str:
    return re.search(r'<input id="nieuw-token" readonly value="([^"]+)"', page.text).group(1)


# -- users -------------------------------------------------------------------------------------

def test_admin_creates_a_staff_user_with_roles_and_a_company_user(app, client, tenant, other_tenant):
    admin = web(app, tenant, "admin")
    page = admin.get(USERS)
    assert page.status_code == 200
    assert "planner X" in page.text and "Portaal X1" in page.text and "Bedrijf X1" in page.text
    assert "Kwaliteitsmanager" in text(page) and "quality_manager X" in page.text
    assert "@z.test" not in page.text and "Bedrijf Z1" not in page.text  # neither users nor companies of another CKI

    r = post(admin, USERS, kind="staff", name="Nieuwe Beoordelaar", email="Nieuw@X.test", password=NEW_PASSWORD,
             roles=["assessor", "team_leader"], outsourced="1")
    assert r.status_code == 200 and "Gebruiker Nieuwe Beoordelaar is aangemaakt." in r.text
    user_id = int(re.search(r"/beheer/gebruikers/(\d+)$", r.request.path).group(1))
    created = api_user(client, tenant, user_id)
    assert created["email"] == "nieuw@x.test" and created["kind"] == "staff" and created["outsourced"] is True
    assert created["roles"] == ["assessor", "team_leader"] and created["active"] is True
    listing = text(admin.get(USERS))
    assert "Nieuwe Beoordelaar nieuw@x.test Medewerker CKI Beoordelaar Teamleider ja ja" in listing
    assert login(app.test_client(), "nieuw@x.test", NEW_PASSWORD).status_code == 302

    r = post(admin, USERS, kind="company", name="Portaal Nieuw", email="portaal-nieuw@x.test",
             password=NEW_PASSWORD, company_id=str(tenant.ids["company2"]))
    assert r.status_code == 200 and "Gebruiker Portaal Nieuw is aangemaakt." in r.text
    company_user = api_user(client, tenant, int(r.request.path.rsplit("/", 1)[1]))
    assert (company_user["kind"], company_user["company_id"], company_user["roles"]) == (
        "company", tenant.ids["company2"], [])
    assert "Bedrijfsgebruiker Bedrijf X2" in text(admin.get(USERS))


@pytest.mark.parametrize(("form", "reason"), [
    ({"kind": "staff", "name": "Kort", "email": "kort@x.test", "password": "kort"},
     "Wachtwoord: De lengte moet tussen 10 en 200 liggen."),
    ({"kind": "staff", "name": "Fout", "email": "geen-adres", "password": NEW_PASSWORD},
     "E-mailadres: Geen geldig e-mailadres."),
    ({"kind": "staff", "name": "  ", "email": "leeg@x.test", "password": NEW_PASSWORD}, "Naam: "),
    ({"kind": "staff", "name": "Dubbel", "email": "PLANNER@x.test", "password": NEW_PASSWORD},
     "E-mailadres: Dit e-mailadres is al in gebruik."),
    ({"kind": "staff", "name": "Rol", "email": "rol@x.test", "password": NEW_PASSWORD, "roles": "koning"},
     "Rollen: Moet een van de volgende zijn"),
    ({"kind": "company", "name": "Zonder", "email": "zonder@x.test", "password": NEW_PASSWORD},
     "Bedrijf: Een bedrijfsgebruiker hoort bij een bedrijf."),
    ({"kind": "company", "name": "Elders", "email": "elders@x.test", "password": NEW_PASSWORD, "company_id": "other"},
     "Bedrijf: Onbekend bedrijf."),
])
def test_refused_input_shows_the_field_and_the_reason(app, client, tenant, other_tenant, form, reason):
    admin = web(app, tenant, "admin")
    before = len(client.get("/api/v1/users", headers=tenant.auth("admin")).json)
    if form.get("company_id") == "other":
        form = {**form, "company_id": str(other_tenant.ids["company1"])}
    r = post(admin, USERS, **form)
    assert r.status_code == 422 and reason in text(r), text(r)[-600:]
    assert 'role="alert"' in r.text and not ENGLISH.search(r.text)
    assert f'value="{form["name"]}"' in r.text or not form["name"].strip()  # what was typed stays, not the password
    assert len(form["password"]) < 10 or form["password"] not in r.text
    assert len(client.get("/api/v1/users", headers=tenant.auth("admin")).json) == before  # nothing written


def test_admin_edits_roles_and_name_and_records_a_qualification(app, client, tenant):
    admin = web(app, tenant, "admin")
    uid = tenant.ids["user_planner"]
    page = admin.get(f"{USERS}/{uid}")
    assert page.status_code == 200 and "planner@x.test" in page.text
    assert re.search(r'<input type="checkbox" name="roles" value="planner" checked>', page.text)

    r = post(admin, f"{USERS}/{uid}", action="edit", name="Petra Planner", roles=["planner", "office"], outsourced="1")
    assert r.status_code == 200 and "De gegevens van Petra Planner zijn opgeslagen." in r.text
    edited = api_user(client, tenant, uid)
    assert (edited["name"], edited["roles"], edited["outsourced"]) == ("Petra Planner", ["office", "planner"], True)
    r = post(admin, f"{USERS}/{uid}", action="edit", name="Petra Planner", roles=["planner"])
    assert api_user(client, tenant, uid)["roles"] == ["planner"] and api_user(client, tenant, uid)["outsourced"] is False

    r = post(admin, f"{USERS}/{uid}", action="edit", name=" ", roles=["planner"])
    assert r.status_code == 422 and "Naam: Mag niet leeg zijn." in text(r)
    assert api_user(client, tenant, uid)["name"] == "Petra Planner"

    r = post(admin, f"{USERS}/{uid}", action="qualification", scheme="SC-540", function="assessor",
             valid_from="2026-01-01", valid_to="2028-12-31", evidence="Diploma DAV")
    assert r.status_code == 200 and "Kwalificatie vastgelegd." in r.text
    assert "SC-540 Beoordelaar 01-01-2026 31-12-2028 Diploma DAV" in text(r)
    [q] = api_user(client, tenant, uid)["qualifications"]
    assert (q["scheme"], q["function"], q["valid_from"], q["valid_to"]) == ("SC-540", "assessor", "2026-01-01",
                                                                           "2028-12-31")

    r = post(admin, f"{USERS}/{uid}", action="qualification", scheme="SC-540", function="decider",
             valid_from="2026-06-01", valid_to="2026-01-01")
    assert r.status_code == 422 and "Geldig tot en met: Einddatum ligt voor de begindatum." in text(r)
    r = post(admin, f"{USERS}/{uid}", action="qualification", scheme="SC-540", function="decider", valid_from="gisteren")
    assert r.status_code == 422 and "Geldig vanaf: Geen geldige datum." in text(r)
    assert len(api_user(client, tenant, uid)["qualifications"]) == 1

    company_user = tenant.ids["company_user1"]
    page = admin.get(f"{USERS}/{company_user}")
    assert page.status_code == 200 and "Bedrijfsgebruiker van Bedrijf X1" in text(page)
    assert "Kwalificatie vastleggen" not in page.text and 'name="roles"' not in page.text
    r = post(admin, f"{USERS}/{company_user}", action="qualification", scheme="SC-540", function="assessor",
             valid_from="2026-01-01")
    assert r.status_code == 422 and "Alleen CKI-medewerkers hebben kwalificaties." in text(r)


def test_the_quality_manager_records_qualifications_and_nothing_else(app, client, tenant):
    qm = web(app, tenant, "quality_manager")
    listing = qm.get(USERS)
    assert listing.status_code == 200 and "assessor X" in listing.text
    assert "@x.test" not in listing.text and "Portaal X1" not in listing.text  # the staff, without e-mail
    uid = tenant.ids["user_assessor"]
    page = qm.get(f"{USERS}/{uid}")
    assert page.status_code == 200 and "Kwalificatie vastleggen" in page.text
    assert "Gebruiker deactiveren" not in page.text and "API-tokens" not in page.text
    r = post(qm, f"{USERS}/{uid}", action="qualification", scheme="SC-530", function="team_leader",
             valid_from="2026-02-01")
    assert r.status_code == 200 and "SC-530 Teamleider 01-02-2026 onbepaald" in text(r)
    for action, extra in (("edit", {"name": "Overgenomen", "roles": ["admin"]}), ("deactivate", {}),
                          ("password", {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})):
        assert post(qm, f"{USERS}/{uid}", action=action, **extra).status_code == 403, action
    assert post(qm, USERS, kind="staff", name="X", email="x@x.test", password=NEW_PASSWORD,
                roles=["admin"]).status_code == 403
    assert qm.get(f"{USERS}/{tenant.ids['company_user1']}").status_code == 404
    assert qm.get(CLIENTS).status_code == 403
    assert api_user(client, tenant, uid)["roles"] == ["assessor"] and api_user(client, tenant, uid)["active"]


def test_deactivation_ends_every_session_and_token(app, client, tenant):
    planner_web = web(app, tenant, "planner")
    assert planner_web.get("/start").status_code == 200 and works(client, tenant.tokens["planner"])
    admin = web(app, tenant, "admin")
    uid = tenant.ids["user_planner"]
    page = text(admin.get(f"{USERS}/{uid}"))
    assert "Deactiveren beëindigt meteen alle sessies en API-tokens van planner X" in page

    r = post(admin, f"{USERS}/{uid}", action="deactivate")
    assert r.status_code == 200 and "planner X is gedeactiveerd" in r.text and "gedeactiveerd" in text(r)
    assert not works(client, tenant.tokens["planner"])
    assert planner_web.get("/start").status_code == 302  # logged out
    assert login(app.test_client(), tenant.emails["planner"]).status_code == 401
    assert works(client, tenant.tokens["assessor"])  # nobody else's
    assert "planner X planner@x.test Medewerker CKI Planner — gedeactiveerd" in text(admin.get(USERS))

    r = post(admin, f"{USERS}/{uid}", action="reactivate")
    assert r.status_code == 200 and "planner X is weer actief" in r.text
    assert api_user(client, tenant, uid)["active"] is True
    assert not works(client, tenant.tokens["planner"])  # the old token was ended, not merely refused
    assert login(app.test_client(), tenant.emails["planner"]).status_code == 302


def test_a_new_password_ends_the_tokens_and_is_the_one_that_logs_in(app, client, tenant):
    admin = web(app, tenant, "admin")
    uid = tenant.ids["user_decider"]
    r = post(admin, f"{USERS}/{uid}", action="password", password=NEW_PASSWORD, password_repeat="iets anders dan dat")
    assert r.status_code == 422 and "Herhaling wachtwoord: De twee wachtwoorden zijn niet gelijk." in text(r)
    r = post(admin, f"{USERS}/{uid}", action="password", password="kort", password_repeat="kort")
    assert r.status_code == 422 and "Wachtwoord: De lengte moet tussen 10 en 200 liggen." in text(r)
    assert works(client, tenant.tokens["decider"])
    r = post(admin, f"{USERS}/{uid}", action="password", password=NEW_PASSWORD, password_repeat=NEW_PASSWORD)
    assert r.status_code == 200 and "Nieuw wachtwoord ingesteld" in r.text
    assert not works(client, tenant.tokens["decider"])
    assert login(app.test_client(), tenant.emails["decider"]).status_code == 401
    assert login(app.test_client(), tenant.emails["decider"], NEW_PASSWORD).status_code == 302


def test_admin_revokes_one_token(app, client, tenant, other_tenant):
    second = client.post("/api/v1/auth/tokens", json={"email": tenant.emails["planner"], "password": PASSWORD}).json
    admin = web(app, tenant, "admin")
    uid = tenant.ids["user_planner"]
    page = admin.get(f"{USERS}/{uid}")
    token_ids = [int(i) for i in re.findall(r'name="token_id" value="(\d+)"', page.text)]
    assert len(token_ids) == 2 and second["id"] in token_ids
    assert "Verloopt" in page.text

    r = post(admin, f"{USERS}/{uid}", action="revoke_token", token_id=str(second["id"]))
    assert r.status_code == 200 and "API-token ingetrokken" in r.text
    assert not works(client, second["token"]) and works(client, tenant.tokens["planner"])
    assert re.findall(r'name="token_id" value="(\d+)"', r.text) == [str(i) for i in token_ids if i != second["id"]]

    # a token of someone else, here or in another CKI, is not this user's: 404, and it keeps working
    assessor_token = client.get("/api/v1/auth/tokens", headers=tenant.auth("assessor")).json[0]["id"]
    assert post(admin, f"{USERS}/{uid}", action="revoke_token", token_id=str(assessor_token)).status_code == 404
    other_token = client.get("/api/v1/auth/tokens", headers=other_tenant.auth("planner")).json[0]["id"]
    assert post(admin, f"{USERS}/{uid}", action="revoke_token", token_id=str(other_token)).status_code == 404
    assert post(admin, f"{USERS}/{uid}", action="revoke_token", token_id="niets").status_code == 404
    assert works(client, tenant.tokens["assessor"]) and works(client, other_tenant.tokens["planner"])


# -- API clients -------------------------------------------------------------------------------

def test_admin_creates_rotates_and_deactivates_an_api_client(app, client, tenant, other_tenant):
    admin = web(app, tenant, "admin")
    page = admin.get(CLIENTS)
    assert page.status_code == 200 and "SCA X" in page.text and "SCA-register" in page.text
    assert "SCA Z" not in page.text and "Bedrijf Z1" not in page.text

    r = post(admin, CLIENTS, action="create", name="Systeem Bedrijf X1", kind="company_system",
             company_id=str(tenant.ids["company1"]), expires_at="2099-12-31")
    assert r.status_code == 200 and "Kopieer het token nu" in r.text and "maar één keer getoond" in r.text
    token = shown_token(r)
    assert works(client, token)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["company_id"] == tenant.ids["company1"] and me["cki_id"] == tenant.cki_id
    assert "Systeem Bedrijf X1 Systeem van een bedrijf Bedrijf X1 ja 31-12-2099 00:00" in text(r)
    again = admin.get(CLIENTS)
    assert token not in again.text and "nieuw-token" not in again.text  # shown once
    client_id = int(re.search(r'name="client_id" value="(\d+)">\s*<button type="submit" name="action" '
                              r'value="rotate">', again.text[again.text.index("Systeem Bedrijf X1"):]).group(1))

    r = post(admin, CLIENTS, action="rotate", client_id=str(client_id))
    assert r.status_code == 200 and "Het oude token werkt niet meer" in r.text
    rotated = shown_token(r)
    assert rotated != token and not works(client, token) and works(client, rotated)
    assert rotated not in admin.get(CLIENTS).text
    assert works(client, tenant.tokens["sca"])  # the other client is untouched

    r = post(admin, CLIENTS, action="edit", client_id=str(client_id), name="Systeem X1 (nieuw)", expires_at="")
    assert r.status_code == 200 and "Systeem X1 (nieuw)" in r.text and "31-12-2099" in r.text
    r = post(admin, CLIENTS, action="deactivate", client_id=str(client_id))
    assert r.status_code == 200 and "gedeactiveerd; haar token werkt niet meer" in r.text
    assert not works(client, rotated)
    r = post(admin, CLIENTS, action="reactivate", client_id=str(client_id))
    assert r.status_code == 200 and works(client, rotated)

    r = post(admin, CLIENTS, action="create", name="Register zonder einde", kind="sca_register")
    assert r.status_code == 200 and works(client, shown_token(r))


@pytest.mark.parametrize(("form", "reason"), [
    ({"name": "Zonder bedrijf", "kind": "company_system"}, "Bedrijf: Een bedrijfssysteem hoort bij precies één bedrijf"),
    ({"name": "Register met bedrijf", "kind": "sca_register", "company_id": "own"}, "Bedrijf: Een bedrijfssysteem"),
    ({"name": "Van elders", "kind": "company_system", "company_id": "other"}, "Bedrijf: Onbekend bedrijf."),
    ({"name": "Verleden", "kind": "sca_register", "expires_at": "2020-01-01"},
     "Verloopt op: Het verloopmoment ligt in het verleden."),
    ({"name": "Geen datum", "kind": "sca_register", "expires_at": "morgen"}, "Verloopt op: Geen geldige datum."),
    ({"name": "", "kind": "sca_register"}, "Naam: "),
    ({"name": "Soort", "kind": "robot"}, "Soort: Moet een van de volgende zijn"),
])
def test_a_refused_api_client_shows_the_field_and_the_reason(app, client, tenant, other_tenant, form, reason):
    admin = web(app, tenant, "admin")
    company = {"own": tenant.ids["company1"], "other": other_tenant.ids["company1"]}.get(form.get("company_id"))
    form = {**form, **({"company_id": str(company)} if company else {})}
    r = post(admin, CLIENTS, action="create", **form)
    assert r.status_code == 422 and reason in text(r), text(r)[-500:]
    assert "nieuw-token" not in r.text and not ENGLISH.search(r.text)
    assert [c["name"] for c in client.get("/api/v1/api-clients", headers=tenant.auth("admin")).json] == ["SCA X"]


# -- who may, and whose rows --------------------------------------------------------------------

@pytest.mark.parametrize("who", ["planner", "assessor", "office", "decider", "reviewer", "company1"])
def test_a_non_admin_gets_403_on_every_page(app, client, tenant, who):
    person = web(app, tenant, who)
    before = len(client.get("/api/v1/users", headers=tenant.auth("admin")).json)
    uid, cid = tenant.ids["user_office"], tenant.ids["api_client"]
    for url in (USERS, f"{USERS}/{uid}", CLIENTS):
        assert person.get(url).status_code == 403, url
    assert post(person, USERS, kind="staff", name="Ik", email="ik@x.test", password=NEW_PASSWORD,
                roles=["admin"]).status_code == 403
    for action in ("edit", "deactivate", "password", "qualification", "revoke_token"):
        assert post(person, f"{USERS}/{uid}", action=action, name="Ik", roles=["admin"]).status_code == 403
    for action in ("create", "rotate", "deactivate"):
        assert post(person, CLIENTS, action=action, client_id=str(cid), name="Ik",
                    kind="sca_register").status_code == 403
    assert api_user(client, tenant, uid)["roles"] == ["office"] and works(client, tenant.tokens["sca"])
    assert len(client.get("/api/v1/users", headers=tenant.auth("admin")).json) == before


def test_without_login_the_pages_send_to_the_login(client, tenant):
    for url in (USERS, f"{USERS}/{tenant.ids['user_office']}", CLIENTS):
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_another_ckis_rows_answer_404(app, client, tenant, other_tenant):
    admin = web(app, tenant, "admin")
    foreign = other_tenant.ids["user_planner"]
    assert admin.get(f"{USERS}/{foreign}").status_code == 404
    assert admin.get(f"{USERS}/{other_tenant.ids['company_user1']}").status_code == 404
    assert post(admin, f"{USERS}/{foreign}", action="edit", name="Overgenomen").status_code == 404
    assert post(admin, f"{USERS}/{foreign}", action="deactivate").status_code == 404
    assert post(admin, f"{USERS}/{foreign}", action="qualification", scheme="SC-540", function="assessor",
                valid_from="2026-01-01").status_code == 404
    assert admin.get(f"{USERS}/999999").status_code == 404
    for action in ("rotate", "deactivate", "edit"):
        r = post(admin, CLIENTS, action=action, client_id=str(other_tenant.ids["api_client"]), name="Overgenomen")
        assert r.status_code == 404, action
    theirs = client.get(f"/api/v1/users/{foreign}", headers=other_tenant.auth("admin")).json
    assert theirs["name"] == "planner Z" and theirs["active"] and len(theirs["qualifications"]) == 0
    assert works(client, other_tenant.tokens["planner"]) and works(client, other_tenant.tokens["sca"])


# -- every input has a label ---------------------------------------------------------------------

class _Inputs(HTMLParser):
    """Inputs, selects and textareas that are neither hidden nor inside or named by a <label>."""

    def __init__(self):
        super().__init__()
        self.depth, self.named, self.bare = 0, set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.depth += 1
            if attrs.get("for"):
                self.named.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden" and not self.depth:
            self.bare.append(attrs)

    def handle_endtag(self, tag):
        if tag == "label":
            self.depth -= 1

    def unlabelled(self):
        return [a for a in self.bare if a.get("id") not in self.named]


def test_every_input_has_a_label(app, tenant):
    admin = web(app, tenant, "admin")
    for url in (USERS, f"{USERS}/{tenant.ids['user_assessor']}", f"{USERS}/{tenant.ids['company_user1']}", CLIENTS):
        page = admin.get(url)
        main = page.text[page.text.index("<main>"):]
        parser = _Inputs()
        parser.feed(main)
        assert parser.unlabelled() == [], url
        assert len(re.findall(r"<(input|select)\b", main)) > 3
