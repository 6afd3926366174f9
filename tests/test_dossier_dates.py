"""Dates that contradict the file are refused: no step is dated before the steps it depends on
(the application, the SCA request and permission, the documentation review, the completed
assessment, the advice); the 4-month window holds for the date a step is recorded too; a decision
recorded after its letter deadline is marked late. And only assigned, qualified assessors assess."""
import pytest

from tests.test_dossiers import Walk


@pytest.fixture
def clock_start():
    return "2026-03-02"


def _errors(r) -> str:
    return " ".join(sum(r.json["errors"]["json"].values(), []))


def test_an_sca_permission_dated_before_the_application_or_the_request_is_refused(client, tenant, clock):
    w = Walk(client, tenant, "SC-540").into_assessment()
    w.today("2026-01-12")
    loc = w.location(w.branches()[0], permit=False)
    r = w.post("record-sca-permission", "planner", expect=422, location_id=loc, granted=True, on="2026-01-02")
    assert "vóór de aanvraag (05-01-2026)" in _errors(r)
    r = w.post("record-sca-permission", "planner", expect=422, location_id=loc, granted=True, on="2026-01-09")
    assert "vóór de aanvraag van deze projectlocatie bij SCA (12-01-2026)" in _errors(r)
    w.post("record-sca-permission", "planner", location_id=loc, granted=True, on="2026-01-12")


def test_assessments_are_not_dated_before_the_documentation_review_or_the_permission(client, tenant, clock):
    w = Walk(client, tenant, "SC-540")
    w.post("declaration", "planner", declared_on="2026-01-05", held_or_applied_elsewhere=False, informed_of_rules=True)
    w.post("take-into-treatment", "planner")
    w.post("assessors", "planner", user_id=tenant.ids["user_assessor"])
    w.today("2026-01-20")
    w.post("complete-documentation-review", "assessor", passed=True)
    b = w.branches()[0]
    r = w.post("record-branch-assessment", "assessor", expect=422, branch_id=b, passed=True, on="2026-01-19")
    assert "vóór de afgeronde documentatiebeoordeling (20-01-2026)" in _errors(r)
    w.today("2026-01-27")
    loc = w.location(b)  # permission on 2026-01-27
    r = w.assess_location(loc, "2026-01-26", expect=422)
    assert "vóór de toestemming van SCA voor deze projectlocatie (27-01-2026)" in _errors(r)
    w.assess_location(loc, "2026-01-27")


def _to_decision(client, tenant):
    w = Walk(client, tenant, "SC-540").into_assessment()
    b = w.branches()[0]
    w.post("record-branch-assessment", "assessor", branch_id=b, passed=True, on="2026-02-02")
    w.assess_location(w.location(b), "2026-02-03")
    w.assess_location(w.location(b), "2026-02-10")
    w.today("2026-02-12")
    w.post("complete-assessment", "team_leader")
    w.today("2026-02-16")
    w.post("record-advice", "team_leader", advice="Positief.")
    return w


def test_a_decision_is_not_dated_before_the_advice_or_the_completed_assessment(client, tenant, clock):
    w = _to_decision(client, tenant)
    r = w.post("decide", "decider", expect=422, grant=True, on="2026-02-13", motivation="Voldoet.")
    assert "vóór het advies van de teamleider (16-02-2026)" in _errors(r)
    assert w.d["advised_on"] == "2026-02-16" and w.d["assessment_completed_on"] == "2026-02-12"
    w.post("decide", "decider", grant=True, on="2026-02-16", motivation="Voldoet.")
    assert w.d["state"] == "granted" and w.d["decision_late"] is False


def test_a_decision_recorded_after_the_letter_deadline_is_marked_late(client, tenant, clock):
    w = _to_decision(client, tenant)
    assert w.d["deadlines"]["decision_letter_due"]["date"] == "2026-02-24"
    w.today("2026-02-25")
    w.post("decide", "decider", grant=True, on="2026-02-20", motivation="Voldoet.")
    assert w.d["decision_late"] is True and w.d["decision_recorded_on"] == "2026-02-25"
    events = client.get(f"/api/v1/events?subject_type=dossiers&subject_id={w.id}", headers=tenant.auth("planner"))
    assert "gemarkeerd als te laat" in events.json[-1]["note"]


