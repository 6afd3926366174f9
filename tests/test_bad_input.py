"""Bad input answers 422 with the field and a Dutch reason, never a 500 (nothing stored)."""
import io

import pytest

from tests.test_meldingen import MELDING
from tests.test_web import _csrf, login

CALENDAR = "buiten de werkdagenkalender"
COLUMNS = "Kan de kolommen niet lezen: gebruik komma's of puntkomma's"


def _listed(client, tenant):
    return client.get("/api/v1/meldingen?from=1990-01-01", headers=tenant.auth("company1")).json


@pytest.mark.parametrize(("start", "end", "fields"), [
    ("2150-01-05", "2150-01-06", {"planned_start", "planned_end"}),
    ("1985-01-07", "1985-01-08", {"planned_start", "planned_end"}),
    ("2100-12-30", "2101-01-03", {"planned_end"}),
])
def test_a_planned_date_outside_the_werkdagen_calendar_is_refused_with_the_field(client, tenant, clock, start,
                                                                                   end, fields):
    r = client.post("/api/v1/meldingen", json={**MELDING, "planned_start": start, "planned_end": end},
                    headers=tenant.auth("company1"))
    assert r.status_code == 422
    errors = r.json["errors"]["json"]
    assert set(errors) == fields and all(CALENDAR in errors[f][0] and "1990 tot en met 2100" in errors[f][0]
                                         for f in fields)
    assert _listed(client, tenant) == []


def test_a_start_before_any_scheme_version_is_refused_not_a_500(client, tenant, clock):
    r = client.post("/api/v1/meldingen", json={**MELDING, "planned_start": "1995-01-02", "planned_end": "1995-01-03"},
                    headers=tenant.auth("company1"))
    assert r.status_code == 422
    assert "geen versie van SC-530 van kracht" in r.json["errors"]["json"]["planned_start"][0]


def test_fax_and_change_outside_the_calendar_are_refused(client, tenant, clock):
    r = client.post("/api/v1/meldingen/fax", json={**MELDING, "company_id": tenant.ids["company1"],
                                                   "received_on": "2026-11-24", "planned_start": "2150-01-05",
                                                   "planned_end": "2150-01-06"}, headers=tenant.auth("office"))
    assert r.status_code == 422 and CALENDAR in r.json["errors"]["json"]["planned_start"][0]
    m = client.post("/api/v1/meldingen", json=MELDING, headers=tenant.auth("company1")).json
    for start in ("2150-01-05", "2001-01-08"):
        r = client.patch(f"/api/v1/meldingen/{m['id']}", json={"planned_start": start},
                         headers=tenant.auth("company1"))
        assert r.status_code == 422 and "planned_start" in r.json["errors"]["json"]
    assert client.get(f"/api/v1/meldingen/{m['id']}", headers=tenant.auth("company1")).json["planned_start"] \
        == MELDING["planned_start"]


def test_bulk_reports_a_row_outside_the_calendar_as_refused(client, tenant, clock):
    rows = [{**MELDING, "street": "Goed 1"}, {**MELDING, "street": "Ver 1", "planned_start": "2150-01-05",
                                              "planned_end": "2150-01-06"}]
    r = client.post("/api/v1/meldingen/bulk", json={"meldingen": rows}, headers=tenant.auth("company1"))
    assert r.status_code == 200 and (r.json["accepted"], r.json["refused"]) == (1, 1)
    assert r.json["rows"][1]["status"] == "refused" and CALENDAR in r.json["rows"][1]["errors"]["planned_start"][0]
    assert [m["street"] for m in _listed(client, tenant)] == ["Goed 1"]


def test_the_portal_form_outside_the_calendar_says_why(client, tenant, clock):
    login(client, tenant.emails["company1"])
    form = client.get("/meldingen/")
    r = client.post("/meldingen/nieuw", data={**MELDING, "containment": "ja", "planned_start": "2150-01-05",
                                              "planned_end": "2150-01-06", "csrf_token": _csrf(form.text)},
                    follow_redirects=True)
    assert r.status_code == 422 and "Melding niet verstuurd" in r.text and CALENDAR in r.text
    assert 'value="2150-01-05"' in r.text and f'value="{MELDING["street"]}"' in r.text  # what was typed stays
    assert _listed(client, tenant) == []


