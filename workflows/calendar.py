"""Working-day (werkdag) calendar for every term in the certification schemes.

A day is not a working day when it is a Saturday, a Sunday, a holiday named by the
Algemene termijnenwet (Atw) art. 3 or a day declared equal to one (art. 3 lid 3). The Atw
does not define "werkdagen" itself; we apply it *by analogy* (RULES.md §1), and say so in
:data:`CALENDAR_BASIS` for the UI.

The definition is data: ``data/atw.json`` (which ``holidays.NL`` names count and how they
read) and ``data/declared_days.json`` (the declaration decrees). ``holidays.NL`` alone is
not this calendar: it has 5 May only in lustrum years and no declared days.

Legal deadlines must use :func:`legal_calendar`. A calendar built with a CKI's own closing
or opening days is for planning views only: such days never move a legal deadline.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

import holidays
from dateutil.relativedelta import relativedelta

from workflows.text import nl_date

__all__ = [
    "CALENDAR_BASIS",
    "CalendarDataError",
    "Deadline",
    "NonWorkingDay",
    "OutOfCalendarRange",
    "WorkingDayCalendar",
    "add_months",
    "add_period",
    "common_practice_calendar",
    "deadline",
    "legal_calendar",
]


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((files(__package__) / "data" / name).read_text(encoding="utf-8"))
    return data


_ATW = _load("atw.json")
_DECLARED = _load("declared_days.json")

#: How the calendar is defined, for the UI and documents (RULES.md §1: label the analogy).
CALENDAR_BASIS: str = _ATW["basis"]




class OutOfCalendarRange(ValueError):
    """A date, or a date computed from it, lies outside the years the calendar covers."""


class CalendarDataError(RuntimeError):
    """The calendar data files, or the ``holidays`` package, say something we cannot use."""


@dataclass(frozen=True, slots=True)
class NonWorkingDay:
    """A day that is not a working day, with the reason and its legal source.

    ``atw_only`` marks a weekday that only the Atw makes non-working and that is commonly
    worked (Goede Vrijdag, 5 May outside lustrum years, declared bridge days). It matters
    for direction: such days lengthen the CKI's forward terms but shorten a company's
    backward melding window (RULES.md §1).
    """

    date: date
    reason: str
    atw_only: bool = False

    def to_dict(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed date that explains itself: rule, source and every non-working day skipped.

    ``working_days`` is the signed offset that produced ``date`` (negative: before the
    start, as in a melding lead time) or ``None`` for calendar periods (months, years).
    A deadline ends at 23:59:59 Europe/Amsterdam on ``date``.
    """

    date: date
    rule: str
    scheme: str | None
    section: str | None
    working_days: int | None
    skipped: tuple[NonWorkingDay, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "rule": self.rule,
            "scheme": self.scheme,
            "section": self.section,
            "working_days": self.working_days,
            "skipped": [day.to_dict() for day in self.skipped],
            "warnings": list(self.warnings),
        }


def _weekday(ordinal: int) -> int:
    # date(1, 1, 1), ordinal 1, is a Monday (weekday 0).
    return (ordinal - 1) % 7


def _join(parts: list[NonWorkingDay], day: date, *, weekend: bool) -> NonWorkingDay:
    """One entry for a day named by several rules (5 May on Hemelvaartsdag)."""
    reason = "; ".join(dict.fromkeys(part.reason for part in parts))
    # A day is Atw-only when no general rule names it; on a weekend the flag is moot.
    atw_only = not weekend and all(part.atw_only for part in parts)
    return NonWorkingDay(day, reason, atw_only)


