"""Bulk meldingen, SC-530 logbooks to project days, SC-540 project overviews, audit picks."""
import pytest

from cki.core.db import db
from cki.events.models import DataAccessLog
from tests.test_meldingen import MELDING

CSV_LOGBOOK = """project;worker;date;start;end;activity;ppe
P1;m-101;2026-03-02;08:00;12:00;removal;ja
P1;m-102;2026-03-02;10:00;14:00;cleanup;ja
P2;m-101;2026-03-02;13:00;18:00;containment;ja
P2;m-103;2026-03-03;08:00;11:00;packing;ja
"""


def test_bulk_upload_with_mixed_rows(client, tenant, clock):
    rows = [dict(MELDING, street=f"Laan {n}") for n in range(3)]
    rows.append(dict(MELDING, street="Te laat 1", planned_start="2026-11-25", planned_end="2026-11-25"))
    rows.append(dict(MELDING, postcode="nope"))
    rows.append(dict(MELDING, street="Laan 0"))  # the same job as row 1
    r = client.post("/api/v1/meldingen/bulk", json={"meldingen": rows}, headers=tenant.auth("company1"))
    assert r.status_code == 200
    report = r.json
    assert (report["accepted"], report["repeats"], report["refused"]) == (3, 1, 2)
    assert report["rows"][3]["status"] == "refused" and "planned_start" in report["rows"][3]["errors"]
    assert "postcode" in report["rows"][4]["errors"]
    assert report["rows"][5]["melding_id"] == report["rows"][0]["melding_id"]
    assert len(client.get("/api/v1/meldingen", headers=tenant.auth("company1")).json) == 3


