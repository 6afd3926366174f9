"""Withdrawal and suspension as besluiten on a certificate (RULES.md §3, §6): a zienswijze first when
the holder did not ask for it, its term on concrete dates (5 May moves it), the register told at
once, and the blocks on a new application that follow a withdrawal."""
from datetime import date

import pytest

from tests.test_surveillance import certify


@pytest.fixture
def clock_start():
    return "2026-04-21"


def messages(app, cid):
    from cki.core.db import db
    from cki.register.models import RegisterMessage

    with app.app_context():
        return [(m.kind, m.payload.get("withdrawn_on") or m.payload.get("start") or m.payload.get("on"))
                for m in db.session.scalars(db.select(RegisterMessage).where(RegisterMessage.certificate_id == cid)
                                            .order_by(RegisterMessage.id))]


def test_a_withdrawal_the_holder_did_not_ask_for_waits_for_a_weighed_zienswijze(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2025, 3, 3))
    decider, company = tenant.auth("decider"), tenant.auth("company1")
    r = client.post(f"/api/v1/certificates/{cid}/withdraw", json={"on": "2026-04-21", "reason": "T6"}, headers=decider)
    assert r.status_code == 422 and "zienswijze" in r.json["message"]
    r = client.post(f"/api/v1/certificates/{cid}/intended-decisions", headers=decider, json={
        "kind": "withdraw", "reason": "Maatregelen na de waarschuwing niet effectief (B §8.2.1 f).", "sent_on": "2026-04-21"})
    assert r.status_code == 201, r.json
    intended = r.json
    assert intended["answer_due"] == "2026-05-06"  # two weeks end on 5 May (Bevrijdingsdag): the next working day
    assert client.post(f"/api/v1/intended-decisions/{intended['id']}/weigh", json={"weighing": "x"},
                       headers=decider).status_code == 422  # the term still runs and nothing came in
    clock("2026-04-30")
    r = client.post(f"/api/v1/intended-decisions/{intended['id']}/zienswijze",
                    json={"text": "Wij hebben een nieuwe DIA aangesteld."}, headers=company)
    assert r.status_code == 200 and r.json["answered_on"] == "2026-04-30"
    assert client.post(f"/api/v1/intended-decisions/{intended['id']}/zienswijze", json={"text": "nog eens"},
                       headers=company).status_code == 422
    assert client.get(f"/api/v1/certificates/{cid}/intended-decisions",
                      headers=tenant.auth("company2")).status_code == 404
    r = client.post(f"/api/v1/intended-decisions/{intended['id']}/weigh",
                    json={"weighing": "Een nieuwe DIA neemt de tekortkomingen niet weg."}, headers=decider)
    assert r.status_code == 200
    clock("2026-05-07")
    body = {"on": "2026-05-07", "reason": "Effectieve invoering niet vastgesteld (T6).", "intended_id": intended["id"]}
    assert client.post(f"/api/v1/certificates/{cid}/withdraw", json={**body, "on": "2026-04-29"},
                       headers=decider).status_code == 422  # before the weighing
    assert client.post(f"/api/v1/certificates/{cid}/withdraw", json=body, headers=tenant.auth("team_leader")).status_code == 403
    r = client.post(f"/api/v1/certificates/{cid}/withdraw", json=body, headers=decider)
    assert r.status_code == 200 and (r.json["status"], r.json["withdrawn_on"]) == ("withdrawn", "2026-05-07")
    assert messages(app, cid)[-1] == ("withdrawn", "2026-05-07")  # the register, at once
    assert client.post(f"/api/v1/certificates/{cid}/withdraw", json=body, headers=decider).status_code == 422


def test_a_withdrawal_blocks_a_new_application_for_12_months(app, client, tenant, clock):
    from tests.test_dossiers import Walk

    cid = certify(app, tenant, "company1", "SC-540", date(2025, 3, 3))
    r = client.post(f"/api/v1/certificates/{cid}/withdraw", headers=tenant.auth("decider"),
                    json={"on": "2026-04-21", "reason": "Op eigen verzoek: stopt met inventariseren.",
                          "at_own_request": True})
    assert r.status_code == 200, r.json
    clock("2027-04-21")  # 12 months on: still blocked (the block ends on 21 April)
    w = Walk(client, tenant, "SC-540", applied_on="2027-04-21", company="company1")
    w.post("declaration", "planner", declared_on="2027-04-21", held_or_applied_elsewhere=False, informed_of_rules=True)
    r = w.post("take-into-treatment", "planner", expect=422)
    assert "12" in r.json["message"]
    w.post("reject-application", "planner", reason="Ingetrokken op 2026-04-21 (A §4.1 b).")
    clock("2027-04-22")
    w2 = Walk(client, tenant, "SC-540", applied_on="2027-04-22", company="company1")
    w2.post("declaration", "planner", declared_on="2027-04-22", held_or_applied_elsewhere=False, informed_of_rules=True)
    w2.post("take-into-treatment", "planner")


