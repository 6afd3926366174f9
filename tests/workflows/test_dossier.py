"""The initial certification dossier (workflows.dossier), walked purely for both schemes.

Facts are built step by step the way the web layer persists an outcome (:func:`record`);
dates are checked by hand against the calendar.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from workflows import dossier
from workflows.diagram import dot, edges, mermaid
from workflows.dossier import (
    EFFECT_LABELS,
    EVENT_LABELS,
    PAYLOAD_FIELDS,
    STATE_LABELS,
    TERMINAL,
    TRANSITIONS,
    BranchFacts,
    DossierFacts,
    Event,
    GuardRefused,
    LocationFacts,
    Outcome,
    PriorDeclaration,
    Refusal,
    State,
    Withdrawal,
    available_events,
    deadlines,
    fire,
)
from workflows.schemes import SCHEMES, load_scheme

D = date.fromisoformat
APPLIED = D("2026-01-05")
TODAY = D("2026-03-02")
ASSESSOR, OTHER_ASSESSOR, DECIDER = 7, 8, 99


def new_facts(scheme: str = "SC-540", *, branches: tuple[int, ...] = (1,), applied_on: date = APPLIED,
              today: date = TODAY, **changes: Any) -> DossierFacts:
    facts = DossierFacts(
        scheme=load_scheme(scheme, applied_on),
        state=State.SUBMITTED,
        applied_on=applied_on,
        today=today,
        company_branch_ids=frozenset(branches),
        branches=tuple(BranchFacts(b, f"Vestiging {b}") for b in branches),
        locations=(),
        prior_declaration=PriorDeclaration(held_or_applied_elsewhere=False, consent_to_transfer=False,
                                           declared_on=applied_on),
        informed_of_rules=True,
        withdrawals=(),
        documentation_review_passed=None,
        assessor_ids=frozenset(),
        team_leader_advice=False,
        assigned_assessor_ids=frozenset({ASSESSOR, OTHER_ASSESSOR, DECIDER}),
    )
    return replace(facts, **changes)


_ASSESSING = (Event.COMPLETE_DOCUMENTATION_REVIEW, Event.RECORD_BRANCH_ASSESSMENT, Event.RECORD_LOCATION_ASSESSMENT)


def _as_the_web_layer(facts: DossierFacts, event: Event, payload: dict[str, Any]) -> dict[str, Any]:
    """What the caller adds to a payload: who records an assessment, the date SCA answered."""
    payload = dict(payload)
    if event in _ASSESSING:
        payload.setdefault("assessor_id", ASSESSOR)
        payload.setdefault("actor_is_team_leader", False)
    if event == Event.RECORD_SCA_PERMISSION:
        payload.setdefault("on", facts.today)
    return payload


def _update(items: tuple[Any, ...], item_id: int, **changes: Any) -> tuple[Any, ...]:
    return tuple(replace(item, **changes) if item.id == item_id else item for item in items)


def record(facts: DossierFacts, event: Event, p: dict[str, Any], outcome: Outcome) -> DossierFacts:
    """What the caller persists: the event's own record, the new state, the reset effect."""
    changes: dict[str, Any] = {"state": outcome.state_after}
    if event == Event.COMPLETE_DOCUMENTATION_REVIEW:
        changes["documentation_review_passed"] = p["passed"]
    elif event in (Event.REQUEST_LOCATION, Event.REQUEST_EXTRA_LOCATION):
        new_id = max((loc.id for loc in facts.locations), default=100) + 1
        location = LocationFacts(new_id, p["branch_id"], event == Event.REQUEST_EXTRA_LOCATION, "requested")
        changes["locations"] = (*facts.locations, location)
    elif event == Event.RECORD_SCA_PERMISSION:
        permission = "granted" if p["granted"] else "refused"
        changes["locations"] = _update(facts.locations, p["location_id"], permission=permission)
    elif event == Event.RECORD_BRANCH_ASSESSMENT:
        branch = facts.branch(p["branch_id"])
        assert branch is not None
        changes["branches"] = _update(facts.branches, branch.id, last_assessed_on=p["on"],
                                      branch_results=(*branch.branch_results, p["passed"]))
        changes["assessor_ids"] = facts.assessor_ids | {p["assessor_id"]}
    elif event == Event.RECORD_LOCATION_ASSESSMENT:
        changes["locations"] = _update(facts.locations, p["location_id"], result=p["passed"], assessed_on=p["on"],
                                       complete_result=p["complete_result"], containment=p["containment"])
        changes["assessor_ids"] = facts.assessor_ids | {p["assessor_id"]}
    elif event == Event.RECORD_ADVICE:
        changes["team_leader_advice"] = True
    if "reset_assessment_results" in outcome.effects:
        changes |= {"locations": (), "team_leader_advice": False,
                    "branches": tuple(replace(b, branch_results=(), last_assessed_on=None) for b in facts.branches)}
        if outcome.state_after == State.DOCUMENTATION_REVIEW:
            changes["documentation_review_passed"] = None
    return replace(facts, **changes)


