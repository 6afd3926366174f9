"""Scheme rules (RULES.md §2–§6) on concrete dates and numbers, computed by hand."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.rules import (
    LogbookEntry,
    MeldingStatus,
    StepStatus,
    category_a_timeline,
    certificate_valid_until,
    decision_letter_due,
    four_month_window_end,
    location_audits,
    location_audits_sc530,
    location_audits_sc540,
    melding_check,
    melding_deadline,
    next_step_deadline,
    non_a_timeline,
    objection_deadline,
    project_days,
    provisional_report_conversion_due,
    provisional_report_expiry,
    reapplication_allowed_from,
    recertification_due,
)
from workflows.schemes import UnknownParameter, UnknownScheme

D = date.fromisoformat


def roundtrips(obj) -> dict:
    """``to_dict()`` output is plain JSON."""
    as_dict = obj.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    return as_dict


# -- category A (B/C §8.2.1) -----------------------------------------------------------
#
# From Tuesday 2026-04-28. Not working: 2 May (Sat) 3 (Sun), 5 (Bevrijdingsdag), 9–10,
# 14 (Hemelvaart), 15 (declared), 16–17, 23–24, 25 (Tweede Pinksterdag), 30–31 May, and
# the weekends of June.


def test_category_a_timeline_sc540_from_2026_04_28():
    timeline = category_a_timeline("SC-540", D("2026-04-28"))
    rows = [(s.step, s.actor, s.working_days, s.cumulative, s.due) for s in timeline.steps]
    assert rows == [
        ("T1", "cki", 3, 3, D("2026-05-01")),
        ("T2", "company", 3, 6, D("2026-05-07")),
        ("T3", "cki", 10, 16, D("2026-05-26")),
        ("T4", "cki", 3, 19, D("2026-05-29")),
        ("T5", "company", 10, 29, D("2026-06-12")),
        ("T6", "cki", 3, 32, D("2026-06-17")),
    ]
    assert timeline.total_working_days == timeline.total_working_days_by_limits == 32
    assert timeline.end == timeline.end_by_limits == D("2026-06-17")
    assert all(s.limit_working_days is None for s in timeline.steps)
    t2 = timeline.steps[1]
    assert [d.date for d in t2.skipped] == [D("2026-05-02"), D("2026-05-03"), D("2026-05-05")]
    assert t2.source == "B §8.2.1 b"
    as_dict = roundtrips(timeline)
    assert "limit_due" not in as_dict["steps"][2]


def test_category_a_timeline_sc530_shows_target_and_limit_for_t3():
    timeline = category_a_timeline("SC-530", D("2026-04-28"))
    rows = [(s.step, s.working_days, s.cumulative, s.due) for s in timeline.steps]
    assert rows == [
        ("T1", 4, 4, D("2026-05-04")),
        ("T2", 4, 8, D("2026-05-11")),
        ("T3", 10, 18, D("2026-05-28")),
        ("T4", 4, 22, D("2026-06-03")),
        ("T5", 14, 36, D("2026-06-23")),
        ("T6", 4, 40, D("2026-06-29")),
    ]
    t3 = roundtrips(timeline)["steps"][2]
    assert (t3["limit_working_days"], t3["limit_due"]) == (14, "2026-06-03")
    assert (timeline.total_working_days, timeline.end) == (40, D("2026-06-29"))
    assert (timeline.total_working_days_by_limits, timeline.end_by_limits) == (44, D("2026-07-03"))
    # The note on 10 vs 14 goes wherever the SC-530 timeline goes.
    assert any("14" in note and "10" in note and "40" in note and "44" in note for note in timeline.notes)


def test_a_cki_may_set_its_own_target_within_the_limit():
    timeline = category_a_timeline("SC-530", D("2026-04-28"), targets={"T3": 12})
    t3 = timeline.steps[2]
    assert (t3.working_days, t3.due, t3.limit_due) == (12, D("2026-06-01"), D("2026-06-03"))
    assert timeline.total_working_days == 42
    assert any("T3" in note and "12" in note for note in timeline.notes)

    stricter = category_a_timeline("SC-540", D("2026-04-28"), targets={"T3": 8})
    assert (stricter.steps[2].working_days, stricter.steps[2].limit_working_days) == (8, 10)

    for bad in ({"T3": 15}, {"T3": 0}, {"T9": 3}, {"T3": "10"}):
        with pytest.raises(ValueError):
            category_a_timeline("SC-530", D("2026-04-28"), targets=bad)


def test_next_step_runs_from_the_actual_completion_of_the_step_before():
    t1 = next_step_deadline("SC-540", "T1", D("2026-11-21"))  # finding on a Saturday
    assert t1.due.date == D("2026-11-25")
    assert t1.due.rule == "SC-540 B §8.2.1 a: 3 werkdagen"
    assert t1.limit is None

    t3 = next_step_deadline("SC-530", "T3", D("2026-05-11"))
    assert (t3.due.date, t3.limit.date) == (D("2026-05-28"), D("2026-06-03"))
    assert t3.status(D("2026-05-28")) is StepStatus.ON_TIME
    assert t3.status(D("2026-05-29")) is StepStatus.PAST_TARGET  # a warning only
    assert t3.status(D("2026-06-03")) is StepStatus.PAST_TARGET
    assert t3.status(D("2026-06-04")) is StepStatus.OVERDUE
    assert roundtrips(t3)["limit"]["rule"].endswith("14 werkdagen (uiterste grens)")

    with pytest.raises(ValueError):
        next_step_deadline("SC-540", "T7", D("2026-05-11"))


def test_non_a_procedure():
    sc540 = non_a_timeline("SC-540", D("2026-04-28"))
    assert [(s.step, s.due) for s in sc540.steps] == [
        ("N1", D("2026-05-06")), ("N2", D("2026-05-11")), ("N3", None)
    ]
    sc530 = non_a_timeline("SC-530", D("2026-04-28"))
    assert [(s.step, s.working_days, s.due) for s in sc530.steps] == [
        ("N1", 5, D("2026-05-06")), ("N2", None, None), ("N3", None, None)
    ]
    assert "Per direct" in sc530.steps[1].note
    at_once = next_step_deadline("SC-530", "N2", D("2026-05-06"), procedure="non_a")
    assert at_once.due is None and at_once.status(D("2026-05-07")) is StepStatus.NO_TERM


# -- meldingen (B/C §7.1) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "channel", "latest"),
    [
        ("2026-05-07", "email", "2026-05-04"),  # over Bevrijdingsdag
        ("2026-05-19", "email", "2026-05-13"),  # over Hemelvaart and the declared 15 May
        ("2026-05-19", "fax", "2026-05-08"),
        ("2026-05-19", "portal", "2026-05-13"),  # portal and API count as e-mail
        ("2026-05-19", "api", "2026-05-13"),
        ("2026-12-28", "email", "2026-12-23"),  # over Christmas
        ("2026-01-05", "email", "2025-12-30"),  # over New Year and the declared 2 January
    ],
)
def test_melding_deadlines_across_holidays(start, channel, latest):
    result = melding_deadline("SC-530", D(start), channel)
    assert result.date == D(latest)
    assert result.working_days == -(5 if channel == "fax" else 2)


def test_melding_deadline_explains_itself():
    result = roundtrips(melding_deadline("SC-540", D("2026-05-19"), "portal"))
    assert result["rule"].startswith("SC-540 B §7.1: melding per email (portal telt als email) uiterlijk 2 werkdagen")
    assert [d["date"] for d in result["skipped"]] == ["2026-05-14", "2026-05-15", "2026-05-16", "2026-05-17"]


def test_a_melding_late_only_by_a_declared_bridge_day_is_accepted_with_a_warning():
    # Latest 2026-05-13; counting the declared 15 May as a working day it would be 15 May.
    check = melding_check("SC-530", D("2026-05-19"), D("2026-05-14"), "email")
    assert check.status is MeldingStatus.LATE_ATW_ONLY
    assert check.latest.date == D("2026-05-13")
    assert check.latest_if_atw_only_days_worked == D("2026-05-15")
    assert [d.date for d in check.atw_only_days] == [D("2026-05-15")]
    assert "15-05-2026" in check.message
    assert roundtrips(check)["status"] == "late_atw_only"


def test_melding_on_time_late_only_by_5_may_and_late():
    assert melding_check("SC-540", D("2026-05-07"), D("2026-05-04"), "email").status is MeldingStatus.ON_TIME
    assert melding_check("SC-540", D("2026-05-07"), D("2026-05-05"), "email").status is MeldingStatus.LATE_ATW_ONLY
    late = melding_check("SC-540", D("2026-05-07"), D("2026-05-06"), "email")
    assert late.status is MeldingStatus.LATE
    assert "04-05-2026" in late.message


def test_a_melding_late_over_general_holidays_is_refused():
    # Christmas is a general holiday: no leniency.
    check = melding_check("SC-530", D("2026-12-28"), D("2026-12-24"), "email")
    assert check.status is MeldingStatus.LATE
    assert check.latest_if_atw_only_days_worked == D("2026-12-23")


def test_melding_bad_input():
    with pytest.raises(ValueError, match="unknown melding channel"):
        melding_deadline("SC-540", D("2026-05-19"), "pigeon")
    with pytest.raises(TypeError):
        melding_check("SC-540", D("2026-05-19"), datetime(2026, 5, 12, 9), "email")
    with pytest.raises(UnknownScheme):
        melding_deadline("SC-999", D("2026-05-19"), "email")


# -- location audits (B §4.3 Tabel 1, C §4.3.1 Tabel 4.3) --------------------------------


@pytest.mark.parametrize(
    ("dia", "reports", "total", "regular", "result_oriented"),
    [
        (1, 499, 4, 3, 1),
        (2, 0, 4, 3, 1),
        (2.01, 0, 6, 4, 2),
        (1, 500, 6, 4, 2),
        (1, 1099, 6, 4, 2),
        (1, 1100, 9, 6, 3),  # 1100 is printed in two rows: the higher one
        (1, 1600, 9, 6, 3),
        (1, 1601, 12, 8, 4),
        (8, 0, 9, 6, 3),
        (8.5, 0, 12, 8, 4),
        (0, 0, 4, 3, 1),
    ],
)
def test_table_1_boundaries(dia, reports, total, regular, result_oriented):
    plan = location_audits_sc540(dia, reports)
    assert (plan.total, plan.counts["regular"], plan.counts["result_oriented"]) == (total, regular, result_oriented)


def test_table_1_the_higher_criterion_decides_and_says_so():
    by_dia = location_audits_sc540(9, 100)
    assert (by_dia.total, by_dia.decided_by, by_dia.row) == (12, ("avg_dia",), 4)
    by_reports = location_audits_sc540(1, 1200)
    assert (by_reports.total, by_reports.decided_by) == (9, ("avg_reports",))
    both = location_audits_sc540(4, 600)
    assert (both.total, both.decided_by) == (6, ("avg_dia", "avg_reports"))
    as_dict = roundtrips(by_reports)
    assert (as_dict["total"], as_dict["regular"], as_dict["result_oriented"]) == (9, 6, 3)
    assert as_dict["row"] == {"id": 3, "printed": "DIA 6–8 | 1100–1600 rapporten"}
    assert as_dict["source"] == "SC-540 B §4.3, Tabel 1"
    assert any("1100" in r and "hogere rij" in r for r in as_dict["readings"])


@pytest.mark.parametrize(
    ("days", "total"),
    [(35, 6), (140, 6), (140.5, 6), (141, 7), (240.5, 7), (241, 8), (440, 8), (441, 9),
     (640, 9), (641, 10), (840, 10), (841, 11), (5000, 11)],
)
def test_table_4_3_boundaries(days, total):
    plan = location_audits_sc530(days, works=10)
    assert plan.total == total
    assert plan.warnings == ()
    assert set(plan.counts) == {"total"}


@pytest.mark.parametrize("days", [34, 0, 34.5])
def test_below_35_project_days_plans_six_and_warns(days):
    plan = location_audits_sc530(days, works=10)
    assert plan.total == 6
    (warning,) = plan.warnings
    assert "35" in warning


def test_table_4_3_warns_on_fewer_than_7_works_and_notes_the_first_period():
    plan = location_audits_sc530(300, works=6, first_period=True)
    assert plan.total == 8
    assert any("6 werken" in w and "minimaal 7" in w for w in plan.warnings)
    assert any("Eerste periode" in r for r in plan.readings)
    assert location_audits_sc530(300, works=7).warnings == ()


def test_location_audit_input_checks():
    for bad in (-1, float("nan"), float("inf"), "12", True):
        with pytest.raises(ValueError):
            location_audits_sc540(bad, 10)
        with pytest.raises(ValueError):
            location_audits_sc530(bad)
    with pytest.raises(ValueError, match="avg_dia"):
        location_audits("SC-540", {"avg_dia": 1})
    for bad_works in (-1, 6.5, True):
        with pytest.raises(ValueError):
            location_audits_sc530(100, works=bad_works)


# -- project days (C §4.3.1 c–d) -------------------------------------------------------


def entry(project, worker, start, end, *, activity="removal", ppe=True, day="2026-03-02"):
    return {"project": project, "worker": worker, "date": D(day), "start": time.fromisoformat(start),
            "end": time.fromisoformat(end), "activity": activity, "ppe": ppe}


def test_overlapping_workers_count_as_the_union_of_their_intervals():
    result = project_days([
        entry("A", "w1", "08:00", "10:00"),
        entry("A", "w2", "09:00", "12:00"),  # overlaps w1
        entry("A", "w3", "13:00", "15:00", activity="packing"),
    ])
    (row,) = result.rows
    assert (row.hours, row.project_days) == (6.0, 1)  # 08–12 and 13–15, not 2 + 3 + 2
    assert result.total == 1


def test_containment_and_work_without_ppe_are_not_counted():
    result = project_days([
        entry("A", "w1", "07:00", "10:00", activity="containment"),
        entry("A", "w2", "10:00", "12:00", activity="waste_transport"),
        entry("A", "w3", "08:00", "14:00", ppe=False),
        entry("A", "w4", "12:00", "15:00", activity="cleanup"),
    ])
    (row,) = result.rows
    assert (row.hours, row.project_days) == (3.0, 0.5)


def test_thresholds_three_hours_is_half_a_day_and_less_is_nothing():
    result = project_days([
        entry("A", "w1", "08:00", "11:00"),
        entry("B", "w1", "08:00", "10:59"),
        entry("C", "w1", "07:00", "12:59", day="2026-03-03"),
        entry("C", "w1", "07:00", "13:00", day="2026-03-04"),
    ])
    assert [(r.project, r.date, r.project_days) for r in result.rows] == [
        ("A", D("2026-03-02"), 0.5),
        ("B", D("2026-03-02"), 0),
        ("C", D("2026-03-03"), 0.5),
        ("C", D("2026-03-04"), 1),
    ]
    assert result.total == 2
    assert result.works == 2  # B counted nothing


def test_two_projects_on_one_day_are_two_project_days_three_workers_on_one_are_one():
    two = project_days([entry("A", "w1", "08:00", "14:00"), entry("B", "w2", "08:00", "14:00")])
    assert two.total == 2
    one = project_days([entry("A", w, "08:00", "14:00") for w in ("w1", "w2", "w3")])
    assert one.total == 1
    assert roundtrips(two)["rows"] == [
        {"project": "A", "date": "2026-03-02", "hours": 6.0, "project_days": 1},
        {"project": "B", "date": "2026-03-02", "hours": 6.0, "project_days": 1},
    ]


def test_logbook_entries_may_be_dataclasses_or_mappings():
    e = LogbookEntry("A", "w1", D("2026-03-02"), time(8), time(14), "removal", True)
    assert project_days([e]).total == project_days([entry("A", "w1", "08:00", "14:00")]).total == 1


def test_bad_logbook_entries_are_named():
    with pytest.raises(ValueError, match=r"logbook entry 2 \(project A, worker w2, 2026-03-02\).*not after start"):
        project_days([entry("A", "w1", "08:00", "10:00"), entry("A", "w2", "22:00", "02:00")])
    with pytest.raises(ValueError, match="unknown activity 'lunch'"):
        project_days([entry("A", "w1", "08:00", "10:00", activity="lunch")])
    with pytest.raises(ValueError, match="lacks"):
        project_days([{"project": "A"}])
    with pytest.raises(UnknownParameter):
        project_days([entry("A", "w1", "08:00", "14:00")], scheme="SC-540")


# -- calendar periods and other deadlines ----------------------------------------------


@pytest.mark.parametrize(
    ("issued", "valid_until"),
    [("2026-03-15", "2029-03-14"), ("2024-02-29", "2027-02-28"), ("2026-01-01", "2028-12-31")],
)
def test_certificate_valid_until(issued, valid_until):
    for scheme in ("SC-540", "SC-530"):
        assert certificate_valid_until(scheme, D(issued)).date == D(valid_until)


def test_period_deadlines_explain_themselves_and_are_not_moved_off_weekends():
    valid = roundtrips(certificate_valid_until("SC-540", D("2026-03-15")))
    assert valid["rule"].startswith("SC-540 B §3.7: geldig tot en met (uitgiftedatum − 1 dag) + 3 jaar")
    assert valid["working_days"] is None

    assert recertification_due("SC-530", D("2029-03-14")).date == D("2028-12-14")
    window = four_month_window_end("SC-530", D("2027-10-31"))
    assert (window.date, window.section) == (D("2028-02-29"), "C §3.1.2")
    assert provisional_report_expiry("SC-540", D("2026-01-31")).date == D("2026-05-31")  # a Sunday
    assert provisional_report_conversion_due("SC-540", D("2026-02-10")).date == D("2026-06-10")
    with pytest.raises(UnknownParameter):
        provisional_report_expiry("SC-530", D("2026-01-31"))


def test_decision_letter_due_ten_working_days_after_the_last_assessment():
    due = decision_letter_due("SC-530", D("2026-05-13"))
    assert due.date == D("2026-06-01")  # over Hemelvaart, 15 May and Tweede Pinksterdag
    assert due.rule.startswith("SC-530 C §3.5.2:")
    assert decision_letter_due("SC-540", D("2026-05-13")).section == "B §3.6.1"


@pytest.mark.parametrize(
    ("sent", "due", "extended_over"),
    [
        ("2026-03-23", "2026-05-04", []),
        ("2026-03-24", "2026-05-06", ["2026-05-05"]),  # ends on Bevrijdingsdag
        ("2026-04-03", "2026-05-18", ["2026-05-15", "2026-05-16", "2026-05-17"]),
    ],
)
def test_objection_term_six_weeks_extended_by_atw_article_1(sent, due, extended_over):
    result = objection_deadline("SC-540", D(sent))
    assert result.date == D(due)
    assert [d.date.isoformat() for d in result.skipped] == extended_over


def test_reapplication_blocks():
    assert reapplication_allowed_from("SC-540", D("2025-03-01")).date == D("2026-03-02")
    five = reapplication_allowed_from("SC-530", D("2025-03-01"), false_information=True)
    assert (five.date, five.section) == (D("2030-03-02"), "A §4.2 e")


# -- which 12 months plan a period's location audits (RULES.md §4) ---------------------------

@pytest.mark.parametrize("grant, on, first, last", [
    (date(2025, 1, 5), date(2026, 11, 24), date(2025, 1, 5), date(2026, 1, 4)),   # second period: the first
    (date(2025, 1, 5), date(2026, 1, 4), date(2024, 1, 5), date(2025, 1, 4)),     # last day of the first period
    (date(2025, 1, 5), date(2026, 1, 5), date(2025, 1, 5), date(2026, 1, 4)),     # first day of the second
    (date(2024, 2, 29), date(2026, 3, 1), date(2025, 2, 28), date(2026, 2, 27)),  # a grant on 29 February
    (date(2024, 2, 29), date(2024, 2, 29), date(2023, 2, 28), date(2024, 2, 28)),  # ... its first day
])
def test_previous_period_counts_from_the_grant(grant, on, first, last):
    from workflows.rules import previous_period

    assert previous_period("SC-530", grant, on)[:2] == (first, last)


def test_without_a_grant_the_twelve_months_up_to_today():
    from workflows.rules import previous_period

    assert previous_period("SC-530", None, date(2026, 11, 24))[:2] == (date(2025, 11, 24), date(2026, 11, 23))


@given(grant=st.dates(date(2008, 1, 1), date(2085, 12, 31)), days=st.integers(0, 3650))  # schemes in force
def test_previous_period_is_the_twelve_months_before_the_period_running_on_that_day(grant, days):
    from workflows.calendar import add_period
    from workflows.rules import previous_period

    on = grant + timedelta(days=days)
    first, last, _ = previous_period("SC-530", grant, on)
    current = last + timedelta(days=1)
    # twelve months up to the current period, no gap (a day more before a 29 February grant)
    assert add_period(first, months=12) <= current <= add_period(first, months=12) + timedelta(days=1)
    assert current in {add_period(grant, months=12 * k) for k in range(12)}  # a grant anniversary
    assert current <= on < add_period(current, months=12)  # the period running on that day
