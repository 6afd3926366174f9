"""Meldingen pages: the company portal form, the staff list and week calendar."""
import io
import re

from tests.test_meldingen import MELDING
from tests.test_web import _csrf, login


def test_company_submits_through_the_portal_form(client, tenant, clock):
    login(client, tenant.emails["company1"])
    page = client.get("/meldingen/")
    assert "Nieuwe melding" in page.text
    r = client.post("/meldingen/nieuw", data={**MELDING, "containment": "", "csrf_token": _csrf(page.text)},
                    follow_redirects=True)
    assert re.search(r"Melding \d+ ontvangen\.", r.text) and "Kerkstraat 12" in r.text
    r = client.post("/meldingen/nieuw", data={**MELDING, "street": "Laat 1", "planned_start": "2026-11-25",
                                              "planned_end": "2026-11-25", "containment": "",
                                              "csrf_token": _csrf(page.text)}, follow_redirects=True)
    assert r.status_code == 422 and "Melding niet verstuurd" in r.text and "uiterlijk 23-11-2026" in r.text
    for typed in ('value="Laat 1"', 'value="2026-11-25"', f'value="{MELDING["postcode"]}"'):
        assert typed in r.text  # the refused form keeps what was typed
    assert "uiterlijk 2 werkdagen vóór de start, per fax 5 (SC-540 B §7.1 en SC-530 C §7.1)" in page.text


def test_staff_week_calendar_and_filters(client, tenant, clock):
    m = client.post("/api/v1/meldingen", json=MELDING, headers=tenant.auth("company1")).json
    client.post(f"/api/v1/meldingen/{m['id']}/audit-selection", json={"planned_on": "2026-12-08"},
                headers=tenant.auth("planner"))
    login(client, tenant.emails["planner"])
    week = client.get("/meldingen/?view=week&day=2026-12-08")
    assert week.status_code == 200 and week.text.count("Kerkstraat 12") == 3  # Mon-Wed
    assert week.text.count("onaangekondigde beoordeling vandaag") == 1  # on its day only, not every day of the melding
    tuesday = week.text.split("di 08-12-2026")[1].split("</section>")[0]
    assert "onaangekondigde beoordeling vandaag" in tuesday
    assert "Week 50 · 07-12-2026 t/m 13-12-2026" in week.text  # the week number, as planners count weeks
    assert "beoordeling gepland 08-12-2026" in client.get("/meldingen/?from=2026-12-01").text
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


def _upload(client, kind, csv_text, htmx=False):
    page = client.get("/meldingen/uploaden")
    data = {"csrf_token": _csrf(page.text), "file": (io.BytesIO(csv_text.encode()), "bestand.csv")}
    return client.post(f"/meldingen/uploaden/{kind}", data=data, content_type="multipart/form-data",
                       headers={"HX-Request": "true"} if htmx else {})


def test_company_uploads_meldingen_and_sees_a_report_per_row(client, tenant, clock):
    login(client, tenant.emails["company1"])
    assert "Bezig met verwerken" in client.get("/meldingen/uploaden").text  # the progress indication
    csv_text = ("scheme;street;postcode;place;planned_start;planned_end\n"
                "SC-530;Laan 1;3511AB;Utrecht;2026-12-07;2026-12-08\n"
                "SC-530;Laan 2;3511AB;Utrecht;2026-11-25;2026-11-25\n"      # too late: 2 werkdagen
                "SC-530;Laan 3;35;Utrecht;2026-12-07;2026-12-08\n")         # bad postcode
    r = _upload(client, "meldingen", csv_text, htmx=True)
    assert r.status_code == 200 and "<html" not in r.text  # a fragment for htmx
    assert "<strong>1</strong> aangenomen" in r.text and "<strong>2</strong> geweigerd" in r.text
    assert "uiterlijk 23-11-2026" in r.text and "postcode" in r.text
    listed = client.get("/api/v1/meldingen", headers=tenant.auth("company1")).json
    assert [m["street"] for m in listed] == ["Laan 1"]