class Walk:
    """A dossier walked event by event, as the web layer would."""

    def __init__(self, scheme: str = "SC-540", **kwargs: Any) -> None:
        self.facts = new_facts(scheme, **kwargs)

    def __call__(self, event: Event, **payload: Any) -> Outcome:
        payload = _as_the_web_layer(self.facts, event, payload)
        outcome = fire(self.facts, event, payload)
        assert outcome.state_before == self.facts.state
        self.facts = record(self.facts, event, payload, outcome)
        return outcome

    def refused(self, event: Event, **payload: Any) -> tuple[Refusal, ...]:
        with pytest.raises(GuardRefused) as refused:
            fire(self.facts, event, _as_the_web_layer(self.facts, event, payload))
        return refused.value.reasons

    def today(self, day: str) -> Walk:
        self.facts = replace(self.facts, today=D(day))
        return self

    @property
    def state(self) -> State:
        return self.facts.state

    # -- the usual path -------------------------------------------------------------------

    def into_assessment(self) -> Walk:
        self(Event.TAKE_INTO_TREATMENT)
        self(Event.COMPLETE_DOCUMENTATION_REVIEW, passed=True)
        assert self.state == State.ASSESSMENT
        return self

    def location(self, branch_id: int, *, extra: bool = False, permit: bool = True) -> int:
        self(Event.REQUEST_EXTRA_LOCATION if extra else Event.REQUEST_LOCATION, branch_id=branch_id)
        location_id = self.facts.locations[-1].id
        if permit:
            self(Event.RECORD_SCA_PERMISSION, location_id=location_id, granted=True)
        return location_id

    def assess(self, location_id: int, on: str, passed: bool = True, *, containment: bool = False,
               assessor: int = ASSESSOR) -> Outcome:
        return self(Event.RECORD_LOCATION_ASSESSMENT, location_id=location_id, passed=passed, on=D(on),
                    complete_result=passed, containment=containment, assessor_id=assessor,
                    representative_reason="Gangbaar project voor dit bedrijf")

    def branch(self, branch_id: int, on: str, passed: bool = True, assessor: int = ASSESSOR) -> Outcome:
        return self(Event.RECORD_BRANCH_ASSESSMENT, branch_id=branch_id, passed=passed, on=D(on), assessor_id=assessor)

    def pass_all(self, days: tuple[str, str] = ("2026-02-03", "2026-02-10"), containment: bool = True) -> Walk:
        for b in self.facts.branches:
            self.branch(b.id, "2026-02-02")
            for n, day in enumerate(days):
                self.assess(self.location(b.id), day, containment=containment and n == 0)
        return self

    def to_decision(self) -> Walk:
        self(Event.COMPLETE_ASSESSMENT)
        self(Event.RECORD_ADVICE)
        assert self.state == State.DECISION
        return self

    def decide(self, grant: bool = True, on: str = "2026-02-20", decider: int = DECIDER) -> Outcome:
        return self(Event.DECIDE, grant=grant, on=D(on), decider_id=decider, decider_has_role=True)


def fire_raw(facts: DossierFacts, event: Event, **payload: Any) -> tuple[Refusal, ...]:
    """The refusals of an event fired with exactly this payload (nothing added)."""
    with pytest.raises(GuardRefused) as refused:
        fire(facts, event, payload)
    return refused.value.reasons


def codes(refusals: tuple[Refusal, ...]) -> set[str]:
    return {r.code for r in refusals}


# -- complete dossiers ---------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
def test_grant_with_two_branches(scheme):
    w = Walk(scheme, branches=(1, 2)).into_assessment().pass_all().to_decision()
    found = deadlines(w.facts)
    # 4 months from the first location assessment; 10 werkdagen after the last assessment.
    assert found["window_end"].date == D("2026-06-03")
    assert found["decision_letter_due"].date == D("2026-02-24")
    assert ("provisional_report_expiry" in found) is (scheme == "SC-540")

    outcome = w.decide(grant=True)
    assert outcome.state_after == State.GRANTED
    assert outcome.effects == ("issue_certificate", "send_to_sca_register", "report_result")
    assert set(deadlines(w.facts)) == (
        {"decision_letter_due", "provisional_report_conversion_due"} if scheme == "SC-540" else {"decision_letter_due"}
    )
    assert available_events(w.facts) == []