def test_a_suspension_with_an_end_and_its_lifting_go_to_the_register(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2025, 3, 3))
    decider = tenant.auth("decider")
    r = client.post(f"/api/v1/certificates/{cid}/suspend", headers=decider, json={
        "start": "2026-04-21", "reason": "Op verzoek: tijdelijk geen saneringen.", "at_own_request": True})
    assert r.status_code == 422 and "einddatum" in r.json["message"]
    r = client.post(f"/api/v1/certificates/{cid}/suspend", headers=decider, json={
        "start": "2026-04-21", "end": "2026-06-30", "scope": "vestiging Zwolle",
        "reason": "Op verzoek: tijdelijk geen saneringen.", "at_own_request": True})
    assert r.status_code == 200 and r.json["status"] == "suspended"
    clock("2026-05-11")
    assert client.post(f"/api/v1/certificates/{cid}/lift-suspension", json={"on": "2026-04-20"},
                       headers=decider).status_code == 422  # before it began
    r = client.post(f"/api/v1/certificates/{cid}/lift-suspension", json={"on": "2026-05-11"}, headers=decider)
    assert r.status_code == 200 and r.json["status"] == "valid"
    assert messages(app, cid) == [("suspended", "2026-04-21"), ("suspension_lifted", "2026-05-11")]


def test_a_certificate_expiring_while_suspended_ends_the_suspension_and_its_deadline(app, client, tenant, clock):
    from cki.core.db import db
    from cki.deadlines.models import Deadline
    from cki.jobs import tasks

    cid = certify(app, tenant, "company1", "SC-530", date(2023, 5, 2))  # valid to 1 May 2026
    r = client.post(f"/api/v1/certificates/{cid}/suspend", headers=tenant.auth("decider"), json={
        "start": "2026-04-21", "end": "2026-06-30", "reason": "Op verzoek.", "at_own_request": True})
    assert r.status_code == 200, r.json
    clock("2026-05-04")
    tasks.sweep_deadlines(app)
    assert client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json["status"] == "expired"
    with app.app_context():  # the suspension ended with it, and so did its programme (no audits of an ended one)
        states = dict(db.session.execute(db.select(Deadline.kind, Deadline.state).where(
            Deadline.kind.in_(("suspension_end", "recertification")))).all())
        assert states == {"suspension_end": "done", "recertification": "done"}
    clock("2026-07-01")
    assert tasks.sweep_deadlines(app).flagged == 0  # nothing left to lift


def test_false_information_withdraws_at_once_and_blocks_for_five_years(app, client, tenant, clock):
    from workflows.rules import reapplication_allowed_from

    cid = certify(app, tenant, "company1", "SC-540", date(2025, 3, 3))
    r = client.post(f"/api/v1/certificates/{cid}/withdraw", headers=tenant.auth("decider"), json={
        "on": "2026-04-21", "reason": "Valse informatie over een eerdere intrekking (A §4.1).",
        "false_information": True})
    assert r.status_code == 200 and r.json["status"] == "withdrawn"
    assert reapplication_allowed_from("SC-540", date(2026, 4, 21), false_information=True).date == date(2031, 4, 22)


def test_without_an_answer_the_zienswijze_is_weighed_only_after_its_last_day(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2025, 3, 3))
    decider = tenant.auth("decider")
    intended = client.post(f"/api/v1/certificates/{cid}/intended-decisions", headers=decider, json={
        "kind": "suspend", "reason": "Stillegging door de Arbeidsinspectie.", "sent_on": "2026-04-21"}).json
    clock("2026-05-06")  # the last day (5 May moved it)
    assert client.post(f"/api/v1/intended-decisions/{intended['id']}/weigh", json={"weighing": "x"},
                       headers=decider).status_code == 422
    clock("2026-05-07")
    assert client.post(f"/api/v1/intended-decisions/{intended['id']}/weigh", json={"weighing": "Geen zienswijze."},
                       headers=decider).status_code == 200
    r = client.post(f"/api/v1/certificates/{cid}/suspend", headers=decider, json={
        "start": "2026-05-07", "condition": "tot de CKI effectieve maatregelen heeft vastgesteld",
        "reason": "Stillegging (C §8.1.1).", "intended_id": intended["id"]})
    assert r.status_code == 200 and r.json["status"] == "suspended"


def test_a_suspension_is_recorded_when_it_takes_effect_and_a_timely_letter_reopens_an_early_weighing(
        app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2025, 3, 3))
    decider = tenant.auth("decider")
    r = client.post(f"/api/v1/certificates/{cid}/suspend", headers=decider, json={
        "start": "2026-05-01", "end": "2026-06-30", "reason": "x", "at_own_request": True})
    assert r.status_code == 422 and "start" in r.json["errors"]["json"]
    intended = client.post(f"/api/v1/certificates/{cid}/intended-decisions", headers=decider, json={
        "kind": "withdraw", "reason": "x", "sent_on": "2026-04-21"}).json
    clock("2026-05-07")
    client.post(f"/api/v1/intended-decisions/{intended['id']}/weigh", json={"weighing": "Geen zienswijze."},
                headers=decider)
    r = client.post(f"/api/v1/intended-decisions/{intended['id']}/zienswijze", headers=tenant.auth("office"),
                    json={"text": "Brief van 5 mei.", "received_on": "2026-05-06"})  # in time, entered late
    assert r.status_code == 200 and r.json["weighed_on"] is None  # to be weighed again, with the answer
    late = client.post(f"/api/v1/certificates/{cid}/intended-decisions", headers=decider, json={
        "kind": "suspend", "reason": "y", "sent_on": "2026-04-21"}).json
    client.post(f"/api/v1/intended-decisions/{late['id']}/weigh", json={"weighing": "Geen."}, headers=decider)
    r = client.post(f"/api/v1/intended-decisions/{late['id']}/zienswijze", headers=tenant.auth("office"),
                    json={"text": "Te laat.", "received_on": "2026-05-07"})
    assert r.status_code == 422
