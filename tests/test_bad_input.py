"""Bad input answers 422 with the field and a Dutch reason, never a 500 (nothing stored)."""
import io

import pytest

from tests.test_meldingen import MELDING
from tests.test_web import _csrf, login

CALENDAR = "buiten de werkdagenkalender"
COLUMNS = "Kan de kolommen niet lezen: gebruik komma's of puntkomma's"


def _listed(client, tenant):
    return client.get("/api/v1/meldingen?from=1900-01-01", headers=tenant.auth("company1")).json


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
    assert r.status_code == 200 and "Melding niet verstuurd" in r.text and CALENDAR in r.text
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
    assert r.json["errors"]["query"]["from"] == ["Kies een begindatum in de jaren 1990 tot en met 2100."]