def test_bulk_csv(client, tenant, clock):
    csv = ("scheme,street,postcode,place,planned_start,planned_end\n"
           "SC-530,Markt 1,3511AA,Utrecht,2026-12-07,2026-12-08\n"
           "SC-530,Markt 2,3511AA,Utrecht,2026-12-07,2026-12-01\n")
    r = client.post("/api/v1/meldingen/bulk", data=csv, content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 200 and (r.json["accepted"], r.json["refused"]) == (1, 1)


def test_logbook_to_project_days_and_table_4_3(app, client, tenant, clock):
    r = client.post("/api/v1/logbook", data=CSV_LOGBOOK, content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 201 and r.json["entries"] == 4
    cid = tenant.ids["company1"]
    r = client.get(f"/api/v1/companies/{cid}/project-days?from=2026-01-01", headers=tenant.auth("planner"))
    assert r.status_code == 200
    assert r.json["total"] == 1.5 and r.json["period_to"] == "2026-12-31"
    assert r.json["location_audits"]["total"] == 6 and r.json["location_audits"]["warnings"]
    with app.app_context():  # the read of exposure data is logged (AVG)
        reads = db.session.scalars(db.select(DataAccessLog)).all()
        assert [(x.what, x.actor_label) for x in reads] == [("logbook.project_days", "planner X")]


@pytest.mark.parametrize("worker", ["Jan Jansen", "111222333"])
def test_logbook_refuses_names_and_bsns(client, tenant, clock, worker):
    bad = CSV_LOGBOOK.replace("m-102", worker)
    r = client.post("/api/v1/logbook", data=bad, content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 422 and "worker" in r.json["errors"]["json"]["entries"]["2"]


def test_logbook_bad_rows_store_nothing(client, tenant, clock):
    bad = CSV_LOGBOOK + "P3;m-104;2026-03-04;12:00;08:00;removal;ja\n"
    r = client.post("/api/v1/logbook", data=bad, content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 422 and "5" in r.json["errors"]["json"]["entries"]
    r = client.get(f"/api/v1/companies/{tenant.ids['company1']}/project-days?from=2026-01-01",
                   headers=tenant.auth("planner"))
    assert r.json["total"] == 0


def test_project_days_of_another_company_are_out_of_reach(client, tenant, other_tenant, clock):
    client.post("/api/v1/logbook", data=CSV_LOGBOOK, content_type="text/csv", headers=tenant.auth("company1"))
    url = f"/api/v1/companies/{tenant.ids['company1']}/project-days"
    assert client.get(url, headers=tenant.auth("company2")).status_code == 404
    assert client.get(url, headers=other_tenant.auth("planner")).status_code == 404


def test_project_overview_and_sampling(client, tenant, clock):
    projects = [{"location": f"Straat {n}, Utrecht", "responsible_dia": "DIA A. de Vries",
                 "remediated": n % 3 == 0, "demolished": False} for n in range(9)]
    r = client.post("/api/v1/project-overview", json={"projects": projects}, headers=tenant.auth("company1"))
    assert r.status_code == 201 and len(r.json) == 9
    cid = tenant.ids["company1"]
    r = client.post(f"/api/v1/companies/{cid}/project-overview/sample", json={"n": 3, "seed": 7},
                    headers=tenant.auth("planner"))
    assert r.status_code == 200 and len(r.json) == 3
    assert not any(p["remediated"] or p["demolished"] for p in r.json)
    # a new upload replaces the current overview
    r = client.post("/api/v1/project-overview", json={"projects": projects[:2]}, headers=tenant.auth("company1"))
    assert len(client.get(f"/api/v1/companies/{cid}/project-overview", headers=tenant.auth("planner")).json) == 2


def test_unannounced_audit_pick_is_invisible_to_the_company(client, tenant, clock):
    m = client.post("/api/v1/meldingen", json=MELDING, headers=tenant.auth("company1")).json
    r = client.post(f"/api/v1/meldingen/{m['id']}/audit-selection", json={"planned_on": "2026-12-08"},
                    headers=tenant.auth("planner"))
    assert r.status_code == 201
    assert client.get("/api/v1/audit-selections", headers=tenant.auth("company1")).status_code == 403
    seen = client.get(f"/api/v1/meldingen/{m['id']}", headers=tenant.auth("company1")).text
    assert "audit" not in seen.lower() and "2026-12-08" not in seen
    log = client.get(f"/api/v1/events?subject_type=meldingen&subject_id={m['id']}", headers=tenant.auth("company1"))
    assert log.status_code == 403
    # Staff find who picked it in the event log of the selection (not of the melding).
    picked = client.get(f"/api/v1/events?subject_type=audit_selections&subject_id={r.json['id']}",
                        headers=tenant.auth("team_leader")).json
    assert [(e["action"], e["actor_label"]) for e in picked] == [("audit.selected", "planner X")]
    again = client.post(f"/api/v1/meldingen/{m['id']}/audit-selection", json={"planned_on": "2026-12-08"},
                        headers=tenant.auth("planner"))
    assert again.status_code == 422 and "al gekozen" in again.json["message"]


def test_an_upload_over_the_size_limit_is_refused_with_413_and_nothing_stored(app, client, tenant, clock, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    rows = [dict(MELDING, street=f"Laan {n}", description="x" * 200) for n in range(6000)]  # about 2 MB
    r = client.post("/api/v1/meldingen/bulk", json={"meldingen": rows}, headers=tenant.auth("company1"))
    assert r.status_code == 413 and "groter dan de toegestane 1 MB" in r.json["message"]
    assert client.get("/api/v1/meldingen", headers=tenant.auth("company1")).json == []


def test_bulk_upload_a_refused_row_undoes_only_itself_and_a_crash_stores_nothing(app, client, tenant, clock,
                                                                                  monkeypatch):
    """Each row runs in its own savepoint: a row refused after it wrote something leaves no trace,
    the rows before and after it stay; an error that ends the request stores no row at all."""
    from cki.core.errors import DomainError
    from cki.meldingen import operations
    from cki.meldingen.models import Melding

    submit = operations.submit_melding

    def failing_after_writing(company, data, **kwargs):
        melding, created = submit(company, data, **kwargs)  # written; now this row goes wrong
        if data["street"].startswith("Kapot"):
            raise DomainError("street", "Deze regel gaat mis na het opslaan.")
        if data["street"].startswith("Crash"):
            raise RuntimeError("the server fails halfway through the upload")
        return melding, created

    monkeypatch.setattr(operations, "submit_melding", failing_after_writing)
    rows = [dict(MELDING, street="Goed 1"), dict(MELDING, street="Kapot 1"), dict(MELDING, street="Goed 2")]
    r = client.post("/api/v1/meldingen/bulk", json={"meldingen": rows}, headers=tenant.auth("company1"))
    assert r.status_code == 200 and [row["status"] for row in r.json["rows"]] == ["accepted", "refused", "accepted"]
    listed = client.get("/api/v1/meldingen", headers=tenant.auth("company1")).json
    assert sorted(m["street"] for m in listed) == ["Goed 1", "Goed 2"]

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    rows = [dict(MELDING, street="Goed 3"), dict(MELDING, street="Goed 4"), dict(MELDING, street="Crash 1")]
    r = client.post("/api/v1/meldingen/bulk", json={"meldingen": rows}, headers=tenant.auth("company1"))
    assert r.status_code == 500 and r.json["message"] == "Onverwachte fout; niets is half opgeslagen."
    listed = client.get("/api/v1/meldingen", headers=tenant.auth("company1")).json
    assert sorted(m["street"] for m in listed) == ["Goed 1", "Goed 2"]
    with app.app_context():  # nothing of the failed upload is left, not even of the row that failed
        assert sorted(db.session.scalars(db.select(Melding.street))) == ["Goed 1", "Goed 2"]


@pytest.mark.parametrize("worker", [
    "Jansen", "Piet.de.Vries", "m.bakker", "JanJansen",   # names: no digit in them
    "Jan Jansen", "j.jansen@bedrijf.nl", "x" * 41,         # not a staff number at all
    "111222333", "12345611",                               # pass the elfproef: possibly a BSN (8 digits: 0 dropped)
])
def test_logbook_refuses_worker_ids_that_are_names_or_possible_bsns(client, tenant, clock, worker):
    bad = CSV_LOGBOOK.replace("m-102", worker)
    r = client.post("/api/v1/logbook", data=bad, content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 422 and "regel 2" in r.json["message"]
    (reason,) = r.json["errors"]["json"]["entries"]["2"]["worker"]
    assert "personeelsnummer" in reason and ("naam" in reason or "BSN" in reason)
    r = client.get(f"/api/v1/companies/{tenant.ids['company1']}/project-days?from=2026-01-01",
                   headers=tenant.auth("planner"))
    assert r.json["total"] == 0


@pytest.mark.parametrize("worker", ["m-102", "10234", "P.7", "W1", "dta_0042", "12345678", "123456789"])
def test_logbook_accepts_staff_numbers(client, tenant, clock, worker):
    """12345678 and 123456789 fail the elfproef, so they cannot be a BSN."""
    r = client.post("/api/v1/logbook", data=CSV_LOGBOOK.replace("m-102", worker), content_type="text/csv",
                    headers=tenant.auth("company1"))
    assert r.status_code == 201 and r.json["entries"] == 4


def test_project_days_default_to_the_previous_period_counted_from_the_grant(app, client, tenant, clock):
    from datetime import date

    from tests.conftest import give_certificate

    give_certificate(app, tenant, tenant.ids["company1"], issued_on=date(2025, 1, 5), valid_until=date(2028, 1, 4),
                     number="SC-530/2025/0001", holder="Bedrijf X1", kvk="10000001")
    # Today 24 November 2026 lies in the second period (from 5 January 2026): Table 4.3 plans it
    # by the first, 5 January 2025 - 4 January 2026 (RULES.md §4), not by the last 12 months.
    r = client.get(f"/api/v1/companies/{tenant.ids['company1']}/project-days", headers=tenant.auth("planner")).json
    assert (r["period_from"], r["period_to"]) == ("2025-01-05", "2026-01-04") and "verlening" in r["period_note"]
    r = client.get(f"/api/v1/companies/{tenant.ids['company2']}/project-days", headers=tenant.auth("planner")).json
    assert (r["period_from"], r["period_to"]) == ("2025-11-24", "2026-11-23") and "Geen verlening" in r["period_note"]


def test_a_logbook_in_dutch_with_dutch_dates_is_read(app, client, tenant, clock):
    dutch = ("Project;Personeelsnummer;Datum;Begin;Einde;Activiteit;PBM\n"
             "P1;m-101;02-11-2026;08:00;15:00;verwijderen;ja\n"
             "P1;m-102;2026-11-02;08:00;12:00;removal;ja\n")
    r = client.post("/api/v1/logbook", data=dutch.encode(), content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 201 and r.json["entries"] == 2
    days = client.get(f"/api/v1/companies/{tenant.ids['company1']}/project-days?from=2026-01-01",
                      headers=tenant.auth("planner")).json
    assert [(d["date"], d["project_days"]) for d in days["days"]] == [("2026-11-02", 1)]


@pytest.mark.parametrize(("day", "why"), [
    ("31-02-2026", "schrijf jjjj-mm-dd of dd-mm-jjjj"),
    ("2026/11/02", "schrijf jjjj-mm-dd of dd-mm-jjjj"),
    ("25-11-2026", "na vandaag"),  # the frozen today is 24-11-2026
])
def test_a_logbook_date_says_the_format_and_is_not_in_the_future(client, tenant, clock, day, why):
    rows = f"project;worker;date;start;end;activity;ppe\nP1;m-101;{day};08:00;15:00;removal;ja\n"
    r = client.post("/api/v1/logbook", data=rows.encode(), content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 422 and why in r.json["errors"]["json"]["entries"]["1"]["date"][0]


def test_the_upload_page_lists_the_columns_and_the_activities(client, tenant, clock, as_user):
    page = as_user("company1").get("/meldingen/uploaden").text
    for text in ("personeelsnummer", "dd-mm-jjjj", "<code>removal</code> (verwijderen)",
                 "<code>waste_transport</code> (afvoer naar de stort)", "verantwoordelijke_dia"):
        assert text in page