@cache
def _statutory_days(first_year: int, last_year: int) -> Mapping[int, NonWorkingDay]:
    """Atw art. 3 holidays and declared days, keyed by ordinal.

    Saturdays and Sundays as such are added by the calendar; a holiday on a weekend is here
    so that its statutory reason wins over "Zaterdag"/"Zondag".
    """
    found: dict[date, list[NonWorkingDay]] = {}

    def note(day: date, reason: str, atw_only: bool) -> None:
        found.setdefault(day, []).append(NonWorkingDay(day, reason, atw_only))

    package = _ATW["holidays_package"]
    names, ignored = package["names"], package["ignored"]
    package_days = holidays.country_holidays(
        package["country"], years=range(first_year, last_year + 1), language=package["language"]
    )
    for day in sorted(package_days):
        for name in package_days.get_list(day):
            if name in ignored:
                continue
            if name not in names:
                # Fail loudly: a new name after a package upgrade must not silently move deadlines.
                raise CalendarDataError(
                    f"holidays.NL names {name!r} on {day}; map it in workflows/data/atw.json"
                )
            note(day, names[name]["reason"], names[name]["atw_only"])

    for rule in _ATW["every_year"]:
        for year in range(first_year, last_year + 1):
            general = year % rule["general_in_years_divisible_by"] == 0
            note(date(year, rule["month"], rule["day"]), rule["reason"], not general)

    for decree in _DECLARED["decrees"]:
        for entry in decree["days"]:
            day = date.fromisoformat(entry["date"])
            if first_year <= day.year <= last_year:
                note(day, entry["reason"], True)

    weekend = {int(k) for k in _ATW["weekend"]}
    return {
        day.toordinal(): _join(parts, day, weekend=day.weekday() in weekend)
        for day, parts in found.items()
    }


def _declared_years() -> tuple[int, int]:
    covered = [year for decree in _DECLARED["decrees"] for year in decree["covers_years"]]
    return min(covered), max(covered)


