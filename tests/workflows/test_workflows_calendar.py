"""Working-day calendar (RULES.md §1): concrete dates, explanations and properties."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from dateutil.easter import easter
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.calendar import (
    CALENDAR_BASIS,
    Deadline,
    OutOfCalendarRange,
    WorkingDayCalendar,
    add_months,
    common_practice_calendar,
    deadline,
    legal_calendar,
)

D = date.fromisoformat
cal = legal_calendar()


# -- which days are not working days ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2026-05-05", "Bevrijdingsdag (Atw art. 3)"),  # not a lustrum year: still not a working day
        ("2025-05-05", "Bevrijdingsdag (Atw art. 3)"),
        ("2026-05-14", "Hemelvaartsdag (Atw art. 3)"),
        ("2026-04-03", "Goede Vrijdag (Atw art. 3 lid 2)"),
        ("2026-04-06", "Tweede Paasdag (Atw art. 3)"),
        ("2026-05-25", "Tweede Pinksterdag (Atw art. 3)"),
        ("2026-04-27", "Koningsdag (Atw art. 3)"),
        ("2025-04-26", "Koningsdag (Atw art. 3)"),  # 27 April 2025 is a Sunday
        ("2026-01-01", "Nieuwjaarsdag (Atw art. 3)"),
        ("2025-12-25", "Eerste Kerstdag (Atw art. 3)"),
        ("2025-12-26", "Tweede Kerstdag (Atw art. 3)"),
        ("2026-11-21", "Zaterdag"),
        ("2026-11-22", "Zondag"),
    ],
)
def test_non_working_days_and_their_reasons(day, reason):
    assert not cal.is_working_day(D(day))
    assert cal.reason(D(day)) == reason


@pytest.mark.parametrize("day", ["2026-05-15", "2026-01-02", "2023-04-28", "2028-05-26"])
def test_declared_days_name_article_3_lid_3_and_their_decree(day):
    reason = cal.reason(D(day))
    assert reason.startswith("Gelijkgestelde dag")
    assert "Atw art. 3 lid 3; Besluit gelijkstelling" in reason


@pytest.mark.parametrize("day", ["2026-05-04", "2027-04-26", "2026-05-13", "2026-11-25"])
def test_days_never_added_by_pattern_are_working_days(day):
    # 2026-05-04 and 2027-04-26 would be "bridge days" by pattern, but no decree declares them.
    assert cal.is_working_day(D(day))
    assert cal.reason(D(day)) is None


def test_koningsdag_2025_is_the_26th_and_the_27th_is_just_a_sunday():
    assert cal.reason(D("2025-04-26")) == "Koningsdag (Atw art. 3)"
    assert cal.reason(D("2025-04-27")) == "Zondag"


def test_atw_only_days_are_classified_apart_from_general_holidays():
    atw_only = {d: cal.non_working_day(D(d)).atw_only for d in [
        "2026-04-03",  # Goede Vrijdag
        "2026-05-05",  # 5 May, not a lustrum year
        "2026-05-15",  # declared bridge day
        "2025-05-05",  # 5 May in a lustrum year: general
        "2026-05-14",  # Hemelvaartsdag
        "2026-11-21",  # Saturday
    ]}
    assert atw_only == {
        "2026-04-03": True, "2026-05-05": True, "2026-05-15": True,
        "2025-05-05": False, "2026-05-14": False, "2026-11-21": False,
    }


def test_common_practice_calendar_works_only_the_atw_only_days():
    practice = common_practice_calendar()
    for day in ["2026-04-03", "2026-05-05", "2026-05-15", "2026-01-02"]:
        assert practice.is_working_day(D(day))
    for day in ["2025-05-05", "2026-05-14", "2026-12-25", "2026-11-21"]:
        assert not practice.is_working_day(D(day))


def test_the_basis_is_labelled_as_an_analogy_with_the_atw():
    assert "naar analogie van de Algemene termijnenwet" in CALENDAR_BASIS


# -- arithmetic on concrete dates ------------------------------------------------------


def test_a_saturday_start_counts_the_first_working_day_after_it_as_day_one():
    assert cal.add(D("2026-11-21"), 3) == D("2026-11-25")
    assert [d.to_dict() for d in cal.skipped(D("2026-11-21"), D("2026-11-25"))] == [
        {"date": "2026-11-22", "reason": "Zondag"}
    ]


def test_the_start_never_counts_even_on_a_working_day():
    assert cal.add(D("2026-11-23"), 1) == D("2026-11-24")
    assert cal.add(D("2026-11-23"), 0) == D("2026-11-23")
    assert cal.add(D("2026-11-21"), 0) == D("2026-11-21")  # add(d, 0) keeps d, documented


def test_ascension_and_its_declared_bridge_day_are_both_skipped():
    assert cal.add(D("2026-05-13"), 1) == D("2026-05-18")
    assert [d.date for d in cal.skipped(D("2026-05-13"), D("2026-05-18"))] == [
        D("2026-05-14"), D("2026-05-15"), D("2026-05-16"), D("2026-05-17")
    ]


def test_christmas_and_new_year_with_the_declared_2_january():
    assert cal.add(D("2025-12-24"), 1) == D("2025-12-29")
    assert cal.add(D("2025-12-31"), 1) == D("2026-01-05")
    assert cal.subtract(D("2026-01-05"), 2) == D("2025-12-30")
    reasons = [d.reason for d in cal.skipped(D("2025-12-31"), D("2026-01-05"))]
    assert reasons[0] == "Nieuwjaarsdag (Atw art. 3)"
    assert reasons[1].startswith("Gelijkgestelde dag")
    assert reasons[2:] == ["Zaterdag", "Zondag"]


def test_subtract_is_the_nth_working_day_before():
    assert cal.subtract(D("2026-05-07"), 2) == D("2026-05-04")  # over 5 May
    assert cal.subtract(D("2026-05-07"), 1) == D("2026-05-06")
    assert cal.add(D("2026-05-07"), -2) == D("2026-05-04")


def test_count_between_is_signed_and_half_open():
    assert cal.count_between(D("2026-11-21"), D("2026-11-25")) == 3  # (a, b]
    assert cal.count_between(D("2026-11-25"), D("2026-11-21")) == -2  # -[b, a): Mon 23, Tue 24
    assert cal.count_between(D("2026-11-25"), D("2026-11-23")) == -2
    assert cal.count_between(D("2026-05-13"), D("2026-05-18")) == 1
    assert cal.count_between(D("2026-05-13"), D("2026-05-13")) == 0


def test_non_working_days_lists_an_inclusive_range():
    days = cal.non_working_days(D("2026-05-14"), D("2026-05-17"))
    assert [d.date for d in days] == [D("2026-05-14"), D("2026-05-15"), D("2026-05-16"), D("2026-05-17")]
    assert cal.non_working_days(D("2026-05-17"), D("2026-05-14")) == []


def test_roll_forward_moves_only_non_working_days():
    assert cal.roll_forward(D("2026-05-05")) == D("2026-05-06")
    assert cal.roll_forward(D("2026-05-06")) == D("2026-05-06")


def test_calendar_months_are_not_moved_off_weekends():
    assert add_months(D("2027-10-31"), 4) == D("2028-02-29")
    assert add_months(D("2026-01-31"), 4) == D("2026-05-31")  # a Sunday, stays


# -- range, bad input ------------------------------------------------------------------


def test_out_of_range_is_a_clear_value_error():
    with pytest.raises(OutOfCalendarRange, match="1990–2100"):
        cal.add(D("1989-12-31"), 1)
    with pytest.raises(ValueError):
        cal.add(D("2100-12-30"), 5)
    with pytest.raises(OutOfCalendarRange):
        cal.subtract(D("1990-01-03"), 5)
    with pytest.raises(OutOfCalendarRange):
        cal.is_working_day(D("2101-01-01"))


def test_datetimes_are_refused_so_a_utc_time_never_passes_as_a_date():
    with pytest.raises(TypeError, match="Europe/Amsterdam"):
        cal.add(datetime(2026, 5, 4, 23, 30), 1)
    with pytest.raises(TypeError):
        cal.add("2026-05-04", 1)


# -- a CKI's own adjustments -----------------------------------------------------------


def test_cki_adjustments_change_a_planning_calendar_but_never_the_legal_one():
    planning = WorkingDayCalendar(
        extra_closed={D("2026-11-23"): "CKI gesloten (personeelsdag)"},
        extra_open={D("2026-04-03")},
    )
    assert planning.add(D("2026-11-21"), 3) == D("2026-11-26")
    assert planning.reason(D("2026-11-23")) == "CKI gesloten (personeelsdag)"
    assert planning.is_working_day(D("2026-04-03"))
    assert legal_calendar().add(D("2026-11-21"), 3) == D("2026-11-25")
    assert not legal_calendar().is_working_day(D("2026-04-03"))


def test_a_cki_closing_day_on_a_holiday_keeps_the_statutory_reason():
    planning = WorkingDayCalendar(extra_closed={D("2026-05-14"): "CKI gesloten"})
    assert planning.reason(D("2026-05-14")) == "Hemelvaartsdag (Atw art. 3)"


def test_a_day_cannot_be_both_closed_and_open():
    with pytest.raises(ValueError, match="both closed and open"):
        WorkingDayCalendar(extra_closed={D("2026-06-01"): "x"}, extra_open={D("2026-06-01")})


# -- explained deadlines ---------------------------------------------------------------


def test_deadline_explains_itself():
    result = deadline(D("2026-05-13"), 3, rule="SC-540 B §8.2.1 a: 3 werkdagen", scheme="SC-540", section="B §8.2.1 a")
    assert result == Deadline(
        date=D("2026-05-20"),
        rule="SC-540 B §8.2.1 a: 3 werkdagen",
        scheme="SC-540",
        section="B §8.2.1 a",
        working_days=3,
        skipped=tuple(cal.skipped(D("2026-05-13"), D("2026-05-20"))),
        warnings=(),
    )
    as_dict = result.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["date"] == "2026-05-20"
    assert as_dict["skipped"][0] == {"date": "2026-05-14", "reason": "Hemelvaartsdag (Atw art. 3)"}
    assert len(as_dict["skipped"]) == 4


def test_dates_past_the_last_decree_carry_a_warning():
    assert cal.last_declared_year == 2028
    late = deadline(D("2028-12-20"), 10, rule="r")
    assert late.date == D("2029-01-08")
    (warning,) = late.warnings
    assert warning.startswith("Geen besluit gelijkstelling (Atw art. 3 lid 3) bekend voor 2029")
    assert deadline(D("2026-05-13"), 3, rule="r").warnings == ()
    # Before the first decree in the data the calendar says so too.
    (early,) = deadline(D("2020-03-02"), 3, rule="r").warnings
    assert early.startswith("Voor 2020 zijn geen besluiten gelijkstelling")


# -- properties ------------------------------------------------------------------------

# Keep every computed date well inside 1990–2100.
days = st.dates(min_value=date(1992, 1, 1), max_value=date(2098, 12, 31))
offsets = st.integers(min_value=-400, max_value=400)
positive = st.integers(min_value=1, max_value=400)


@given(days, offsets.filter(bool))
def test_results_are_always_working_days(d, n):
    assert cal.is_working_day(cal.add(d, n))


@given(days, positive)
def test_subtract_undoes_add(d, n):
    back = cal.subtract(cal.add(d, n), n)
    # From a non-working day, the way back ends on the last working day before it.
    assert back == (d if cal.is_working_day(d) else cal.subtract(d, 1))


@given(days, positive)
def test_add_undoes_subtract(d, n):
    forward = cal.add(cal.subtract(d, n), n)
    assert forward == (d if cal.is_working_day(d) else cal.add(d, 1))


@given(days, offsets)
def test_add_is_strictly_increasing_in_n(d, n):
    assert cal.add(d, n + 1) > cal.add(d, n)


@given(days, offsets)
def test_count_between_inverts_add(d, n):
    assert cal.count_between(d, cal.add(d, n)) == n


@given(days, offsets.filter(bool))
def test_skipped_days_are_exactly_the_non_working_days_passed(d, n):
    result = cal.add(d, n)
    lo, hi = min(d, result), max(d, result)
    between = [lo + timedelta(days=k) for k in range(1, (hi - lo).days)]
    assert [x.date for x in cal.skipped(d, result)] == [x for x in between if not cal.is_working_day(x)]


# -- an independent reference ----------------------------------------------------------
#
# Built from RULES.md §1 with dateutil's Easter, not from the holidays package or the data
# files, and stepping one day at a time.

DECLARED = {D(x) for x in ["2023-04-28", "2023-05-19", "2024-05-10", "2024-12-27", "2025-05-30",
                           "2026-01-02", "2026-05-15", "2027-05-07", "2028-04-28", "2028-05-26"]}


def reference_holidays(year: int) -> set[date]:
    e = easter(year)
    kings = date(year, 4, 27) if year >= 2014 else date(year, 4, 30)  # Koninginnedag before 2014
    if kings.weekday() == 6:
        kings -= timedelta(days=1)
    return {
        date(year, 1, 1), e - timedelta(days=2), e + timedelta(days=1), kings, date(year, 5, 5),
        e + timedelta(days=39), e + timedelta(days=50), date(year, 12, 25), date(year, 12, 26),
    } | {d for d in DECLARED if d.year == year}


REFERENCE_CLOSED = set().union(*(reference_holidays(y) for y in range(1990, 2101)))


def reference_is_working(d: date) -> bool:
    return d.weekday() < 5 and d not in REFERENCE_CLOSED


def reference_add(d: date, n: int) -> date:
    step = 1 if n > 0 else -1
    while n:
        d += timedelta(days=step)
        if reference_is_working(d):
            n -= step
    return d


def test_every_day_1990_to_2100_matches_the_reference_classification():
    day, last = date(1990, 1, 1), date(2100, 12, 31)
    mismatches = []
    while day <= last:
        if cal.is_working_day(day) != reference_is_working(day):
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []


@settings(max_examples=300)
@given(days, offsets)
def test_index_agrees_with_a_day_by_day_reference(d, n):
    assert cal.add(d, n) == reference_add(d, n)