def test_sc540_provisional_reports_name_the_reading_and_the_text():
    w = Walk("SC-540").into_assessment()
    outcome = w.assess(w.location(1), "2026-02-03")
    expiry = deadlines(w.facts)["provisional_report_expiry"]
    assert expiry.date == D("2026-06-03") and expiry.section == "B §3.5"
    assert "Onze lezing" in expiry.rule
    assert any("03-06-2026" in note and "Niet geschikt voor de aanvraag" in note for note in outcome.notes)
    assert any("tot en met 03-06-2026" in note for note in outcome.notes)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_grant_after_one_extra_location(scheme):
    w = Walk(scheme).into_assessment()
    w.branch(1, "2026-02-02")
    failed = w.assess(w.location(1), "2026-02-03", passed=False)
    assert any("extra projectlocatie" in note for note in failed.notes)
    w.assess(w.location(1), "2026-02-05", containment=True)
    extra = w.location(1, extra=True)
    assert any("kosten van de kandidaat" in note for note in fire(
        replace(w.facts, locations=w.facts.locations[:-1]), Event.REQUEST_EXTRA_LOCATION, {"branch_id": 1}
    ).notes) is (scheme == "SC-530")
    w.assess(extra, "2026-02-12")
    w.to_decision()
    assert w.decide(grant=True).state_after == State.GRANTED


@pytest.mark.parametrize("scheme, notify", [("SC-540", True), ("SC-530", False)])
def test_abort_after_a_failed_extra_location(scheme, notify):
    w = Walk(scheme).into_assessment()
    w.assess(w.location(1), "2026-02-03", passed=False)
    outcome = w.assess(w.location(1, extra=True), "2026-02-12", passed=False)
    assert outcome.state_after == State.ABORTED
    assert outcome.effects[:2] == ("report_result", "abort")
    assert ("notify_provisional_reports_void" in outcome.effects) is notify
    assert any("alle stappen" in note for note in outcome.notes)


def test_abort_for_work_without_sca_permission():
    w = Walk("SC-540").into_assessment()
    location = w.location(1, permit=False)
    refusals = w.refused(Event.RECORD_LOCATION_ASSESSMENT, location_id=location, passed=True, on=D("2026-02-03"),
                         complete_result=True, containment=False, assessor_id=ASSESSOR, representative_reason="x")
    assert codes(refusals) == {"no_sca_permission"}
    assert "SCA" in refusals[0].message and refusals[0].source == "B §3.3.1"
    outcome = w(Event.RECORD_WORK_WITHOUT_PERMISSION, location_id=location)
    # No consented location yet, so no provisional reports to void.
    assert outcome.state_after == State.ABORTED and outcome.effects == ("abort",)


def test_a_second_failed_branch_assessment_aborts():
    w = Walk("SC-530", branches=(1, 2)).into_assessment()
    first = w.branch(2, "2026-02-02", passed=False)
    assert first.state_after == State.ASSESSMENT and first.effects == ("report_result",)
    w.branch(1, "2026-02-02")
    assert codes(w.refused(Event.RECORD_BRANCH_ASSESSMENT, branch_id=1, passed=True, on=D("2026-02-03"),
                           assessor_id=ASSESSOR)) == {"branch_already_passed"}
    second = w.branch(2, "2026-02-09", passed=False)
    assert second.state_after == State.ABORTED and "abort" in second.effects


@pytest.mark.parametrize("scheme, notify", [("SC-540", True), ("SC-530", False)])
def test_refusal(scheme, notify):
    w = Walk(scheme).into_assessment().pass_all().to_decision()
    outcome = w.decide(grant=False)
    assert outcome.state_after == State.REFUSED
    expected = ("report_result", "notify_provisional_reports_void") if notify else ("report_result",)
    assert outcome.effects == expected


def test_a_refusal_is_possible_where_a_grant_is_not():
    w = Walk("SC-540").into_assessment().pass_all().to_decision()
    w.facts = replace(w.facts, locations=w.facts.locations[:1])  # results lost since completion
    refusals = w.refused(Event.DECIDE, grant=True, on=D("2026-02-20"), decider_id=DECIDER, decider_has_role=True)
    assert codes(refusals) == {"too_few_successful_locations", "too_few_complete_results"}
    assert dict(available_events(w.facts))[Event.DECIDE] == ()
    assert w.decide(grant=False).state_after == State.REFUSED


# -- the 4-month window (B/C §3.1.2) ----------------------------------------------------------