@pytest.mark.parametrize(("record_on", "decided_on", "allowed"), [
    ("2026-06-03", "2026-06-03", True),    # the window's last day
    ("2026-06-04", "2026-06-03", False),   # dated on the last day, recorded the day after
    ("2026-06-04", "2026-06-04", False),
])
def test_deciding_on_the_windows_last_day_is_allowed_the_day_after_refused(client, tenant, clock, record_on,
                                                                          decided_on, allowed):
    w = _to_decision(client, tenant)
    assert w.d["deadlines"]["window_end"]["date"] == "2026-06-03"
    w.today(record_on)
    r = w.post("decide", "decider", expect=200 if allowed else 422, grant=True, on=decided_on, motivation="Ja.")
    if not allowed:
        assert "03-06-2026" in r.json["message"] and "vervallen" in r.json["message"]


@pytest.mark.parametrize(("record_on", "assessed_on", "allowed"), [
    ("2026-06-03", "2026-06-03", True),
    ("2026-06-04", "2026-06-03", False),
    ("2026-06-04", "2026-06-04", False),
])
def test_assessing_on_the_windows_last_day_is_allowed_the_day_after_refused(client, tenant, clock, record_on,
                                                                           assessed_on, allowed):
    w = Walk(client, tenant, "SC-540").into_assessment()
    b = w.branches()[0]
    w.assess_location(w.location(b), "2026-02-03")
    loc = w.location(b)
    w.today(record_on)
    w.assess_location(loc, assessed_on, expect=200 if allowed else 422)


def test_only_an_assigned_assessor_or_a_team_leader_records_an_assessment(client, tenant, clock):
    w = Walk(client, tenant, "SC-540")
    w.post("declaration", "planner", declared_on="2026-01-05", held_or_applied_elsewhere=False, informed_of_rules=True)
    w.post("take-into-treatment", "planner")
    r = w.post("complete-documentation-review", "assessor", expect=422, passed=True)
    assert "toegewezen beoordelaar" in _errors(r)
    w.post("complete-documentation-review", "team_leader", passed=True)
    r = w.post("record-branch-assessment", "assessor", expect=422, branch_id=w.branches()[0], passed=True,
               on="2026-01-05")
    assert "toegewezen beoordelaar" in _errors(r)
    w.post("assessors", "planner", user_id=tenant.ids["user_assessor"])
    w.post("record-branch-assessment", "assessor", branch_id=w.branches()[0], passed=True, on="2026-01-05")


@pytest.mark.parametrize(("qualification", "missing"), [
    (None, "heeft geen kwalificatie als beoordelaar voor SC-540"),
    ({"valid_from": "2020-01-01", "valid_to": "2025-12-31"}, "is verlopen op 31-12-2025"),
    ({"valid_from": "2026-06-01"}, "gaat pas in op 01-06-2026"),
    ({"valid_from": "2020-01-01", "scheme": "SC-530"}, "heeft geen kwalificatie als beoordelaar voor SC-540"),
])
def test_assigning_an_assessor_checks_the_qualification_for_the_scheme_on_the_date(client, tenant, clock,
                                                                                    qualification, missing):
    admin = tenant.auth("admin")
    r = client.post("/api/v1/users", headers=admin, json={
        "email": "nieuw@x.test", "name": "Nieuwe Beoordelaar", "kind": "staff", "roles": ["assessor"],
        "password": "een lang wachtwoord"})
    uid = r.json["id"]
    if qualification:
        client.post(f"/api/v1/users/{uid}/qualifications", headers=admin,
                    json={"scheme": "SC-540", "function": "assessor", **qualification})
    w = Walk(client, tenant, "SC-540")
    r = w.post("assessors", "planner", expect=422, user_id=uid)
    assert missing in r.json["message"] and "(B §2.2)" in r.json["message"]