def test_a_bad_logbook_row_refuses_the_whole_file(client, tenant, clock):
    login(client, tenant.emails["company1"])
    csv_text = ("project;worker;date;start;end;activity;ppe\n"
                "P1;m-101;2026-11-02;08:00;12:00;removal;ja\n"
                "P1;Jan Jansen;2026-11-02;08:00;12:00;removal;ja\n")
    r = _upload(client, "logboek", csv_text)
    assert r.status_code == 422 and "Niet verwerkt" in r.text and "niets opgeslagen" in r.text
    assert "personeelsnummer" in r.text
    days = client.get(f"/api/v1/companies/{tenant.ids['company1']}/project-days?from=2026-01-01",
                      headers=tenant.auth("company1")).json
    assert days["total"] == 0
    r = _upload(client, "logboek", csv_text.splitlines()[0] + "\n" + csv_text.splitlines()[1] + "\n")
    assert r.status_code == 200 and "1 regel(s) opgeslagen" in r.text


def test_project_overview_upload_and_staff_cannot_use_the_portal_upload(client, tenant, clock):
    login(client, tenant.emails["company1"])
    r = _upload(client, "projectoverzicht", "location;responsible_dia;remediated;demolished\n"
                                           "Dorpsstraat 1, Ede;DIA P. de Vries;nee;nee\n")
    assert r.status_code == 200 and "1 regel(s) opgeslagen" in r.text
    overview = client.get(f"/api/v1/companies/{tenant.ids['company1']}/project-overview",
                          headers=tenant.auth("planner")).json
    assert [p["location"] for p in overview] == ["Dorpsstraat 1, Ede"]
    client.post("/logout", data={"csrf_token": _csrf(client.get("/start").text)})
    login(client, tenant.emails["planner"])
    assert client.get("/meldingen/uploaden").status_code == 403


def test_a_portal_upload_over_the_size_limit_gets_a_dutch_error_page(app, client, tenant, clock, monkeypatch):
    login(client, tenant.emails["company1"])
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    r = _upload(client, "meldingen", "scheme;street\n" + "SC-530;Laan\n" * 200_000)
    assert r.status_code == 413 and "groter dan de toegestane 1 MB" in r.text


def test_a_form_with_too_many_fields_is_told_so_not_that_it_is_too_large(client, tenant, clock):
    login(client, tenant.emails["company1"])
    page = client.get("/meldingen/uploaden")
    fields = {f"veld{n}": "x" for n in range(1200)}  # werkzeug's MAX_FORM_PARTS is 1000
    r = client.post("/meldingen/nieuw", data={"csrf_token": _csrf(page.text), **fields},
                    content_type="multipart/form-data")
    assert r.status_code == 413 and "te veel velden" in r.text and "MB" not in r.text


def test_the_staff_list_says_when_it_shows_only_part(client, tenant, clock):
    rows = [dict(MELDING, street=f"Laan {n}") for n in range(6)]
    assert client.post("/api/v1/meldingen/bulk", json={"meldingen": rows},
                       headers=tenant.auth("company1")).json["accepted"] == 6
    login(client, tenant.emails["planner"])
    assert "Alleen de eerste" not in client.get("/meldingen/").text
    page = client.get("/meldingen/?limit=1").text  # shows at most 5
    assert "Alleen de eerste 5 meldingen" in page and page.count("Laan ") == 5


def test_the_week_calendar_shows_the_auditors_agenda_to_staff_only(app, client, tenant, clock):
    from datetime import date

    from tests.test_surveillance import certify, declare_clear, plan

    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    audit = plan(client, tenant, cid, kind="branch", planned_on="2026-12-09").json
    client.post("/api/v1/meldingen", json=MELDING, headers=tenant.auth("company1"))
    login(client, tenant.emails["planner"])
    week = client.get("/meldingen/?view=week&day=2026-12-08").text
    wednesday = week.split("wo 09-12-2026")[1].split("</section>")[0]
    assert f"Beoordeling {audit['id']}" in wednesday and "Beoordelaars" in wednesday
    assert f"Beoordeling {audit['id']}" not in week.split("wo 09-12-2026")[0]  # on its own day only
    company = app.test_client()
    login(company, tenant.emails["company1"])
    assert "Beoordelaars" not in company.get("/meldingen/?view=week&day=2026-12-08").text
