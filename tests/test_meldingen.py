"""Meldingen from companies (portal, API), fax by staff: lead times across holidays,
idempotency, one job once, calamities, isolation."""
from datetime import date

import pytest
import sqlalchemy as sa

from cki.core.db import db
from cki.events.models import EventLogEntry

MELDING = {"scheme": "SC-530", "street": "Kerkstraat 12", "postcode": "3511 AB", "place": "Utrecht",
           "client": "Woonstichting Utrecht", "responsible_person": "DTA J. Jansen", "containment": True,
           "planned_start": "2026-12-07", "planned_end": "2026-12-09"}


def submit(client, tenant, who="company1", expect=201, headers=None, **changes):
    r = client.post("/api/v1/meldingen", json={**MELDING, **changes},
                    headers={**tenant.auth(who), **(headers or {})})
    assert r.status_code == expect, r.json
    return r.json


def test_on_time_portal_melding(client, tenant, clock):
    m = submit(client, tenant)
    assert m["channel"] == "portal" and m["status"] == "registered" and m["timeliness"] == "on_time"
    assert m["postcode"] == "3511AB" and m["revisions"][0]["kind"] == "new"


@pytest.mark.parametrize("today, start, ok", [
    ("2026-12-03", "2026-12-07", True),    # Thursday for Monday: 2 werkdagen (Fri 4, Mon 7 not counted)
    ("2026-12-04", "2026-12-07", False),   # Friday for Monday: too late, latest Thursday 3 December
    ("2026-12-23", "2026-12-29", True),    # latest is 24 December (25/26 skipped)
    ("2026-12-28", "2026-12-29", False),
])
def test_email_lead_time_across_weekends_and_christmas(client, tenant, clock, today, start, ok):
    clock(today)
    if ok:
        submit(client, tenant, planned_start=start, planned_end=start)
    else:
        r = submit(client, tenant, expect=422, planned_start=start, planned_end=start)
        assert "planned_start" in r["errors"]["json"] and "binnen moeten zijn" in r["message"]


def test_late_only_by_a_declared_bridge_day_is_accepted_with_a_warning(client, tenant, clock):
    # Start Monday 18 May 2026; latest by the Atw calendar is Wednesday 13 May (14 Hemelvaart,
    # 15 declared bridge day skipped). Submitted Thursday 14 May: late only because of the
    # bridge day (commonly worked) -> accepted, with a warning staff see.
    clock("2026-05-14")
    m = submit(client, tenant, planned_start="2026-05-19", planned_end="2026-05-20")
    assert m["timeliness"] == "late_atw_only" and "15-05-2026" in m["warning"]
    listed = client.get("/api/v1/meldingen?flag=late", headers=tenant.auth("planner")).json
    assert [x["id"] for x in listed] == [m["id"]]


def test_fax_needs_five_werkdagen(client, tenant, clock):
    body = {**MELDING, "company_id": tenant.ids["company1"], "planned_start": "2026-05-11",
            "planned_end": "2026-05-12"}
    r = client.post("/api/v1/meldingen/fax", json={**body, "received_on": "2026-05-04"}, headers=tenant.auth("office"))
    assert r.status_code == 201 and r.json["channel"] == "fax"
    # received Wednesday 6 May for Monday 11 May: fax needs 5 werkdagen -> latest 1 May (5 May skipped? no:
    # 5 May is an Atw-only day, so being late only by it is accepted with a warning); 7 May is simply late.
    r = client.post("/api/v1/meldingen/fax", json={**body, "street": "Ander 1", "received_on": "2026-05-07"},
                    headers=tenant.auth("office"))
    assert r.status_code == 422 and "uiterlijk 01-05-2026" in r.json["message"]


def test_calamity_is_accepted_pending_approval(client, tenant, clock):
    clock("2026-12-07")
    m = submit(client, tenant, calamity_motivation="Dak ingestort na storm; acuut gevaar voor omwonenden.")
    assert m["status"] == "pending_approval" and m["timeliness"] == "calamity"
    r = client.post(f"/api/v1/meldingen/{m['id']}/approval", json={"approve": True, "note": "Terecht"},
                    headers=tenant.auth("planner"))
    assert r.status_code == 200 and r.json["status"] == "registered"
    assert client.post(f"/api/v1/meldingen/{m['id']}/approval", json={"approve": True, "note": "x"},
                       headers=tenant.auth("company1")).status_code == 403