def _upload(client, kind, text):
    page = client.get("/meldingen/uploaden")
    return client.post(f"/meldingen/uploaden/{kind}", content_type="multipart/form-data",
                       data={"csrf_token": _csrf(page.text), "file": (io.BytesIO(text.encode()), "bestand.csv")})


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/project-overview", "location\nKerkstraat 1\n"),           # one column
    ("/api/v1/logbook", "project worker date start end activity ppe\nP1 m-1 2026-11-02 08:00 15:00 removal ja\n"),
    ("/api/v1/meldingen/bulk", "\n\n"),
])
def test_a_csv_whose_columns_cannot_be_read_is_a_clear_422(client, tenant, clock, path, body):
    r = client.post(path, data=body.encode(), content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 422
    assert r.json["errors"]["body"]["file"][0].startswith(COLUMNS) and r.json["message"].startswith(COLUMNS)


def test_the_portal_upload_of_an_unreadable_csv_says_why(client, tenant, clock):
    login(client, tenant.emails["company1"])
    r = _upload(client, "projectoverzicht", "location\nKerkstraat 1\n")
    assert r.status_code == 422 and "Niet verwerkt" in r.text and "Kan de kolommen niet lezen" in r.text


def test_a_tab_separated_csv_is_read(client, tenant, clock):
    tsv = "project\tworker\tdate\tstart\tend\tactivity\tppe\nP1\tm-101\t2026-11-02\t08:00\t15:00\tremoval\tja\n"
    r = client.post("/api/v1/logbook", data=tsv.encode(), content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 201 and r.json["entries"] == 1
    login(client, tenant.emails["company1"])
    r = _upload(client, "logboek", tsv.replace("2026-11-02", "2026-11-03"))
    assert r.status_code == 200 and "1 regel(s) opgeslagen" in r.text
    days = client.get(f"/api/v1/companies/{tenant.ids['company1']}/project-days?from=2026-01-01",
                      headers=tenant.auth("planner")).json
    assert [d["date"] for d in days["days"]] == ["2026-11-02", "2026-11-03"]


@pytest.mark.parametrize("first", ["9999-06-01", "9999-12-31", "0001-01-01"])
def test_project_days_with_a_period_start_out_of_range_is_a_422(client, tenant, clock, first):
    r = client.get(f"/api/v1/companies/{tenant.ids['company1']}/project-days?from={first}",
                   headers=tenant.auth("planner"))
    assert r.status_code == 422
    assert r.json["errors"]["query"]["from"] == [
        "Deze datum valt buiten de werkdagenkalender: kies een datum in de jaren 1990 tot en met 2100."]


# -- the fuzzer's root causes, one test each --------------------------------------------------

def _int_routes(app):
    """Every route with an ``<int:...>`` in its path, with the methods it answers."""
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if type(conv).__name__ == "IdConverter"]
        if ints:
            yield rule, ints, sorted(rule.methods - {"HEAD", "OPTIONS"})


@pytest.mark.parametrize("big", [2**31, 2**63, 10**40])
def test_an_id_beyond_the_integer_range_is_a_404_on_every_route(app, client, tenant, big):
    login(client, tenant.emails["planner"])  # the pages answer as for a logged-in planner
    token = tenant.auth("admin")
    checked = 0
    for rule, ints, methods in _int_routes(app):
        url = rule.rule
        for name in ints:
            url = url.replace(f"<int:{name}>", str(big))
        for method in methods:
            r = client.open(url, method=method, headers=token if url.startswith("/api/") else {}, json={})
            assert r.status_code == 404, (method, rule.rule, r.status_code)
            checked += 1
    assert checked > 40  # every API route and page with an id


def test_the_largest_integer_id_is_an_ordinary_unknown_id(client, tenant):
    for path in ("/api/v1/companies/2147483647", "/api/v1/meldingen/2147483647", "/api/v1/dossiers/2147483647"):
        assert client.get(path, headers=tenant.auth("planner")).status_code == 404
    r = client.get("/api/v1/meldingen?after_id=99999999999", headers=tenant.auth("planner"))
    assert r.status_code == 422 and "after_id" in r.json["errors"]["query"]


NUL = "Bedrijf\x00B.V."


def test_a_nul_byte_or_lone_surrogate_in_json_is_a_422_naming_the_field(client, tenant):
    body = {"name": NUL, "place": "Utrecht", "kvk_number": "55555555"}
    r = client.post("/api/v1/companies", json=body, headers=tenant.auth("planner"))
    assert r.status_code == 422 and "niet is toegestaan" in r.json["errors"]["json"]["name"][0]
    raw = b'{"name": "Bedrijf \\ud800", "place": "Utrecht", "kvk_number": "55555555"}'
    r = client.post("/api/v1/companies", data=raw, content_type="application/json", headers=tenant.auth("planner"))
    assert r.status_code == 422 and "name" in r.json["errors"]["json"]
    assert [c["kvk_number"] for c in client.get("/api/v1/companies", headers=tenant.auth("planner")).json].count(
        "55555555") == 0


def test_a_nul_byte_in_a_query_or_a_form_is_a_422(client, tenant):
    r = client.get("/api/v1/companies?q=a%00b", headers=tenant.auth("planner"))
    assert r.status_code == 422 and r.json["errors"]["query"]["q"]
    login(client, tenant.emails["planner"])
    assert client.get("/bedrijven/?x=%00").status_code == 422
    page = client.get("/bedrijven/")
    r = client.post("/bedrijven/", data={"name": NUL, "place": "Utrecht", "kvk_number": "55555555",
                                         "csrf_token": _csrf(page.text)})
    assert r.status_code == 422 and "niet is toegestaan" in r.text


def test_a_nul_byte_in_a_csv_cell_refuses_that_row(client, tenant, clock):
    csv = f"scheme;street;postcode;place;planned_start;planned_end\nSC-530;{NUL};3511AB;Utrecht;2030-03-04;2030-03-05\n"
    r = client.post("/api/v1/meldingen/bulk", data=csv.encode(), content_type="text/csv",
                    headers=tenant.auth("company1"))
    assert r.status_code == 200 and r.json["refused"] == 1 and "street" in r.json["rows"][0]["errors"]
    logbook = f"project;worker;date;start;end;activity;ppe\nP{NUL};m-101;2026-11-02;08:00;15:00;removal;ja\n"
    r = client.post("/api/v1/logbook", data=logbook.encode(), content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 422


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/schemes/SC-540/category-a-timeline?finding_date=2000-01-03", "finding_date"),
    ("/api/v1/schemes/SC-530/melding-deadline?start=1995-06-01&channel=email", "start"),
])
def test_a_date_before_the_first_scheme_version_is_a_422_naming_the_range(client, path, field):
    r = client.get(path)
    assert r.status_code == 422 and "de eerste geldt vanaf 01-01-2007" in r.json["errors"]["query"][field][0]