class WorkingDayCalendar:
    """Working days (werkdagen) over a range of years, with O(1) arithmetic.

    The constructor precomputes, for every date in range, the index of the working day at
    or before it (``floor``) and at or after it (``ceil``) in the sorted list of working
    days; ``add``, ``subtract`` and ``count_between`` are then a few list look-ups.

    ``extra_closed`` and ``extra_open`` are a CKI's own adjustments (closing days, a worked
    holiday). They are for planning views only: legal deadlines use :func:`legal_calendar`.
    ``atw_only_working`` treats the Atw-only days as working days; see
    :func:`common_practice_calendar`.
    """

    def __init__(
        self,
        *,
        extra_closed: Mapping[date, str] | None = None,
        extra_open: Iterable[date] = (),
        atw_only_working: bool = False,
        first_year: int | None = None,
        last_year: int | None = None,
    ) -> None:
        default_first, default_last = _ATW["supported_years"]
        self.first_year = default_first if first_year is None else first_year
        self.last_year = default_last if last_year is None else last_year
        if self.first_year > self.last_year:
            raise ValueError(f"first_year {self.first_year} is after last_year {self.last_year}")
        self.first_declared_year, self.last_declared_year = _declared_years()
        self._lo = date(self.first_year, 1, 1).toordinal()
        self._hi = date(self.last_year, 12, 31).toordinal()

        extra_closed = dict(extra_closed or {})
        extra_open = set(extra_open)
        if both := sorted(extra_open & extra_closed.keys()):
            raise ValueError(f"dates both closed and open: {', '.join(map(str, both))}")
        for day in [*extra_closed, *extra_open]:
            self._check(day)

        closed = self._closed_days(atw_only_working)
        for day, reason in extra_closed.items():
            # A statutory reason stays: it is the stronger explanation.
            closed.setdefault(day.toordinal(), NonWorkingDay(day, reason))
        for day in extra_open:
            closed.pop(day.toordinal(), None)
        self._closed = closed
        self._closed_ordinals = sorted(closed)

        # _work[k] is the k-th working day in range. For the date at offset i from _lo,
        # _ceil[i] is the index of the first working day >= it (= the number of working days
        # before it) and _floor[i] the index of the last working day <= it (-1 if none).
        work: list[int] = []
        ceil: list[int] = []
        floor: list[int] = []
        for ordinal in range(self._lo, self._hi + 1):
            ceil.append(len(work))
            if ordinal not in closed:
                work.append(ordinal)
            floor.append(len(work) - 1)
        self._ceil, self._floor = ceil, floor
        self._work = [date.fromordinal(o) for o in work]  # shared results: no date built per call
        self._ndays, self._nwork = len(ceil), len(work)  # plain ints: add() is the hot path

    def _closed_days(self, atw_only_working: bool) -> dict[int, NonWorkingDay]:
        closed = {
            ordinal: day
            for ordinal, day in _statutory_days(self.first_year, self.last_year).items()
            if not (atw_only_working and day.atw_only)
        }
        weekend = {int(k): reason for k, reason in _ATW["weekend"].items()}
        first_weekend = {w: self._lo + (w - _weekday(self._lo)) % 7 for w in weekend}
        for weekday, start in first_weekend.items():
            for ordinal in range(start, self._hi + 1, 7):
                closed.setdefault(ordinal, NonWorkingDay(date.fromordinal(ordinal), weekend[weekday]))
        return closed

    # -- range checks -------------------------------------------------------------------

    def _check(self, d: date) -> int:
        """Index of ``d`` in the per-date tables; refuses datetimes and out-of-range dates."""
        if isinstance(d, datetime) or not isinstance(d, date):
            # A datetime would silently lose its time zone: callers pass the Amsterdam date.
            raise TypeError(f"expected a date (Europe/Amsterdam calendar date), got {d!r}")
        ordinal = d.toordinal()
        if not self._lo <= ordinal <= self._hi:
            raise self._out_of_range(d)
        return ordinal - self._lo

    def _out_of_range(self, what: object) -> OutOfCalendarRange:
        shown = nl_date(what) if isinstance(what, date) else what
        return OutOfCalendarRange(
            f"{shown} is outside the working-day calendar ({self.first_year}–{self.last_year})"
        )

    def _beyond(self, d: date, n: int) -> OutOfCalendarRange:
        return self._out_of_range(f"{nl_date(d)} {'+' if n >= 0 else '-'} {abs(n)} werkdagen")

    # -- queries ------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        self._check(d)
        return d.toordinal() not in self._closed

    def reason(self, d: date) -> str | None:
        """Why ``d`` is not a working day (Dutch, with the legal source); ``None`` if it is one."""
        self._check(d)
        day = self._closed.get(d.toordinal())
        return day.reason if day else None

    def non_working_day(self, d: date) -> NonWorkingDay | None:
        self._check(d)
        return self._closed.get(d.toordinal())

    def non_working_days(self, first: date, last: date) -> list[NonWorkingDay]:
        """Non-working days in ``[first, last]``, ascending (empty when ``last < first``)."""
        self._check(first)
        self._check(last)
        ords = self._closed_ordinals
        lo = bisect_left(ords, first.toordinal())
        hi = bisect_right(ords, last.toordinal())
        return [self._closed[o] for o in ords[lo:hi]]

    def skipped(self, a: date, b: date) -> list[NonWorkingDay]:
        """Non-working days strictly between ``a`` and ``b`` (either order), ascending.

        For ``b = add(a, n)`` these are the days the count passed over: the explanation.
        """
        lo, hi = min(a, b), max(a, b)
        if hi.toordinal() - lo.toordinal() < 2:
            self._check(lo)
            self._check(hi)
            return []
        return self.non_working_days(lo + timedelta(days=1), hi - timedelta(days=1))

    # -- arithmetic ---------------------------------------------------------------------

    def add(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d``; ``d`` itself never counts.

        From a non-working day the first working day after it is day 1 (Saturday
        2026-11-21 + 3 = Wednesday 2026-11-25). A negative ``n`` subtracts. ``add(d, 0)``
        returns ``d`` unchanged, even when ``d`` is not a working day.
        """
        if type(d) is not date:
            self._check(d)  # date subclasses pass; a datetime or anything else raises
        i = d.toordinal() - self._lo
        if not 0 <= i < self._ndays:
            raise self._out_of_range(d)
        if n > 0:
            k = self._floor[i] + n
        elif n < 0:
            k = self._ceil[i] + n
        else:
            return d
        if 0 <= k < self._nwork:
            return self._work[k]
        raise self._beyond(d, n)

    def subtract(self, d: date, n: int) -> date:
        """The ``n``-th working day before ``d`` ("n werkdagen van tevoren")."""
        return self.add(d, -n)

    def count_between(self, a: date, b: date) -> int:
        """Signed number of working-day steps from ``a`` to ``b``.

        For ``b >= a``: the working days in ``(a, b]``. For ``b < a``: minus the working
        days in ``[b, a)``. So ``count_between(d, add(d, n)) == n`` for every ``d`` and ``n``.
        """
        i, j = self._check(a), self._check(b)
        if j >= i:
            return self._floor[j] - self._floor[i]
        return self._ceil[j] - self._ceil[i]

    def roll_forward(self, d: date) -> date:
        """``d`` if it is a working day, else the next one (Atw art. 1 extension of a term)."""
        return d if self.is_working_day(d) else self.add(d, 1)

    # -- explanations -------------------------------------------------------------------

    def coverage_warnings(self, a: date, b: date) -> list[str]:
        """Warnings when the span between ``a`` and ``b`` reaches years no decree covers.

        Declared days (Atw art. 3 lid 3) are published for a few years at a time; a date
        computed across a year without a known decree may be one day off.
        """
        years = range(min(a, b).year, max(a, b).year + 1)
        uncovered = [y for y in years if not self.first_declared_year <= y <= self.last_declared_year]
        if not uncovered:
            return []
        later = [y for y in uncovered if y > self.last_declared_year]
        warnings = []
        if later:
            warnings.append(
                f"Geen besluit gelijkstelling (Atw art. 3 lid 3) bekend voor {_years(later)}: "
                f"na {self.last_declared_year} kunnen nog gelijkgestelde dagen worden vastgesteld "
                "die deze datum verschuiven."
            )
        if earlier := [y for y in uncovered if y < self.first_declared_year]:
            warnings.append(
                f"Voor {_years(earlier)} zijn geen besluiten gelijkstelling (Atw art. 3 lid 3) "
                "in de kalender opgenomen."
            )
        return warnings


def _years(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


@cache
def legal_calendar() -> WorkingDayCalendar:
    """The calendar for every legal deadline: Atw rules only, no CKI adjustments."""
    return WorkingDayCalendar()


@cache
def common_practice_calendar() -> WorkingDayCalendar:
    """The legal calendar with the Atw-only days (commonly worked) as working days.

    Used only to tell whether something is late *only* because of such days (a melding:
    accepted with a warning, RULES.md §1, §5). Never use it for a deadline.
    """
    return WorkingDayCalendar(atw_only_working=True)


def deadline(
    start: date,
    n: int,
    *,
    rule: str,
    scheme: str | None = None,
    section: str | None = None,
    cal: WorkingDayCalendar | None = None,
) -> Deadline:
    """``add(start, n)`` on the legal calendar, with the rule and its explanation."""
    cal = cal or legal_calendar()
    due = cal.add(start, n)
    return Deadline(
        date=due,
        rule=rule,
        scheme=scheme,
        section=section,
        working_days=n,
        skipped=tuple(cal.skipped(start, due)),
        warnings=tuple(cal.coverage_warnings(start, due)),
    )


def add_period(d: date, **units: int) -> date:
    """Calendar period (``years=3``, ``months=4``, ``weeks=6``) via relativedelta.

    Not moved off weekends or holidays: the Atw does not apply to terms in months or years
    (Atw art. 4). 2027-10-31 + 4 months = 2028-02-29.
    """
    moved: date = d + relativedelta(**units)
    return moved


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months (see :func:`add_period`)."""
    return add_period(d, months=months)