def test_lapse_after_four_months():
    w = Walk("SC-540").today("2026-04-20").into_assessment()
    w.branch(1, "2026-03-31")
    w.assess(w.location(1), "2026-03-31")
    w.assess(w.location(1), "2026-04-14")
    w.to_decision()
    assert w.facts.window_end.date == D("2026-07-31")

    w.today("2026-08-03")
    refusals = w.refused(Event.DECIDE, grant=True, on=D("2026-08-03"), decider_id=DECIDER, decider_has_role=True)
    assert codes(refusals) == {"window_lapsed"}
    assert "31-07-2026" in refusals[0].message and "verlopen" in refusals[0].message
    assert dict(available_events(w.facts))[Event.DECIDE][0].code == "window_lapsed"

    w.today("2026-07-31")
    assert codes(w.refused(Event.LAPSE)) == {"window_open"}
    w.today("2026-08-01")
    outcome = w(Event.LAPSE)
    assert outcome.state_after == State.LAPSED
    assert outcome.effects == ("report_result", "notify_provisional_reports_void")
    assert codes(w.refused(Event.DECIDE, grant=True, on=D("2026-07-30"), decider_id=DECIDER,
                           decider_has_role=True)) == {"state"}

    restart = w(Event.RESTART_AFTER_LAPSE, redo_documentation_review=False)
    assert restart.state_after == State.ASSESSMENT and restart.effects == ("reset_assessment_results",)
    assert w.facts.window_end is None and deadlines(w.facts) == {}


def test_restart_after_lapse_may_redo_the_documentation_review():
    facts = replace(new_facts(), state=State.LAPSED, documentation_review_passed=True)
    outcome = fire(facts, Event.RESTART_AFTER_LAPSE, {"redo_documentation_review": True})
    assert outcome.state_after == State.DOCUMENTATION_REVIEW


def test_window_end_is_a_calendar_period():
    location = LocationFacts(1, 1, False, "granted", True, D("2027-10-31"))
    facts = replace(new_facts(), state=State.ASSESSMENT, locations=(location,))
    assert facts.window_end.date == D("2028-02-29")
    assert facts.window_lapsed(D("2028-02-29")) is False and facts.window_lapsed(D("2028-03-01")) is True


def test_location_assessment_after_the_window_is_refused():
    w = Walk("SC-530").today("2026-04-01").into_assessment()
    w.assess(w.location(1), "2026-03-31")
    late = w.location(1)
    w.today("2026-09-01")
    refusals = w.refused(Event.RECORD_LOCATION_ASSESSMENT, location_id=late, passed=True, on=D("2026-08-01"),
                         complete_result=True, containment=True, assessor_id=ASSESSOR, representative_reason="x")
    assert codes(refusals) == {"window_lapsed"} and "31-07-2026" in refusals[0].message


# -- application (A §4.1–§4.2, B/C §3.1) ------------------------------------------------------


@pytest.mark.parametrize("applied_on, blocked", [("2026-11-30", True), ("2026-12-01", True), ("2026-12-02", False)])
def test_rejected_within_12_months_of_a_withdrawal(applied_on, blocked):
    w = Walk("SC-540", applied_on=D(applied_on), today=D(applied_on),
             withdrawals=(Withdrawal(withdrawn_on=D("2025-12-01"), false_information=False),))
    if not blocked:
        assert w(Event.TAKE_INTO_TREATMENT).state_after == State.DOCUMENTATION_REVIEW
        return
    (refusal,) = w.refused(Event.TAKE_INTO_TREATMENT)
    assert refusal.code == "withdrawn_recently" and refusal.source == "A §4.1 b"
    assert "12 maanden" in refusal.message and "(A §4.1 b)" in refusal.message
    assert EVENT_LABELS[Event.REJECT_APPLICATION] in refusal.message and "02-12-2026" in refusal.message
    outcome = w(Event.REJECT_APPLICATION, reason="Certificaat ingetrokken op 2025-12-01.")
    assert outcome.state_after == State.REJECTED and outcome.effects == ("report_result",)
    assert any("A §4.1 b" in note for note in outcome.notes)


@pytest.mark.parametrize("applied_on, blocked", [("2026-03-01", True), ("2026-03-02", False)])
def test_five_year_block_after_false_information(applied_on, blocked):
    withdrawal = Withdrawal(withdrawn_on=D("2021-03-01"), false_information=True)
    facts = new_facts("SC-530", applied_on=D(applied_on), withdrawals=(withdrawal,))
    if not blocked:
        assert fire(facts, Event.TAKE_INTO_TREATMENT).state_after == State.DOCUMENTATION_REVIEW
        return
    with pytest.raises(GuardRefused) as refused:
        fire(facts, Event.TAKE_INTO_TREATMENT)
    # Only the 5-year block speaks: the 12-month one is about other withdrawals.
    assert codes(refused.value.reasons) == {"withdrawn_for_false_information"}
    assert refused.value.reasons[0].source == "A §4.2 e" and "5 jaar" in refused.value.reasons[0].message