def test_an_application_before_the_first_scheme_version_or_in_the_future_is_refused(client, tenant, clock):
    company = tenant.ids["company1"]
    for day, text in (("2000-01-03", "de eerste geldt vanaf 01-01-2007"), ("9999-01-04", "werkdagenkalender"),
                      ("2026-12-01", "na vandaag")):
        r = client.post("/api/v1/dossiers", json={"company_id": company, "scheme": "SC-540", "applied_on": day},
                        headers=tenant.auth("planner"))
        assert r.status_code == 422 and text in r.json["errors"]["json"]["applied_on"][0], (day, r.json)


def test_a_location_assessment_in_year_9999_is_a_422(client, tenant, clock):
    from tests.test_dossiers import Walk

    clock("2026-03-02")
    w = Walk(client, tenant, "SC-540").into_assessment()
    loc = w.location(w.branches()[0])
    r = w.assess_location(loc, "9999-12-31", expect=422)
    assert "werkdagenkalender" in r.json["errors"]["json"]["on"][0]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_the_week_view_at_an_impossible_day_shows_today_with_a_message(client, tenant, clock, day):
    login(client, tenant.emails["planner"])
    r = client.get(f"/meldingen/?view=week&day={day}")
    assert r.status_code == 200 and "vandaag wordt getoond" in r.text


def test_an_anonymous_call_is_a_401_before_its_body_is_read(client):
    assert client.post("/api/v1/companies", json={"name": 1}).status_code == 401
    assert client.get("/api/v1/meldingen?from=not-a-date").status_code == 401
    assert client.get("/api/v1/calendar/is-working-day?date=nope").status_code == 422  # public: its input counts


def test_an_uploaded_file_name_is_stored_cleaned(client, tenant):
    from pathlib import Path

    xml = Path("cki/meldingen/lavs/examples/startmelding.xml").read_bytes()
    r = client.post("/api/v1/lavs/messages", headers=tenant.auth("office"), content_type="multipart/form-data",
                    data={"file": (io.BytesIO(xml), "../../etc/pass\x07wd.xml")})
    assert r.status_code == 201 and r.json[0]["filename"] == "passwd.xml"
