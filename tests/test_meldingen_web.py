"""Meldingen pages: the company portal form, the staff list and week calendar."""
from tests.test_meldingen import MELDING
from tests.test_web import _csrf, login


def test_company_submits_through_the_portal_form(client, tenant, clock):
    login(client, tenant.emails["company1"])
    page = client.get("/meldingen/")
    assert "Nieuwe melding" in page.text
    r = client.post("/meldingen/nieuw", data={**MELDING, "containment": "", "csrf_token": _csrf(page.text)},
                    follow_redirects=True)
    assert "Melding ontvangen." in r.text and "Kerkstraat 12" in r.text
    r = client.post("/meldingen/nieuw", data={**MELDING, "street": "Laat 1", "planned_start": "2026-11-25",
                                              "planned_end": "2026-11-25", "containment": "",
                                              "csrf_token": _csrf(page.text)}, follow_redirects=True)
    assert "Melding niet verstuurd" in r.text and "Uiterlijk toegestaan: 2026-11-23" in r.text


def test_staff_week_calendar_and_filters(client, tenant, clock):
    m = client.post("/api/v1/meldingen", json=MELDING, headers=tenant.auth("company1")).json
    client.post(f"/api/v1/meldingen/{m['id']}/audit-selection", json={"planned_on": "2026-12-08"},
                headers=tenant.auth("planner"))
    login(client, tenant.emails["planner"])
    week = client.get("/meldingen/?view=week&day=2026-12-08")
    assert week.status_code == 200 and week.text.count("Kerkstraat 12") == 3  # Mon-Wed
    assert "audit gepland" in week.text
    assert "Kerkstraat 12" not in client.get("/meldingen/?channel=fax").text
    assert client.get(f"/meldingen/{m['id']}").status_code == 200


def test_company_never_sees_the_audit_pick(client, tenant, clock):
    m = client.post("/api/v1/meldingen", json=MELDING, headers=tenant.auth("company1")).json
    client.post(f"/api/v1/meldingen/{m['id']}/audit-selection", json={"planned_on": "2026-12-08"},
                headers=tenant.auth("planner"))
    login(client, tenant.emails["company1"])
    for url in ("/meldingen/", "/meldingen/?view=week&day=2026-12-08", f"/meldingen/{m['id']}"):
        assert "audit" not in client.get(url).text.lower()
    assert client.get("/meldingen/lavs").status_code == 403


def test_staff_list_starts_today_unless_asked_for_the_past(client, tenant, clock):
    clock("2026-11-02")
    client.post("/api/v1/meldingen", json={**MELDING, "street": "Oudstraat 1", "planned_start": "2026-11-09",
                                           "planned_end": "2026-11-09"}, headers=tenant.auth("company1"))
    clock("2026-11-24")
    client.post("/api/v1/meldingen", json=MELDING, headers=tenant.auth("company1"))
    login(client, tenant.emails["planner"])
    page = client.get("/meldingen/")
    assert "Kerkstraat 12" in page.text and "Oudstraat 1" not in page.text
    assert 'name="from" value="2026-11-24"' in page.text  # the default is shown, not hidden
    assert "Oudstraat 1" in client.get("/meldingen/?from=").text
    assert "Oudstraat 1" in client.get("/meldingen/?from=2026-11-01").text