def test_the_prior_cki_declaration_and_consent():
    w = Walk("SC-530", prior_declaration=None)
    (refusal,) = w.refused(Event.TAKE_INTO_TREATMENT)
    assert refusal.code == "prior_declaration_missing" and "verklaring" in refusal.message
    assert refusal.source == "A §4.1 a" and "2 jaar" in refusal.message
    w.facts = replace(w.facts, prior_declaration=PriorDeclaration(True, False, APPLIED))
    (refusal,) = w.refused(Event.TAKE_INTO_TREATMENT)
    assert refusal.code == "consent_missing" and "toestemming" in refusal.message
    w.facts = replace(w.facts, prior_declaration=PriorDeclaration(True, True, APPLIED))
    assert w(Event.TAKE_INTO_TREATMENT).state_after == State.DOCUMENTATION_REVIEW


def test_every_branch_is_in_the_application_and_the_applicant_is_informed():
    facts = new_facts("SC-530", branches=(1,), company_branch_ids=frozenset({1, 2}), informed_of_rules=False)
    with pytest.raises(GuardRefused) as refused:
        fire(facts, Event.TAKE_INTO_TREATMENT)
    by_code = {r.code: r for r in refused.value.reasons}
    assert set(by_code) == {"branches_missing", "not_informed_of_rules"}
    assert by_code["branches_missing"].source == "C §3.1.3" and "vestiging 2" in by_code["branches_missing"].message
    assert by_code["not_informed_of_rules"].source == "C §3.1.1"


def test_next_actions_explain_why_not():
    actions = dict(available_events(new_facts("SC-540", prior_declaration=None)))
    assert set(actions) == {Event.TAKE_INTO_TREATMENT, Event.REJECT_APPLICATION, Event.ABORT}
    assert [r.source for r in actions[Event.TAKE_INTO_TREATMENT]] == ["A §4.1 a"]
    assert actions[Event.REJECT_APPLICATION] == () and actions[Event.ABORT] == ()


# -- decision (B §3.6, C §3.5, B/C §2.4) -------------------------------------------------------


def test_decider_who_was_an_assessor_is_refused():
    w = Walk("SC-540").into_assessment()
    w.branch(1, "2026-02-02", assessor=DECIDER)
    w.assess(w.location(1), "2026-02-03")
    w.assess(w.location(1), "2026-02-10", assessor=OTHER_ASSESSOR)
    w.to_decision()
    for grant in (True, False):
        refusals = w.refused(Event.DECIDE, grant=grant, on=D("2026-02-20"), decider_id=DECIDER, decider_has_role=True)
        assert codes(refusals) == {"decider_was_assessor"}
        assert "beoordelaar" in refusals[0].message and refusals[0].source == "B §2.4"
    refusals = w.refused(Event.DECIDE, grant=True, on=D("2026-02-20"), decider_id=123, decider_has_role=False)
    assert codes(refusals) == {"decider_not_appointed"} and refusals[0].source == "B §3.6.1"


def test_the_decision_needs_the_team_leaders_advice():
    w = Walk("SC-530").into_assessment().pass_all()
    w(Event.COMPLETE_ASSESSMENT)
    refusals = w.refused(Event.DECIDE, grant=True, on=D("2026-02-20"), decider_id=DECIDER, decider_has_role=True)
    assert codes(refusals) == {"advice_missing"}
    assert "advies" in refusals[0].message and refusals[0].source == "C §3.5.1"


def test_sc530_without_containment_is_refused_at_completion():
    w = Walk("SC-530").into_assessment().pass_all(containment=False)
    refusals = w.refused(Event.COMPLETE_ASSESSMENT)
    assert codes(refusals) == {"too_few_containment"}
    assert "containment" in refusals[0].message and refusals[0].source == "C §3.2.B.2"
    sc540 = Walk("SC-540").into_assessment().pass_all(containment=False)
    assert sc540(Event.COMPLETE_ASSESSMENT).state_after == State.DECISION