def test_idempotent_retry_never_makes_a_second_melding(client, tenant, clock):
    first = submit(client, tenant, headers={"Idempotency-Key": "abc-123"})
    again = submit(client, tenant, expect=200, headers={"Idempotency-Key": "abc-123"})
    assert again["id"] == first["id"]
    by_ref = submit(client, tenant, client_reference="PRJ-9", street="Ander 2")
    assert submit(client, tenant, expect=200, client_reference="PRJ-9", street="Ander 2")["id"] == by_ref["id"]
    assert len(client.get("/api/v1/meldingen", headers=tenant.auth("company1")).json) == 2


def test_same_job_twice_is_linked_not_doubled(client, tenant, clock):
    first = submit(client, tenant)
    second = submit(client, tenant, expect=200, street="  kerkstraat   12 ", postcode="3511ab", worker_count=4)
    assert second["id"] == first["id"] and second["worker_count"] == 4
    assert [r["kind"] for r in second["revisions"]] == ["new", "link"]


def test_a_submission_writes_the_melding_its_revision_and_its_log_entry_once(app, client, tenant, clock):
    m = submit(client, tenant)
    assert m["company_name"] == "Bedrijf X1" and m["revisions"][0]["data"]["street"] == "Kerkstraat 12"
    with app.app_context():
        (count,) = db.session.execute(sa.text("SELECT count(*) FROM meldingen")).one()
        revisions = db.session.execute(sa.text("SELECT melding_id, number, kind FROM melding_revisions")).all()
        entries = db.session.scalars(sa.select(EventLogEntry).where(EventLogEntry.subject_type == "meldingen")).all()
    assert count == 1 and [tuple(r) for r in revisions] == [(m["id"], 1, "new")]
    assert [(e.subject_id, e.action, e.actor_label) for e in entries] == [(m["id"], "melding.submitted", "Portaal X1")]
    assert entries[0].after["timeliness"] == "on_time" and entries[0].after["postcode"] == "3511AB"


def test_a_melding_just_submitted_changes_in_the_same_transaction(app, tenant, clock):
    # The intake writes with plain INSERTs; the melding it returns must still be an ordinary
    # object of the session (the LAVS intake and the bulk upload go on working with it).
    from flask import g

    from cki.companies.models import Company
    from cki.core.auth import Principal
    from cki.meldingen import operations
    from cki.meldingen.models import Melding

    with app.test_request_context():
        g.principal = Principal(cki_id=tenant.cki_id, label="test")
        company = db.session.get(Company, tenant.ids["company1"])
        data = {**MELDING, "planned_start": date(2026, 12, 7), "planned_end": date(2026, 12, 9)}
        melding, created = operations.submit_melding(company, data, channel="portal", source="portal")
        operations.change_melding(melding, {"worker_count": 6}, source="portal")
        db.session.commit()
        melding_id = melding.id
    with app.app_context():
        stored = db.session.get(Melding, melding_id)
        assert created and stored.worker_count == 6 and stored.company.name == "Bedrijf X1"
        assert [(r.number, r.kind) for r in stored.revisions] == [(1, "new"), (2, "change")]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Melding)) == 1


def test_change_and_cancel_keep_history(client, tenant, clock):
    m = submit(client, tenant)
    r = client.patch(f"/api/v1/meldingen/{m['id']}", json={"planned_end": "2026-12-10"}, headers=tenant.auth("company1"))
    assert r.status_code == 200 and r.json["planned_end"] == "2026-12-10"
    r = client.post(f"/api/v1/meldingen/{m['id']}/cancel", json={"reason": "Opdracht vervallen"},
                    headers=tenant.auth("company1"))
    assert r.json["status"] == "cancelled"
    assert [x["kind"] for x in r.json["revisions"]] == ["new", "change", "cancel"]
    assert r.json["revisions"][0]["data"]["planned_end"] == "2026-12-09"


