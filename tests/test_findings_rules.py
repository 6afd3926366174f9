"""A finding's procedure as a pure machine on concrete dates across Dutch holidays (RULES.md §1, §6):
each step's deadline from the actual completion of the step before it, SC-530 T3 target and limit,
outcomes that close or lead to a withdrawal proposal, flags for staff, a B raised to A."""
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.findings import (
    FindingState,
    FindingStatus,
    category_procedure,
    complete,
    flags,
    overdue_b,
    timeline,
)

D = date.fromisoformat
FOUND = D("2026-04-23")  # a Thursday; Koningsdag (27 April), 5 May and Ascension (14, 15 May) follow


def due(views, step):
    view = next(v for v in views if v.step == step)
    return view.deadline.due.date if view.deadline.due else None


def test_categories_name_their_procedure_as_scheme_data():
    assert category_procedure("SC-540", "A", on=FOUND) == "category_a"
    assert category_procedure("SC-530", "B", on=FOUND) == "non_a"
    assert category_procedure("SC-540", "remark", on=FOUND) is None
    with pytest.raises(ValueError):
        category_procedure("SC-540", "IV", on=FOUND)


def test_sc540_category_a_closed_at_t4_with_every_step_on_another_day_than_planned():
    state = FindingState("SC-540", "category_a", FOUND)
    today = D("2026-06-30")
    assert due(timeline(state, today), "T1") == D("2026-04-29")  # Koningsdag is not a werkdag
    state = complete(state, "T1", D("2026-04-28"), today=today)  # a day early
    assert due(timeline(state, today), "T2") == D("2026-05-01")  # from the actual T1, not the planned one
    state = complete(state, "T2", D("2026-04-30"), today=today)
    assert due(timeline(state, today), "T3") == D("2026-05-19")  # 5 May, 14 and 15 May are skipped
    state = complete(state, "T3", D("2026-05-12"), today=today)
    assert due(timeline(state, today), "T4") == D("2026-05-19")
    with pytest.raises(ValueError, match="uitkomst"):
        complete(state, "T4", D("2026-05-18"), today=today)
    state = complete(state, "T4", D("2026-05-18"), "complies", today=today)
    assert state.status == FindingStatus.CLOSED
    views = timeline(state, today)
    assert [v.status for v in views[:4]] == ["on_time"] * 4
    assert [v.reached for v in views] == [True, True, True, True, False, False]


def test_sc530_t3_target_and_limit_and_a_withdrawal_proposal_at_t6():
    state = FindingState("SC-530", "category_a", FOUND)
    today = D("2026-08-31")
    state = complete(state, "T1", D("2026-04-29"), today=today)
    assert due(timeline(state, today), "T2") == D("2026-05-06")
    state = complete(state, "T2", D("2026-05-06"), today=today)
    t3 = next(v for v in timeline(state, today) if v.step == "T3")
    assert (t3.deadline.due.date, t3.deadline.limit.date) == (D("2026-05-22"), D("2026-05-29"))  # 10 and 14
    assert t3.deadline.note  # the reading is shown with the SC-530 timeline
    state = complete(state, "T3", D("2026-05-27"), today=today)
    assert next(v for v in timeline(state, today) if v.step == "T3").status == "past_target"  # a warning only
    state = complete(state, "T4", D("2026-06-02"), "warning", today=today)
    assert state.status == FindingStatus.OPEN
    state = complete(state, "T5", D("2026-06-19"), today=today)
    state = complete(state, "T6", D("2026-06-24"), "not_effective", today=today)
    assert state.status == FindingStatus.WITHDRAWAL_PROPOSED  # a proposal: nothing is withdrawn here


def test_the_projected_timeline_runs_from_the_projected_step_before():
    views = timeline(FindingState("SC-540", "category_a", FOUND), D("2026-04-23"))
    assert [v.projected for v in views] == [False, True, True, True, True, True]
    assert due(views, "T2") == D("2026-05-04")  # 29 April + 3 werkdagen: 30 April, 1 May, 4 May
    assert views[-1].deadline.due.date > views[-2].deadline.due.date