def test_completion_names_every_missing_part():
    w = Walk("SC-540", branches=(1, 2)).into_assessment()
    w.assess(w.location(1), "2026-02-03")
    by_code = {r.code: r for r in w.refused(Event.COMPLETE_ASSESSMENT)}
    assert set(by_code) == {"branch_assessment_missing", "too_few_successful_locations", "too_few_complete_results"}
    assert "Vestiging 1 1 van 2, Vestiging 2 0 van 2" in by_code["too_few_successful_locations"].message
    assert "inventarisatierapporten" in by_code["too_few_complete_results"].message


@pytest.mark.parametrize("scheme, aborts", [("SC-540", True), ("SC-530", False)])
def test_wrong_melding_information(scheme, aborts):
    w = Walk(scheme).into_assessment()
    if aborts:
        assert w(Event.RECORD_WRONG_MELDING_INFORMATION).state_after == State.ABORTED
        return
    (refusal,) = w.refused(Event.RECORD_WRONG_MELDING_INFORMATION)
    assert refusal.code == "not_a_ground_in_scheme" and refusal.source == "C §3.4.2"
    assert dict(available_events(w.facts))[Event.RECORD_WRONG_MELDING_INFORMATION] == (refusal,)


def test_decision_letter_due_across_the_christmas_holidays():
    # From Friday 2026-12-18: 21, 22, 23, 24, (25 Kerstmis, 26-27 weekend) 28, 29, 30, 31,
    # (1 Jan Nieuwjaarsdag, 2-3 weekend) 4, 5 January: the tenth werkdag is 2027-01-05.
    location = LocationFacts(1, 1, False, "granted", True, D("2026-12-18"), True)
    facts = replace(new_facts(), state=State.DECISION, locations=(location,),
                    branches=(BranchFacts(1, "Hoofdvestiging", (True,), D("2026-12-01")),))
    due = deadlines(facts)["decision_letter_due"]
    assert due.date == D("2027-01-05") and due.working_days == 10 and due.section == "B §3.6.1"
    skipped = {day.date: day.reason for day in due.skipped}
    assert {D("2026-12-25"), D("2026-12-26"), D("2027-01-01")} <= skipped.keys()
    assert "Nieuwjaarsdag" in skipped[D("2027-01-01")]


def test_a_later_branch_assessment_is_the_last_assessment():
    location = LocationFacts(1, 1, False, "granted", True, D("2026-02-10"), True)
    facts = replace(new_facts(), state=State.DECISION, locations=(location,),
                    branches=(BranchFacts(1, "Hoofdvestiging", (False, True), D("2026-02-12")),))
    assert facts.last_assessment_on == D("2026-02-12")
    assert deadlines(facts)["decision_letter_due"].date == D("2026-02-26")


# -- project locations (B/C §3.3) --------------------------------------------------------------


def test_location_caps_and_the_single_extra_location():
    w = Walk("SC-540").into_assessment()
    assert codes(w.refused(Event.REQUEST_EXTRA_LOCATION, branch_id=1)) == {"no_failed_location"}
    first, second = w.location(1), w.location(1)
    (cap,) = w.refused(Event.REQUEST_LOCATION, branch_id=1)
    assert cap.code == "location_cap" and EVENT_LABELS[Event.REQUEST_EXTRA_LOCATION] in cap.message
    w.assess(first, "2026-02-03", passed=False)
    w.location(1, extra=True)
    used = {r.code: r for r in w.refused(Event.REQUEST_EXTRA_LOCATION, branch_id=1)}
    assert set(used) == {"extra_location_used", "location_cap_with_extra"}
    assert "extra" in used["extra_location_used"].message.lower()
    assert codes(w.refused(Event.REQUEST_LOCATION, branch_id=9)) == {"branch_unknown"}
    assert second


def test_a_location_sca_refused_does_not_use_up_the_cap():
    w = Walk("SC-530").into_assessment()
    refused_location = w.location(1, permit=False)
    w(Event.RECORD_SCA_PERMISSION, location_id=refused_location, granted=False)
    assert codes(w.refused(Event.RECORD_SCA_PERMISSION, location_id=refused_location, granted=True)) == {
        "permission_already_recorded"}
    w.location(1)
    w.location(1)
    assert codes(w.refused(Event.REQUEST_LOCATION, branch_id=1)) == {"location_cap"}


def test_a_branch_that_can_no_longer_reach_two_successes_is_noted():
    w = Walk("SC-540").into_assessment()
    w.assess(w.location(1), "2026-02-03", passed=False)
    outcome = w.assess(w.location(1), "2026-02-04", passed=False)
    assert outcome.state_after == State.ASSESSMENT
    assert any("niet meer" in note for note in outcome.notes)