def test_staff_merge_and_split_are_logged(client, tenant, clock):
    a = submit(client, tenant)
    b = submit(client, tenant, street="Kerkstraat 14")
    r = client.post(f"/api/v1/meldingen/{a['id']}/merge", json={"other_id": b["id"], "note": "Zelfde klus"},
                    headers=tenant.auth("planner"))
    assert r.status_code == 200
    merged = client.get(f"/api/v1/meldingen/{b['id']}", headers=tenant.auth("planner")).json
    assert merged["status"] == "merged" and merged["merged_into_id"] == a["id"]
    r = client.post(f"/api/v1/meldingen/{a['id']}/split", json={
        "street": "Kerkstraat 16", "postcode": "3511AB", "place": "Utrecht", "note": "Tweede locatie"},
        headers=tenant.auth("planner"))
    assert r.status_code == 201 and r.json["street"] == "Kerkstraat 16"
    log = client.get(f"/api/v1/events?subject_type=meldingen&subject_id={a['id']}", headers=tenant.auth("planner")).json
    assert [e["action"] for e in log][-2:] == ["melding.merged", "melding.split"]


@pytest.mark.parametrize("changes, field", [
    ({"postcode": "12345"}, "postcode"),
    ({"planned_end": "2026-12-01"}, "planned_end"),
    ({"planned_start": "2026-13-01"}, "planned_start"),
    ({"scheme": "SC-999"}, "scheme"),
    ({"worker_count": -1}, "worker_count"),
    ({"planned_start_time": "25:00"}, "planned_start_time"),
])
def test_bad_melding_is_422(client, tenant, clock, changes, field):
    r = submit(client, tenant, expect=422, **changes)
    assert field in r["errors"]["json"]


def test_isolation_between_companies_and_ckis(client, tenant, other_tenant, clock):
    m = submit(client, tenant)
    assert client.get(f"/api/v1/meldingen/{m['id']}", headers=tenant.auth("company2")).status_code == 404
    assert client.get(f"/api/v1/meldingen/{m['id']}", headers=other_tenant.auth("planner")).status_code == 404
    assert client.get("/api/v1/meldingen", headers=tenant.auth("company2")).json == []
    assert client.get("/api/v1/meldingen", headers=other_tenant.auth("planner")).json == []
    assert client.patch(f"/api/v1/meldingen/{m['id']}", json={"place": "X"},
                        headers=tenant.auth("company2")).status_code == 404
    assert client.post("/api/v1/meldingen", json=MELDING, headers=tenant.auth("planner")).status_code == 403


def test_api_list_pages_by_planned_start(client, tenant, clock):
    for street, start in (("Later 1", "2026-12-10"), ("Eerst 1", "2026-12-07"), ("Midden 1", "2026-12-08")):
        submit(client, tenant, street=street, planned_start=start, planned_end=start)
    seen, after = [], None
    while True:
        url = "/api/v1/meldingen?limit=1" + (f"&after_id={after}" if after else "")
        page = client.get(url, headers=tenant.auth("planner")).json
        if not page:
            break
        seen.append(page[0]["street"])
        after = page[0]["id"]
    assert seen == ["Eerst 1", "Midden 1", "Later 1"]


def test_api_list_refuses_paging_after_a_melding_it_cannot_see(client, tenant, other_tenant, clock):
    foreign = submit(client, other_tenant)["id"]
    r = client.get(f"/api/v1/meldingen?after_id={foreign}", headers=tenant.auth("planner"))
    assert r.status_code == 422 and "after_id" in r.json["errors"]["json"]


def test_moving_the_start_earlier_is_checked_like_a_new_melding(client, tenant, clock):
    # Today Tuesday 24 November 2026; notified in time for Monday 7 December.
    m = submit(client, tenant)
    url, who = f"/api/v1/meldingen/{m['id']}", tenant.auth("company1")
    r = client.patch(url, json={"planned_start": "2026-11-25", "planned_end": "2026-11-25"}, headers=who)
    assert r.status_code == 422 and "uiterlijk 23-11-2026" in r.json["message"]
    assert client.get(url, headers=who).json["planned_start"] == "2026-12-07"  # nothing changed
    r = client.patch(url, json={"planned_start": "2026-11-26", "planned_end": "2026-11-26"}, headers=who)
    assert r.status_code == 200 and r.json["timeliness"] == "on_time"  # Thursday: latest is today
    r = client.patch(url, json={"planned_start": "2026-12-14", "planned_end": "2026-12-15"}, headers=who)
    assert r.status_code == 200 and [x["kind"] for x in r.json["revisions"]] == ["new", "change", "change"]