def test_steps_are_refused_out_of_order_in_the_future_or_before_what_they_follow():
    state = FindingState("SC-540", "category_a", FOUND)
    today = D("2026-05-31")
    with pytest.raises(ValueError, match="volgende stap is T1"):
        complete(state, "T2", D("2026-04-24"), today=today)
    with pytest.raises(ValueError, match="toekomst"):
        complete(state, "T1", D("2026-06-01"), today=today)
    with pytest.raises(ValueError, match="vóór de stap ervoor"):
        complete(state, "T1", D("2026-04-22"), today=today)
    state = complete(state, "T1", D("2026-04-28"), today=today)
    with pytest.raises(ValueError, match="vóór de stap ervoor"):
        complete(state, "T2", D("2026-04-27"), today=today)
    assert complete(state, "T2", D("2026-04-28"), today=today).completions[-1].on == D("2026-04-28")  # same day is fine
    with pytest.raises(ValueError, match="geen uitkomst"):
        complete(state, "T2", D("2026-04-29"), "complies", today=today)


def test_a_missed_t2_and_an_unanswered_at_once_are_flagged_for_staff():
    state = complete(FindingState("SC-540", "category_a", FOUND), "T1", D("2026-04-28"), today=D("2026-04-28"))
    assert flags(state, D("2026-05-01")) == []  # T2's last day
    assert "niet op tijd" in flags(state, D("2026-05-04"))[0]
    b530 = complete(FindingState("SC-530", "non_a", FOUND), "N1", D("2026-04-24"), today=D("2026-04-24"))
    assert "direct" in flags(b530, D("2026-04-24"))[0]  # SC-530: "at once" has no term: staff decide
    assert not overdue_b(b530, D("2026-06-01"))  # no term in werkdagen: never raised by the clock


def test_a_b_not_handled_in_its_term_becomes_an_a():
    state = complete(FindingState("SC-540", "non_a", FOUND), "N1", D("2026-04-28"), today=D("2026-04-28"))
    assert due(timeline(state, D("2026-04-28")), "N2") == D("2026-05-01")
    assert not overdue_b(state, D("2026-05-01"))
    assert overdue_b(state, D("2026-05-04"))
    answered = complete(state, "N2", D("2026-05-01"), today=D("2026-05-04"))
    assert not overdue_b(answered, D("2026-05-04"))
    # N3 has no term: effectiveness at the next periodic audit; done, the B is closed
    assert complete(answered, "N3", D("2026-09-01"), today=D("2026-09-01")).status == FindingStatus.CLOSED


@given(st.dates(min_value=date(2010, 1, 1), max_value=date(2080, 12, 31)),
       st.lists(st.integers(0, 6), min_size=6, max_size=6), st.sampled_from(["SC-540", "SC-530"]))
def test_every_deadline_follows_the_actual_completion_before_it(found, delays, scheme):
    state, today = FindingState(scheme, "category_a", found), date(2090, 1, 1)
    on = found
    for step, delay in zip(("T1", "T2", "T3", "T4"), delays, strict=False):
        view = next(v for v in timeline(state, today) if v.step == step)
        assert view.deadline.due.date > on  # never due on or before the day it starts from
        on = date.fromordinal(on.toordinal() + delay)
        state = complete(state, step, on, "warning" if step == "T4" else None, today=today)
    views = timeline(state, today)
    for before, after in zip(views, views[1:], strict=False):
        if before.completed_on and after.deadline.due:
            assert after.deadline.due.date > before.completed_on


def test_a_missed_t5_lets_the_cki_go_on_to_t6_as_the_scheme_says():
    state = FindingState("SC-540", "category_a", FOUND)
    today = D("2026-09-30")
    for name, on, outcome in (("T1", "2026-04-28", None), ("T2", "2026-04-30", None), ("T3", "2026-05-12", None),
                              ("T4", "2026-05-18", "warning")):
        state = complete(state, name, D(on), outcome, today=today)
    with pytest.raises(ValueError, match="volgende stap is T5"):  # T5's term still runs
        complete(state, "T6", D("2026-06-01"), "not_effective", today=D("2026-06-01"))
    assert "de CKI zet nu T6" in flags(state, D("2026-06-03"))[0]
    with pytest.raises(ValueError, match="vóór de stap ervoor"):  # not dated before T5's last day
        complete(state, "T6", D("2026-06-01"), "not_effective", today=D("2026-06-03"))
    done = complete(state, "T6", D("2026-06-03"), "not_effective", today=D("2026-06-03"))
    assert done.status == FindingStatus.WITHDRAWAL_PROPOSED


def test_terms_after_2028_carry_the_calendars_warning():
    from workflows.rules import zienswijze_deadline

    assert zienswijze_deadline("SC-540", D("2028-12-20")).warnings
    assert not zienswijze_deadline("SC-540", D("2026-04-21")).warnings