def test_location_assessments_are_judged_on_their_input():
    w = Walk("SC-540").into_assessment()
    location = w.location(1)
    good = dict(location_id=location, passed=True, on=D("2026-02-03"), complete_result=True, containment=False,
                assessor_id=ASSESSOR, representative_reason="Groot kantoorpand")
    assert codes(w.refused(Event.RECORD_LOCATION_ASSESSMENT, **{**good, "representative_reason": " "})) == {
        "representative_reason_missing"}
    assert codes(w.refused(Event.RECORD_LOCATION_ASSESSMENT, **{**good, "on": D("2026-03-03")})) == {"date_in_future"}
    assert codes(w.refused(Event.RECORD_LOCATION_ASSESSMENT, **{**good, "on": D("2025-12-31")})) == {
        "date_before_application"}
    assert codes(w.refused(Event.RECORD_LOCATION_ASSESSMENT, **{**good, "location_id": 4242})) == {"location_unknown"}
    w(Event.RECORD_LOCATION_ASSESSMENT, **good)
    assert codes(w.refused(Event.RECORD_LOCATION_ASSESSMENT, **good)) == {"location_already_assessed"}


def test_the_payload_is_checked_before_the_guards():
    w = Walk("SC-540").into_assessment()
    refusals = fire_raw(w.facts, Event.RECORD_BRANCH_ASSESSMENT, branch_id=True, passed=1, on="2026-02-02")
    assert [r.field for r in refusals] == ["branch_id", "passed", "on", "assessor_id", "actor_is_team_leader"]
    assert codes(refusals) == {"invalid_input"}
    assert codes(w.refused(Event.ABORT, reason="  ")) == {"reason_missing"}


def test_events_outside_their_states_are_refused_with_the_state():
    (refusal,) = Walk("SC-530").refused(Event.DECIDE, grant=True)
    assert refusal.code == "state" and STATE_LABELS[State.SUBMITTED] in refusal.message
    assert refusal.source == "C §3"


# -- the declaration ---------------------------------------------------------------------------


def test_the_declaration_is_complete():
    assert set(PAYLOAD_FIELDS) == set(Event) == {t.event for t in TRANSITIONS}
    assert {effect for t in TRANSITIONS for effect in t.effects} == set(EFFECT_LABELS)
    assert set(STATE_LABELS) == set(State) and set(EVENT_LABELS) == set(Event)
    for t in TRANSITIONS:
        assert not t.sources & TERMINAL, t
    # Per event and state the last transition has no condition, so one always applies.
    for event in Event:
        for state in State:
            group = [t for t in TRANSITIONS if t.event == event and state in t.sources]
            assert not group or group[-1].when is None, (event, state)
    reached = {State.SUBMITTED} | {t.target for t in TRANSITIONS if t.target}
    assert reached == set(State)


def test_every_cited_section_is_scheme_data():
    source = Path(dossier.__file__).read_text(encoding="utf-8")
    rules = set(re.findall(r"_section\(facts, [\"'](\w+)[\"']\)", source))
    assert rules
    for code in SCHEMES:
        sections = load_scheme(code, APPLIED).param("initial_certification_sections")
        assert rules <= set(sections), code
    assert "SC-5" not in source  # no scheme is named in the machine


def test_the_diagram_is_generated_from_the_declaration():
    text = mermaid()
    assert text == mermaid() and text.startswith("stateDiagram-v2\n")
    for state in State:
        assert f'state "{STATE_LABELS[state]}" as {state.value}' in text
    assert "decision --> granted: Besluiten (verlenen)" in text
    assert "[*] --> submitted" in text and "granted --> [*]" in text and "lapsed --> [*]" not in text
    # Recording events of a state form one self-loop.
    loops = [(s, t, labels) for s, t, labels in edges() if s == t == State.ASSESSMENT]
    assert len(loops) == 1 and len(loops[0][2]) == 5
    assert dot().startswith("digraph dossier {") and 'granted [label="Verleend", peripheries=2];' in dot()


# -- property: no random sequence grants without every guard -----------------------------------

BRANCH_IDS = (1, 2)