def test_a_reference_reused_for_another_job_is_refused_not_swallowed(client, tenant, clock):
    first = submit(client, tenant, client_reference="PRJ-1")
    r = submit(client, tenant, expect=422, client_reference="PRJ-1", street="Andere straat 99")
    assert "client_reference" in r["errors"]["json"] and f"melding {first['id']}" in r["message"]
    submit(client, tenant, headers={"Idempotency-Key": "k-1"}, street="Derde 3")
    r = submit(client, tenant, expect=422, headers={"Idempotency-Key": "k-1"}, street="Vierde 4")
    assert "Idempotency-Key" in r["errors"]["json"]
    assert len(client.get("/api/v1/meldingen", headers=tenant.auth("company1")).json) == 2


def test_a_blank_calamity_motivation_is_no_motivation(client, tenant, clock):
    clock("2026-12-07")
    r = submit(client, tenant, expect=422, calamity_motivation="   ")
    assert "planned_start" in r["errors"]["json"]


def test_a_fax_cannot_be_received_in_the_future(client, tenant, clock):
    body = {**MELDING, "company_id": tenant.ids["company1"], "received_on": "2026-11-25"}
    r = client.post("/api/v1/meldingen/fax", json=body, headers=tenant.auth("office"))
    assert r.status_code == 422 and "received_on" in r.json["errors"]["json"]


def test_a_melding_written_in_a_rolled_back_savepoint_leaves_no_trace(app, tenant, clock):
    # The intake writes with plain INSERTs; a savepoint that rolls back after them (a bulk row)
    # must take the object out of the session too, or the next melding could come back as it.
    from flask import g

    from cki.companies.models import Company
    from cki.core.auth import Principal
    from cki.meldingen import operations
    from cki.meldingen.models import Melding

    data = {**MELDING, "planned_start": date(2026, 12, 7), "planned_end": date(2026, 12, 9)}
    with app.test_request_context():
        g.principal = Principal(cki_id=tenant.cki_id, label="test")
        company = db.session.get(Company, tenant.ids["company1"])
        with pytest.raises(RuntimeError), db.session.begin_nested():
            ghost, _ = operations.submit_melding(company, data, channel="portal", source="portal")
            ghost_id = ghost.id
            raise RuntimeError("anything after the inserts")
        assert db.session.get(Melding, ghost_id) is None
        with db.session.begin_nested():  # a savepoint that is released keeps its rows
            kept, _ = operations.submit_melding(company, {**data, "street": "Andere straat 99"},
                                                channel="portal", source="portal")
        db.session.commit()
        entry = db.session.scalar(sa.select(EventLogEntry).where(EventLogEntry.subject_type == "meldingen",
                                                                 EventLogEntry.subject_id == kept.id))
        assert kept.street == "Andere straat 99" and entry.after["street"] == "Andere straat 99"
        assert [m.street for m in db.session.scalars(sa.select(Melding))] == ["Andere straat 99"]


def test_a_company_not_yet_flushed_is_written_before_its_melding(app, tenant, clock):
    from flask import g

    from cki.companies.models import Company
    from cki.core.auth import Principal
    from cki.meldingen import operations

    with app.test_request_context():
        g.principal = Principal(cki_id=tenant.cki_id, label="test")
        company = Company(cki_id=tenant.cki_id, name="Nieuw B.V.", place="Utrecht", kvk_number="99999999")
        db.session.add(company)
        data = {**MELDING, "planned_start": date(2026, 12, 7), "planned_end": date(2026, 12, 9)}
        melding, created = operations.submit_melding(company, data, channel="portal", source="portal")
        db.session.commit()
        assert created and melding.company_id == company.id is not None


def test_a_melding_counted_into_years_without_an_atw_decree_carries_the_warning(client, tenant, clock):
    # RULES.md §1: no decree declares days for 2029 or later yet; the latest date may move.
    m = submit(client, tenant, planned_start="2029-03-05", planned_end="2029-03-06")
    assert m["timeliness"] == "on_time" and "Geen besluit gelijkstelling" in m["warning"] and "2029" in m["warning"]
    assert submit(client, tenant, street="Ander 2")["warning"] is None  # 2026: decree known


# -- one certificate rule for every channel -------------------------------------------------------

