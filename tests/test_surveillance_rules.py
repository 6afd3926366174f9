"""The surveillance programme as pure rules (RULES.md §3–§4): periods from the grant, Table 1 and
Table 4.3 per period, catch-up, recertification, assignment checks, man-days and fees."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.rules import certificate_valid_until
from workflows.surveillance import (
    AssignmentFacts,
    AuditKind,
    BranchFigures,
    answer_problems,
    assignment_problems,
    catch_up_decision,
    coverage,
    fee_estimate,
    period_of,
    periods,
    programme,
    progress,
    report_transition,
    submit_problems,
)

HEAD = 1


def cert_periods(scheme, issued):
    valid_until = certificate_valid_until(scheme, issued).date
    return periods(scheme, issued, valid_until), valid_until


# -- periods -----------------------------------------------------------------------------

def test_periods_from_a_grant_on_29_february():
    ps, valid_until = cert_periods("SC-540", date(2024, 2, 29))
    assert valid_until == date(2027, 2, 28)
    assert [(p.start, p.end) for p in ps] == [
        (date(2024, 2, 29), date(2025, 2, 27)),
        (date(2025, 2, 28), date(2026, 2, 27)),
        # the day the leap-day grant leaves over belongs to the last period, not a period of its own
        (date(2026, 2, 28), date(2027, 2, 28)),
    ]


def test_periods_from_a_grant_on_31_january():
    ps, valid_until = cert_periods("SC-530", date(2026, 1, 31))
    assert [(p.start, p.end) for p in ps] == [
        (date(2026, 1, 31), date(2027, 1, 30)),
        (date(2027, 1, 31), date(2028, 1, 30)),
        (date(2028, 1, 31), date(2029, 1, 30)),
    ]
    assert valid_until == date(2029, 1, 30)


@given(st.dates(min_value=date(2008, 1, 1), max_value=date(2090, 12, 31)), st.sampled_from(["SC-540", "SC-530"]))
def test_periods_tile_the_validity_without_gap_or_overlap(issued, scheme):
    ps, valid_until = cert_periods(scheme, issued)
    assert len(ps) == 3
    assert ps[0].start == issued and ps[-1].end == valid_until
    for a, b in zip(ps, ps[1:], strict=False):
        assert b.start == a.end + timedelta(days=1)
        assert b.index == a.index + 1
    for p in ps:
        assert 364 <= (p.end - p.start).days <= 366
    assert period_of(ps, issued).index == 1
    assert period_of(ps, valid_until).index == 3
    assert period_of(ps, valid_until + timedelta(days=1)) is None
    assert period_of(ps, issued - timedelta(days=1)) is None


# -- the programme -----------------------------------------------------------------------

def lines(prog):
    return {(line.branch_id, line.kind): line for line in prog.lines}


def test_table_1_per_branch_across_periods_from_a_leap_day_grant():
    ps, valid_until = cert_periods("SC-540", date(2024, 2, 29))
    branches = [BranchFigures(HEAD, "Hoofdvestiging", head_office=True, figures={"avg_dia": 3, "avg_reports": 400}),
                BranchFigures(7, "Filiaal Zwolle", figures={"avg_dia": 1, "avg_reports": 1100})]
    first = programme("SC-540", ps[0], branches, valid_until=valid_until, last=False)
    got = lines(first)
    # head office: DIA 3 is row 2 (6 = 4 regular + 2 result-oriented), reports 400 row 1: DIA decides
    assert (got[HEAD, AuditKind.REGULAR].required, got[HEAD, AuditKind.RESULT_ORIENTED].required) == (4, 2)
    # branch: 1100 reports takes the higher row (9 = 6 + 3)
    assert (got[7, AuditKind.REGULAR].required, got[7, AuditKind.RESULT_ORIENTED].required) == (6, 3)
    assert got[HEAD, AuditKind.REGULAR].unannounced and not got[HEAD, AuditKind.RESULT_ORIENTED].unannounced
    assert got[HEAD, AuditKind.BRANCH].required == 1 and got[7, AuditKind.BRANCH].files_to_review == 4
    assert first.due_by == date(2025, 2, 27)
    assert any("12 maanden vóór de verlening" in r for r in first.readings)
    # man-days: 2 branch audits × 1 + 15 location audits × 0.5
    assert first.man_days == 2 * 1 + 15 * 0.5

    second = programme("SC-540", ps[1], branches, valid_until=valid_until, last=False)
    assert second.period.start == date(2025, 2, 28) and second.due_by == date(2026, 2, 27)
    assert not any("12 maanden vóór de verlening" in r for r in second.readings)


def test_table_4_3_per_certificate_with_the_warnings():
    ps, valid_until = cert_periods("SC-530", date(2026, 1, 31))
    branches = [BranchFigures(HEAD, "Hoofdvestiging", head_office=True, figures={"project_days": 241}, works=12),
                BranchFigures(3, "Filiaal")]
    got = lines(programme("SC-530", ps[1], branches, valid_until=valid_until, last=False))
    assert got[HEAD, AuditKind.LOCATION].required == 8 and got[HEAD, AuditKind.LOCATION].unannounced
    assert (3, AuditKind.LOCATION) not in got  # SC-530 counts once for the certificate
    assert got[3, AuditKind.BRANCH].required == 1

    few = programme("SC-530", ps[0], [BranchFigures(HEAD, "H", head_office=True, figures={"project_days": 34.5}, works=6)],
                    valid_until=valid_until, last=False)
    assert lines(few)[HEAD, AuditKind.LOCATION].required == 6
    assert any("35 projectdagen" in w for w in few.warnings)
    assert any("6 werken" in w and "minimaal 7" in w for w in few.warnings)
    assert any("voor de 12 maanden vóór de verlening" in r for r in few.readings)
    enough = programme("SC-530", ps[0], [BranchFigures(HEAD, "H", head_office=True, figures={"project_days": 140.5}, works=7)],
                       valid_until=valid_until, last=False)
    assert lines(enough)[HEAD, AuditKind.LOCATION].required == 6 and not enough.warnings
    assert lines(programme("SC-530", ps[0], [BranchFigures(HEAD, "H", head_office=True, figures={"project_days": 141}, works=7)],
                           valid_until=valid_until, last=False))[HEAD, AuditKind.LOCATION].required == 7


def test_missing_figures_plan_the_branch_audit_and_say_what_is_missing():
    ps, valid_until = cert_periods("SC-540", date(2026, 3, 15))
    prog = programme("SC-540", ps[0], [BranchFigures(HEAD, "H", head_office=True)], valid_until=valid_until, last=False)
    assert [line.kind for line in prog.lines] == [AuditKind.BRANCH]
    assert any("ontbreken" in w for w in prog.warnings)


def test_last_period_due_three_months_before_expiry_unless_not_continuing():
    ps, valid_until = cert_periods("SC-540", date(2026, 3, 15))
    figures = [BranchFigures(HEAD, "H", head_office=True, figures={"avg_dia": 1, "avg_reports": 10})]
    last = programme("SC-540", ps[2], figures, valid_until=valid_until, last=True)
    assert valid_until == date(2029, 3, 14)
    assert last.due_by == date(2028, 12, 14) and "B §5" in last.due_rule
    stopping = programme("SC-540", ps[2], figures, valid_until=valid_until, last=True, not_continuing=True)
    assert stopping.due_by == date(2029, 3, 14)
    assert any("niet voort te zetten" in r for r in stopping.readings)


def test_carried_in_shortfall_adds_to_the_line_and_unknown_lines_are_refused():
    ps, valid_until = cert_periods("SC-540", date(2026, 3, 15))
    figures = [BranchFigures(HEAD, "H", head_office=True, figures={"avg_dia": 1, "avg_reports": 10})]
    prog = programme("SC-540", ps[1], figures, valid_until=valid_until, last=False,
                     carried_in={(HEAD, AuditKind.REGULAR): 2})
    assert lines(prog)[HEAD, AuditKind.REGULAR].total == 3 + 2
    orphan = programme("SC-540", ps[1], figures, valid_until=valid_until, last=False,
                       carried_in={(99, AuditKind.REGULAR): 1})
    assert any("ingehaald tekort (1 beoordelingen)" in w for w in orphan.warnings)
    # without figures the carried-in shortfall still stands
    bare = programme("SC-540", ps[1], [BranchFigures(HEAD, "H", head_office=True)], valid_until=valid_until,
                     last=False, carried_in={(HEAD, AuditKind.REGULAR): 2})
    assert (lines(bare)[HEAD, AuditKind.REGULAR].required, lines(bare)[HEAD, AuditKind.REGULAR].total) == (0, 2)
    headless = programme("SC-540", ps[1], [BranchFigures(5, "X", figures={"avg_dia": 1, "avg_reports": 1})],
                         valid_until=valid_until, last=False)
    assert any("geen hoofdvestiging" in w and "X telt als hoofdvestiging" in w for w in headless.warnings)
    assert lines(headless)[5, AuditKind.BRANCH].required == 1


def test_progress_counts_planned_done_to_plan_moved_and_behind():
    ps, valid_until = cert_periods("SC-540", date(2026, 3, 15))
    prog = programme("SC-540", ps[0], [BranchFigures(HEAD, "H", head_office=True, figures={"avg_dia": 1, "avg_reports": 10})],
                     valid_until=valid_until, last=False)
    planned, done = {(HEAD, AuditKind.REGULAR): 1}, {(HEAD, AuditKind.REGULAR): 1}

    def at(day, moved=None):
        return {p.line.kind: p for p in progress(prog, planned, done, day, moved)}

    during = at(date(2026, 9, 1))
    regular = during[AuditKind.REGULAR]
    assert (regular.done, regular.planned, regular.to_plan, regular.behind) == (1, 1, 1, 0)
    assert during[AuditKind.BRANCH].to_plan == 1
    assert at(prog.due_by)[AuditKind.REGULAR].behind == 0  # the planned one may still happen today
    after = at(prog.due_by + timedelta(days=1))
    assert (after[AuditKind.REGULAR].behind, after[AuditKind.REGULAR].to_plan) == (2, 0)  # planned no longer counts
    moved = at(prog.due_by + timedelta(days=1), {(HEAD, AuditKind.REGULAR): 2})[AuditKind.REGULAR]
    assert (moved.moved, moved.behind) == (2, 0)
    before = at(prog.period.start - timedelta(days=1))
    assert all(p.to_plan == 0 and p.behind == 0 for p in before.values())


# -- catch-up ----------------------------------------------------------------------------

def test_catch_up_once_in_any_four_consecutive_periods():
    on = date(2026, 1, 1)
    assert catch_up_decision("SC-540", 1, [], on=on).allowed
    for later in (2, 3, 4):
        refused = catch_up_decision("SC-540", later, [1], on=on)
        assert not refused.allowed and refused.propose_withdrawal, later
        assert "periode 1" in refused.reason and "beslisser" in refused.reason
    assert catch_up_decision("SC-540", 5, [1], on=on).allowed
    # sliding: a use in 5 sees the earlier use in 2 (window 2..5)
    assert not catch_up_decision("SC-530", 5, [2], on=on).allowed
    # asking again for the same period is not a second use
    assert catch_up_decision("SC-530", 3, [3], on=on).allowed


@given(st.lists(st.integers(1, 30), unique=True), st.integers(1, 30))
def test_catch_up_allowed_exactly_when_no_use_within_the_window(uses, period):
    allowed = catch_up_decision("SC-540", period, uses, on=date(2026, 1, 1)).allowed
    assert allowed == all(abs(period - u) >= 4 for u in uses if u != period)


# -- assignment --------------------------------------------------------------------------

DAY = date(2027, 3, 10)


def facts(**kw):
    base = dict(name="A. Auditor", is_assessor=True, qualifications=[("SC-540", date(2026, 1, 1), date(2027, 12, 31))],
                declarations=[(date(2026, 1, 5), True)], location_audits_that_day=0)
    return AssignmentFacts(**{**base, **kw})


def test_assignment_allowed_when_qualified_declared_and_within_cap():
    assert assignment_problems("SC-540", DAY, facts(), location=True) == []


def test_assignment_refused_for_qualification():
    expired = facts(qualifications=[("SC-540", date(2024, 1, 1), DAY - timedelta(days=1))])
    assert "niet geldig op 10-03-2027" in assignment_problems("SC-540", DAY, expired, location=True)[0]
    other_scheme = facts(qualifications=[("SC-530", date(2024, 1, 1), None)])
    assert "geen kwalificatie" in assignment_problems("SC-540", DAY, other_scheme, location=True)[0]
    assert assignment_problems("SC-540", DAY, facts(qualifications=[("SC-540", DAY, DAY)]), location=True) == []
    assert "rol beoordelaar" in assignment_problems("SC-540", DAY, facts(is_assessor=False), location=False)[0]


def test_assignment_refused_for_conflict_of_interest():
    assert "geen verklaring" in assignment_problems("SC-540", DAY, facts(declarations=[]), location=True)[0]
    assert assignment_problems("SC-540", DAY, facts(declarations=[(DAY, True)]), location=True) == []
    later = facts(declarations=[(DAY + timedelta(days=1), True)])
    assert "geen verklaring" in assignment_problems("SC-540", DAY, later, location=True)[0]
    conflict = facts(declarations=[(date(2026, 1, 5), True), (date(2027, 1, 5), False)])
    assert "belang" in assignment_problems("SC-540", DAY, conflict, location=True)[0]
    cleared = facts(declarations=[(date(2026, 1, 5), False), (date(2027, 1, 5), True)])
    assert assignment_problems("SC-540", DAY, cleared, location=True) == []


def test_assignment_refused_for_the_daily_cap():
    two = facts(location_audits_that_day=2)
    assert "ten hoogste 2 per dag" in assignment_problems("SC-540", DAY, two, location=True)[0]
    assert assignment_problems("SC-540", DAY, two, location=True, close_locations=True) == []
    assert "ten hoogste 3" in assignment_problems("SC-540", DAY, facts(location_audits_that_day=3), location=True,
                                                  close_locations=True)[0]
    # SC-530 knows no exception for close locations
    sc530 = facts(qualifications=[("SC-530", date(2026, 1, 1), None)], location_audits_that_day=2)
    assert assignment_problems("SC-530", DAY, sc530, location=True, close_locations=True)
    assert assignment_problems("SC-540", DAY, two, location=False) == []  # a branch audit is not a location audit
    assert assignment_problems("SC-540", DAY, facts(location_audits_that_day=1), location=True) == []
    # the third only when the two already planned are recorded as close too
    not_close = facts(location_audits_that_day=2, others_close=False)
    assert assignment_problems("SC-540", DAY, not_close, location=True, close_locations=True)


# -- fees --------------------------------------------------------------------------------

def test_fee_estimate_and_the_legal_cap():
    fee = fee_estimate("SC-540", 9.5, Decimal("182"), on=DAY)
    assert fee.hours == 76 and fee.amount == Decimal("13832.00")
    with pytest.raises(ValueError, match="182"):
        fee_estimate("SC-540", 1, Decimal("182.01"), on=DAY)
    with pytest.raises(ValueError, match="negatief"):
        fee_estimate("SC-540", 1, Decimal("-1"), on=DAY)


# -- reports -----------------------------------------------------------------------------

ITEMS = [{"key": "a", "clause": "C §7", "text": "Meldingen"}, {"key": "b", "clause": "C §4.2", "text": "Dossiers"}]


def test_answers_are_checked_line_by_line():
    ok = {"a": {"outcome": "finding", "category": "A", "evidence": "Geen melding gedaan."}, "b": {"outcome": "conform"}}
    assert answer_problems("SC-530", ITEMS, ok, on=DAY) == {}
    assert "categorie" in answer_problems("SC-530", ITEMS, {"a": {"outcome": "finding", "evidence": "x"}}, on=DAY)["a"]
    assert "bewijs" in answer_problems("SC-530", ITEMS, {"a": {"outcome": "finding", "category": "B",
                                                             "evidence": "  "}}, on=DAY)["a"]
    assert "Alleen" in answer_problems("SC-530", ITEMS, {"a": {"outcome": "conform", "category": "B"}}, on=DAY)["a"]
    assert "niet op de checklist" in answer_problems("SC-530", ITEMS, {"z": {"outcome": "conform"}}, on=DAY)["z"]
    assert "Onbekende" in answer_problems("SC-530", ITEMS, {"a": {"outcome": "maybe"}}, on=DAY)["a"]
    assert answer_problems("SC-530", ITEMS, {"a": {}}, on=DAY) == {}  # unanswered is fine in a draft
    assert submit_problems(ITEMS, {"a": {"outcome": "conform"}}) == ["Regel C §4.2 (Dossiers) is nog niet ingevuld."]
    assert submit_problems(ITEMS, {"a": {"outcome": "conform"}, "b": {"outcome": "not_applicable"}}) == []


def test_report_transitions():
    assert report_transition("draft", "submit") == "submitted"
    assert report_transition("returned", "submit") == "submitted"
    assert report_transition("submitted", "approve") == "final"
    assert report_transition("submitted", "return") == "returned"
    for status, action in (("draft", "approve"), ("final", "submit"), ("final", "return"), ("returned", "approve")):
        with pytest.raises(ValueError):
            report_transition(status, action)


def test_coverage_per_clause_and_period():
    rows = {r.clause: r for r in coverage(["C §7", "C §4.2", "C §7"], [(1, "C §7"), (3, "C §7"), (4, "C §7"),
                                                                        (2, "elders")], 3)}
    assert list(rows) == ["C §7", "C §4.2"]
    assert rows["C §7"].per_period == (1, 0, 1) and rows["C §7"].covered
    assert rows["C §4.2"].per_period == (0, 0, 0) and not rows["C §4.2"].covered