@st.composite
def payloads(draw: st.DrawFn, facts: DossierFacts, event: Event) -> dict[str, Any]:
    """Mostly plausible input, sometimes nonsense."""
    if draw(st.integers(0, 19)) == 0:
        return draw(st.dictionaries(st.sampled_from(["branch_id", "location_id", "passed", "on", "grant"]),
                                    st.one_of(st.none(), st.integers(-1, 3), st.booleans(), st.text(max_size=2))))
    # Prefer the branch or location the event is meant for; keep some that are not.
    fitting = {
        Event.RECORD_SCA_PERMISSION: [loc.id for loc in facts.locations if loc.permission == "requested"],
        Event.RECORD_LOCATION_ASSESSMENT: [loc.id for loc in facts.locations
                                           if loc.permission == "granted" and not loc.assessed],
        Event.RECORD_BRANCH_ASSESSMENT: [b.id for b in facts.branches if not b.passed],
    }.get(event, [])
    any_location = st.sampled_from([loc.id for loc in facts.locations] + [999])
    any_branch = st.sampled_from((*BRANCH_IDS, 3))
    if fitting and draw(st.integers(0, 5)):
        any_location = any_branch = st.sampled_from(fitting)
    mostly_true = st.sampled_from([True] * 7 + [False])
    fields = {
        "reason": st.sampled_from(["Reden", ""]),
        "passed": mostly_true,
        "branch_id": any_branch,
        "location_id": any_location,
        "granted": mostly_true,
        "on": st.integers(0, 6).map(lambda days: facts.today - timedelta(days=days)),
        "assessor_id": st.sampled_from([ASSESSOR, OTHER_ASSESSOR]),
        "actor_is_team_leader": st.booleans(),
        "complete_result": mostly_true,
        "containment": st.booleans(),
        "representative_reason": st.sampled_from(["Representatief", ""]),
        "grant": mostly_true,
        "decider_id": st.sampled_from([DECIDER, DECIDER, ASSESSOR, OTHER_ASSESSOR]),
        "decider_has_role": mostly_true,
        "redo_documentation_review": st.booleans(),
    }
    return {name: draw(fields[name]) for name in PAYLOAD_FIELDS[event]}


def assert_grant_was_earned(facts: DossierFacts, payload: dict[str, Any]) -> None:
    scheme = facts.scheme
    assert facts.state == State.DECISION
    assert payload["decider_has_role"] is True and payload["decider_id"] not in facts.assessor_ids
    assert facts.team_leader_advice
    assert facts.window_end is not None and payload["on"] <= facts.window_end.date
    needed = scheme.param("min_successful_location_assessments_per_branch")
    for branch in facts.branches:
        assert True in branch.branch_results
        passed = [loc for loc in facts.locations_of(branch.id) if loc.result is True]
        assert len(passed) >= needed
        assert all(loc.permission == "granted" for loc in passed)
    complete = [loc for loc in facts.locations if loc.result is True and loc.complete_result]
    assert len(complete) >= scheme.param("min_complete_results")
    if scheme.has("min_containment_location_assessments"):
        assert sum(1 for loc in facts.locations if loc.assessed and loc.containment) >= scheme.param(
            "min_containment_location_assessments")
    assert not any(loc.extra and loc.result is False for loc in facts.locations)


#: Events that end a dossier early; a walk that takes them often never reaches a decision.
ENDINGS = frozenset({Event.ABORT, Event.REJECT_APPLICATION, Event.RECORD_WORK_WITHOUT_PERMISSION,
                     Event.RECORD_WRONG_MELDING_INFORMATION})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scheme=st.sampled_from(SCHEMES), branches=st.sampled_from([(1,), BRANCH_IDS]), data=st.data())
def test_no_sequence_of_events_grants_without_every_guard(scheme, branches, data):
    facts = new_facts(scheme, branches=branches, today=APPLIED)
    for _ in range(data.draw(st.integers(25, 70), label="steps")):
        facts = replace(facts, today=facts.today + timedelta(days=data.draw(st.integers(0, 3))))
        allowed = [event for event, refusals in available_events(facts) if not refusals]
        progress = [event for event in allowed if event not in ENDINGS]
        # Mostly what the UI offers to move on, sometimes anything: both must keep the rules.
        roll = data.draw(st.integers(0, 39))
        pool = progress if progress and roll > 1 else allowed if allowed and roll == 1 else list(Event)
        event = data.draw(st.sampled_from(pool))
        payload = data.draw(payloads(facts, event))
        try:
            outcome = fire(facts, event, payload)
        except GuardRefused as refused:
            assert refused.reasons and all(r.message and r.source for r in refused.reasons)
            assert not re.search(r"\d{4}-\d{2}-\d{2}", str(refused))  # a person reads it: 31-07-2026
            continue
        assert facts.state not in TERMINAL
        assert any(t.event == event and facts.state in t.sources
                   and (t.target or facts.state) == outcome.state_after for t in TRANSITIONS)
        assert not any(re.search(r"\d{4}-\d{2}-\d{2}", note) for note in outcome.notes)
        if outcome.state_after == State.GRANTED:
            assert_grant_was_earned(facts, payload)
        facts = record(facts, event, payload, outcome)
    hypothesis_event(f"ended in {facts.state.value}")