@pytest.mark.parametrize(("number", "scheme", "start", "why"), [
    ("SC-530/2099/0001", "SC-530", "2026-12-07", "Onbekend certificaat SC-530/2099/0001"),
    ("SC-530/2026/0007", "SC-540", "2026-12-07", "is een SC-530-certificaat, de melding is voor SC-540"),
    ("SC-530/2026/0007", "SC-530", "2029-03-05", "niet geldig op de startdatum 05-03-2029"),
])
def test_every_channel_refuses_a_certificate_the_company_does_not_hold_valid(app, client, tenant, clock, number,
                                                                             scheme, start, why):
    from datetime import date

    from tests.conftest import give_certificate

    give_certificate(app, tenant, tenant.ids["company1"], issued_on=date(2026, 3, 2), valid_until=date(2029, 3, 1),
                     number="SC-530/2026/0007", holder="Bedrijf X1", kvk="10000001")
    end = start[:8] + str(int(start[8:]) + 1).zfill(2)
    body = {**MELDING, "certificate_number": number, "scheme": scheme, "planned_start": start, "planned_end": end}
    r = client.post("/api/v1/meldingen", json=body, headers=tenant.auth("company1"))
    assert r.status_code == 422 and why in r.json["errors"]["json"]["certificate_number"][0]
    r = client.post("/api/v1/meldingen/bulk", json={"meldingen": [body]}, headers=tenant.auth("company1"))
    assert r.json["refused"] == 1 and why in r.json["rows"][0]["errors"]["certificate_number"][0]
    r = client.post("/api/v1/meldingen/fax", json={**body, "company_id": tenant.ids["company1"],
                                                   "received_on": "2026-11-24"}, headers=tenant.auth("office"))
    assert r.status_code == 422 and why in r.json["message"]
    good = {**MELDING, "certificate_number": "SC-530/2026/0007"}
    assert client.post("/api/v1/meldingen", json=good, headers=tenant.auth("company1")).status_code == 201


def test_a_new_application_while_a_valid_certificate_is_held_is_refused(app, client, tenant, clock):
    from datetime import date

    from tests.conftest import give_certificate

    give_certificate(app, tenant, tenant.ids["company1"], issued_on=date(2026, 3, 2), valid_until=date(2029, 3, 1),
                     number="SC-540/2026/0003", holder="Bedrijf X1", kvk="10000001", scheme="SC-540")
    body = {"company_id": tenant.ids["company1"], "scheme": "SC-540", "applied_on": "2026-11-02"}
    r = client.post("/api/v1/dossiers", json=body, headers=tenant.auth("planner"))
    assert r.status_code == 422 and "SC-540/2026/0003" in r.json["message"] and "01-03-2029" in r.json["message"]
    r = client.post("/api/v1/dossiers", json={**body, "scheme": "SC-530"}, headers=tenant.auth("planner"))
    assert r.status_code == 201  # the other scheme is another certificate


def test_moving_the_start_earlier_stores_the_new_timeliness_warning_and_status(client, tenant, clock):
    # Thursday 25 March 2027; Goede Vrijdag 26 March is an Atw-only day (commonly worked) and Easter
    # Monday 29 March a holiday. For a start on Tuesday 30 March the latest day is Wednesday 24 March
    # by the Atw calendar, Thursday 25 March by common practice: late only by an Atw-only day.
    clock("2027-03-25")
    m = submit(client, tenant, planned_start="2027-04-12", planned_end="2027-04-13")
    assert (m["timeliness"], m["warning"]) == ("on_time", None)
    url, who = f"/api/v1/meldingen/{m['id']}", tenant.auth("company1")
    r = client.patch(url, json={"planned_start": "2027-03-30", "planned_end": "2027-03-31"}, headers=who)
    assert r.status_code == 200
    stored = client.get(url, headers=tenant.auth("planner")).json
    assert (stored["timeliness"], stored["status"]) == ("late_atw_only", "registered")
    assert "Goede Vrijdag" in stored["warning"] and stored["revisions"][-1]["data"]["planned_start"] == "2027-03-30"

    other = submit(client, tenant, street="Calamiteitstraat 1", planned_start="2027-04-12", planned_end="2027-04-13")
    r = client.patch(f"/api/v1/meldingen/{other['id']}", headers=who, json={
        "planned_start": "2027-03-26", "planned_end": "2027-03-26",
        "calamity_motivation": "Dak ingestort na storm; acuut gevaar."})
    assert r.status_code == 200
    stored = client.get(f"/api/v1/meldingen/{other['id']}", headers=tenant.auth("planner")).json
    assert (stored["timeliness"], stored["status"]) == ("calamity", "pending_approval") and stored["warning"]
    assert stored["calamity_motivation"] == "Dak ingestort na storm; acuut gevaar."
