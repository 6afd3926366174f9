"""Scheme rules as functions that explain themselves.

Every function takes a scheme as a code (``"SC-540"``, ``"SC-530"``: the version in force on
the relevant date is used) or as a :class:`~workflows.schemes.SchemeVersion` (a dossier's own
version), reads every number from that version, and returns a frozen dataclass with a
``to_dict()`` that carries the rule, its source and our readings.

Deadlines in working days (werkdagen) use :func:`~workflows.calendar.legal_calendar`. Only
the timelines accept another calendar, for a CKI's planning views.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import reduce
from numbers import Real
from typing import Any, cast

from workflows.calendar import (
    Deadline,
    NonWorkingDay,
    WorkingDayCalendar,
    add_period,
    common_practice_calendar,
    deadline,
    legal_calendar,
)
from workflows.schemes import SchemeVersion, load_scheme
from workflows.text import Message, nl_date

__all__ = [
    "LocationAuditPlan",
    "LogbookEntry",
    "MeldingCheck",
    "MeldingStatus",
    "ProjectDayCount",
    "StepDeadline",
    "StepStatus",
    "Timeline",
    "TimelineStep",
    "category_a_timeline",
    "certificate_valid_until",
    "decision_letter_due",
    "four_month_window_end",
    "location_audits",
    "location_audits_sc530",
    "location_audits_sc540",
    "melding_check",
    "melding_deadline",
    "next_step_deadline",
    "non_a_timeline",
    "objection_deadline",
    "appeal_deadline",
    "project_days",
    "provisional_report_conversion_due",
    "provisional_report_expiry",
    "reapplication_allowed_from",
    "recertification_due",
    "zienswijze_deadline",
]

SchemeRef = str | SchemeVersion

#: Procedures with a chain of steps, and the scheme parameter that holds each chain.
PROCEDURES: Mapping[str, str] = {"category_a": "category_a_steps", "non_a": "non_a_steps"}


def _version(scheme: SchemeRef, on: date) -> SchemeVersion:
    return scheme if isinstance(scheme, SchemeVersion) else load_scheme(scheme, on)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _werkdagen(n: int) -> str:
    return f"{n} werkdag" if n == 1 else f"{n} werkdagen"


# -- step chains (category A and non-A procedures) ------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    """A step's term in werkdagen: the target the timeline counts, and the outer limit.

    The target is the printed term unless a CKI set a shorter one; the limit is the step's
    own text where it allows more (SC-530 T3: 10 printed in the sums, 14 in the text).
    """

    target: int
    limit: int


@dataclass(frozen=True, slots=True)
class _Step:
    step: str
    actor: str
    description: str
    source: str
    note: str | None
    printed: int | None
    term: _Term | None  # None: no term in werkdagen ("per direct", next periodic assessment)


def _steps(version: SchemeVersion, procedure: str, targets: Mapping[str, int] | None) -> list[_Step]:
    try:
        param = PROCEDURES[procedure]
    except KeyError:
        raise ValueError(f"unknown procedure {procedure!r}; known: {', '.join(PROCEDURES)}") from None
    targets = dict(targets or {})
    steps = []
    for spec in version.param(param):
        label, printed = spec["step"], spec["working_days"]
        target = targets.pop(label, printed)
        term = None
        if printed is None:
            if target is not None:
                raise ValueError(f"step {label} has no term in werkdagen to set a target for")
        else:
            limit = spec.get("limit_working_days", printed)
            if target != printed and (isinstance(target, bool) or not isinstance(target, int)
                                      or not 1 <= target <= limit):
                raise ValueError(
                    f"target for {label} must be a whole number of werkdagen from 1 to {limit}, got {target!r}"
                )
            term = _Term(target, limit)
        steps.append(
            _Step(label, spec["actor"], spec["description"], spec["source"], spec.get("note"), printed, term)
        )
    if targets:
        raise ValueError(f"no such step in {version.scheme} {procedure}: {', '.join(sorted(targets))}")
    return steps


@dataclass(frozen=True, slots=True)
class TimelineStep:
    """One step of a worst-case timeline, counted from the previous step's due date."""

    step: str
    actor: str
    working_days: int | None
    cumulative: int | None
    due: date | None
    description: str
    source: str
    skipped: tuple[NonWorkingDay, ...]
    limit_working_days: int | None = None
    limit_due: date | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {
            "step": self.step,
            "actor": self.actor,
            "working_days": self.working_days,
            "cumulative": self.cumulative,
            "due": _iso(self.due),
            "description": self.description,
            "source": self.source,
            "skipped": [day.to_dict() for day in self.skipped],
        }
        if self.limit_working_days is not None:
            d["limit_working_days"] = self.limit_working_days
            d["limit_due"] = _iso(self.limit_due)
        if self.note:
            d["note"] = self.note
        return d


@dataclass(frozen=True, slots=True)
class Timeline:
    """Worst-case timeline of a procedure: each step runs from the previous step's due date.

    ``total_working_days``/``end`` follow the targets (SC-530: 40, as printed);
    ``total_working_days_by_limits``/``end_by_limits`` follow each step's own outer limit
    (SC-530: 44). A step without a term in working days ends the dated chain.
    """

    scheme: str
    version: str
    procedure: str
    start: date
    steps: tuple[TimelineStep, ...]
    total_working_days: int
    end: date
    total_working_days_by_limits: int
    end_by_limits: date
    notes: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "version": self.version,
            "procedure": self.procedure,
            "start": self.start.isoformat(),
            "steps": [step.to_dict() for step in self.steps],
            "total_working_days": self.total_working_days,
            "end": self.end.isoformat(),
            "total_working_days_by_limits": self.total_working_days_by_limits,
            "end_by_limits": self.end_by_limits.isoformat(),
            "notes": list(self.notes),
            "warnings": list(self.warnings),
        }


def _target_notes(steps: Iterable[_Step], scheme: str) -> list[str]:
    return [
        f"{scheme} {s.step}: streeftermijn door de CKI ingesteld op {_werkdagen(s.term.target)} "
        f"(bijlage: {s.printed}, uiterste grens {s.term.limit})."
        for s in steps
        if s.term and s.term.target != s.printed
    ]


def _timeline(
    scheme: SchemeRef,
    procedure: str,
    start: date,
    cal: WorkingDayCalendar | None,
    targets: Mapping[str, int] | None,
) -> Timeline:
    version = _version(scheme, start)
    cal = cal or legal_calendar()
    steps = _steps(version, procedure, targets)
    rows: list[TimelineStep] = []
    due: date | None = start
    cumulative = by_limits = 0
    for s in steps:
        if s.term is None or due is None:
            # Without a term the dated chain ends here: later steps have no worst case either.
            rows.append(TimelineStep(s.step, s.actor, None, None, None, s.description, s.source, (), note=s.note))
            due = None
            continue
        previous, (target, limit) = due, (s.term.target, s.term.limit)
        due = cal.add(previous, target)
        cumulative += target
        by_limits += limit
        has_limit = limit != target
        rows.append(
            TimelineStep(
                s.step, s.actor, target, cumulative, due, s.description, s.source,
                tuple(cal.skipped(previous, due)),
                limit_working_days=limit if has_limit else None,
                limit_due=cal.add(previous, limit) if has_limit else None,
                note=s.note,
            )
        )
    end = cal.add(start, cumulative)
    end_by_limits = cal.add(start, by_limits)
    notes = [n for n in (version.note(PROCEDURES[procedure]),) if n]
    return Timeline(
        scheme=version.scheme,
        version=version.version,
        procedure=procedure,
        start=start,
        steps=tuple(rows),
        total_working_days=cumulative,
        end=end,
        total_working_days_by_limits=by_limits,
        end_by_limits=end_by_limits,
        notes=tuple(notes + _target_notes(steps, version.scheme)),
        warnings=tuple(cal.coverage_warnings(start, end_by_limits)),
    )


def category_a_timeline(
    scheme: SchemeRef,
    finding_date: date,
    cal: WorkingDayCalendar | None = None,
    *,
    targets: Mapping[str, int] | None = None,
) -> Timeline:
    """Worst-case category A procedure (B/C §8.2.1) from the finding date.

    SC-540 cumulates to 3, 6, 16, 19, 29, 32 werkdagen; SC-530 to 4, 8, 18, 22, 36, 40 with
    T3's outer limit (14) shown beside its target (10). ``targets`` lets a CKI set a
    shorter target per step (``{"T3": 12}``), never beyond the step's limit.
    """
    return _timeline(scheme, "category_a", finding_date, cal, targets)


def non_a_timeline(
    scheme: SchemeRef,
    finding_date: date,
    cal: WorkingDayCalendar | None = None,
) -> Timeline:
    """Procedure without a category A finding (B/C §8.2.2): result within 5 werkdagen,
    corrective measures within 3 werkdagen (SC-540) or at once (SC-530, no date)."""
    return _timeline(scheme, "non_a", finding_date, cal, None)


class StepStatus(StrEnum):
    ON_TIME = "on_time"
    PAST_TARGET = "past_target"  # a warning: still within the step's legal limit
    OVERDUE = "overdue"
    NO_TERM = "no_term"  # the step has no term in werkdagen: staff decide


@dataclass(frozen=True, slots=True)
class StepDeadline:
    """The actual deadline of one step, counted from the completion of the step before."""

    step: str
    actor: str
    description: str
    due: Deadline | None
    limit: Deadline | None
    note: str | None

    def status(self, completed_on: date) -> StepStatus:
        """How a completion on ``completed_on`` (Europe/Amsterdam date) relates to the terms."""
        if self.due is None:
            return StepStatus.NO_TERM
        if completed_on <= self.due.date:
            return StepStatus.ON_TIME
        if self.limit is not None and completed_on <= self.limit.date:
            return StepStatus.PAST_TARGET
        return StepStatus.OVERDUE

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "actor": self.actor,
            "description": self.description,
            "due": self.due.to_dict() if self.due else None,
            "limit": self.limit.to_dict() if self.limit else None,
            "note": self.note,
        }


def next_step_deadline(
    scheme: SchemeRef,
    step: str,
    previous_completed_on: date,
    *,
    procedure: str = "category_a",
    targets: Mapping[str, int] | None = None,
) -> StepDeadline:
    """Deadline of ``step`` given the actual completion of the step before it.

    For the first step (T1) pass the finding date. The legal calendar is always used.
    """
    version = _version(scheme, previous_completed_on)
    s = next((s for s in _steps(version, procedure, targets) if s.step == step), None)
    if s is None:
        raise ValueError(f"no step {step!r} in {version.scheme} {procedure}")
    due = limit = None
    if s.term is not None:
        target, outer = s.term.target, s.term.limit
        rule = f"{version.scheme} {s.source}: {_werkdagen(target)}"
        due = deadline(previous_completed_on, target, scheme=version.scheme, section=s.source,
                       rule=rule + (" (streeftermijn)" if outer != target else ""))
        if outer != target:
            limit = deadline(previous_completed_on, outer, scheme=version.scheme, section=s.source,
                             rule=f"{version.scheme} {s.source}: {_werkdagen(outer)} (uiterste grens)")
    return StepDeadline(s.step, s.actor, s.description, due, limit, s.note)


# -- meldingen (B/C §7) ----------------------------------------------------------------


class MeldingStatus(StrEnum):
    ON_TIME = "on_time"
    LATE_ATW_ONLY = "late_atw_only"  # accept with a visible warning for staff to judge
    LATE = "late"  # refuse, unless the CKI allows a calamity on a written motivation


def _channel(version: SchemeVersion, channel: str) -> tuple[str, int]:
    leads = version.param("melding_lead_working_days")
    aliases = version.param("melding_channel_aliases") if version.has("melding_channel_aliases") else {}
    counted_as = aliases.get(channel, channel)
    if counted_as not in leads:
        known = ", ".join(sorted({*leads, *aliases}))
        raise ValueError(f"unknown melding channel {channel!r}; known: {known}")
    return counted_as, leads[counted_as]


def melding_deadline(scheme: SchemeRef, start: date, channel: str) -> Deadline:
    """Latest date a melding for work starting on ``start`` may reach the CKI.

    ``subtract(start, n)`` with n from the scheme per channel (e-mail 2, fax 5; portal and
    API count as e-mail, our reading).
    """
    version = _version(scheme, start)
    counted_as, lead = _channel(version, channel)
    section = version.source("melding_lead_working_days")
    alias = f" ({channel} telt als {counted_as})" if counted_as != channel else ""
    rule = (f"{version.scheme} {section}: melding per {counted_as}{alias} uiterlijk "
            f"{_werkdagen(lead)} vóór de start op {nl_date(start)}")
    return deadline(start, -lead, rule=rule, scheme=version.scheme, section=section)


@dataclass(frozen=True, slots=True)
class MeldingCheck:
    """Whether a melding came in time, and why."""

    status: MeldingStatus
    channel: str
    start: date
    submitted_on: date
    latest: Deadline
    latest_if_atw_only_days_worked: date
    atw_only_days: tuple[NonWorkingDay, ...]
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "channel": self.channel,
            "start": self.start.isoformat(),
            "submitted_on": self.submitted_on.isoformat(),
            "latest": self.latest.to_dict(),
            "latest_if_atw_only_days_worked": self.latest_if_atw_only_days_worked.isoformat(),
            "atw_only_days": [day.to_dict() for day in self.atw_only_days],
            "message": self.message,
        }


def melding_check(scheme: SchemeRef, start: date, submitted_on: date, channel: str) -> MeldingCheck:
    """Judge a melding received on ``submitted_on`` (Europe/Amsterdam date) for ``start``.

    Late only because of Atw-only days (Goede Vrijdag, 5 May outside lustrum years,
    declared bridge days, which are commonly worked) gives ``late_atw_only``: accepted with
    a warning, never refused outright (RULES.md §1).
    """
    if isinstance(submitted_on, datetime) or not isinstance(submitted_on, date):
        raise TypeError(f"submitted_on must be the Europe/Amsterdam date, got {submitted_on!r}")
    version = _version(scheme, start)
    _, lead = _channel(version, channel)
    latest = melding_deadline(version, start, channel)
    lenient = common_practice_calendar().subtract(start, lead)
    atw_only = tuple(day for day in latest.skipped if day.atw_only)
    if submitted_on <= latest.date:
        status = MeldingStatus.ON_TIME
        message = f"Op tijd: uiterlijk {nl_date(latest.date)}, ontvangen {nl_date(submitted_on)}."
    elif submitted_on <= lenient:
        status = MeldingStatus.LATE_ATW_ONLY
        days = "; ".join(f"{nl_date(d.date)} {d.reason}" for d in atw_only)
        message = (
            f"Te laat volgens de werkdagenkalender (uiterlijk {nl_date(latest.date)}), maar "
            f"alleen door dagen waarop gewoonlijk wordt gewerkt: {days}. Geaccepteerd met "
            "waarschuwing; de staf beoordeelt."
        )
    else:
        status = MeldingStatus.LATE
        message = (
            f"Te laat: de melding had uiterlijk {nl_date(latest.date)} binnen moeten zijn "
            f"({_werkdagen(lead)} vóór de start op {nl_date(start)}). Alleen bij een calamiteit "
            "mag de CKI op schriftelijke motivering afwijken."
        )
    return MeldingCheck(status, channel, start, submitted_on, latest, lenient, atw_only, message)


# -- location audits per 12-month period (B §4.3 Tabel 1, C §4.3.1 Tabel 4.3) ---------


@dataclass(frozen=True, slots=True)
class CriterionMatch:
    """Where one criterion's value falls in the table."""

    name: str
    label: str
    value: float
    row: int
    band: str
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class LocationAuditPlan:
    """Number of location audits for a 12-month period, with the row and criterion used.

    ``counts`` holds the table's columns: ``total`` always; SC-540 also ``regular``
    (unannounced) and ``result_oriented`` (planned with the company).
    """

    scheme: str
    version: str
    source: str
    counts: Mapping[str, int]
    row: int
    row_printed: str
    decided_by: tuple[str, ...]
    criteria: tuple[CriterionMatch, ...]
    readings: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.counts["total"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "version": self.version,
            "source": self.source,
            **self.counts,
            "row": {"id": self.row, "printed": self.row_printed},
            "decided_by": list(self.decided_by),
            "criteria": [c.to_dict() for c in self.criteria],
            "readings": list(self.readings),
            "warnings": list(self.warnings),
        }


def _non_negative(name: str, value: object) -> float:
    """``value`` itself (an int stays an int), if it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return cast(float, value)


def _in_band(value: float, band: Mapping[str, Any]) -> bool:
    low, high = band["min"], band["max"]
    above = value >= low if band["min_inclusive"] else value > low
    below = high is None or (value <= high if band["max_inclusive"] else value < high)
    return above and below


def location_audits(
    scheme: SchemeRef,
    values: Mapping[str, float],
    *,
    on: date | None = None,
    works: int | None = None,
    first_period: bool = False,
) -> LocationAuditPlan:
    """Look ``values`` up in the scheme's location-audit table; the highest total decides.

    ``values`` gives one number per criterion of the table (SC-540: ``avg_dia`` and
    ``avg_reports``; SC-530: ``project_days``). ``works`` and ``first_period`` apply where
    the scheme defines a minimum number of works or a first-period note (SC-530).
    """
    version = _version(scheme, on or date.today())
    name = "location_audit_table"
    table = version.param(name)
    criteria = table["criteria"]
    expected = {c["name"] for c in criteria}
    if set(values) != expected:
        raise ValueError(
            f"{version.scheme} needs exactly {', '.join(sorted(expected))}; got {', '.join(sorted(values))}"
        )
    rows = {row["id"]: row for row in table["rows"]}
    note = version.note(name)
    readings, warnings, matches = [note] if note else [], [], []
    for criterion in criteria:
        value = _non_negative(criterion["name"], values[criterion["name"]])
        band = next(b for b in criterion["bands"] if _in_band(value, b))  # validated: bands cover [0, inf)
        matches.append(CriterionMatch(criterion["name"], criterion["label"], value, band["row"],
                                      band["printed"], rows[band["row"]]["counts"]["total"]))
        readings += [band["reading"]] if "reading" in band else []
        warnings += [band["warning"]] if "warning" in band else []

    best = max(m.total for m in matches)
    deciders = [m for m in matches if m.total == best]
    chosen = rows[deciders[0].row]

    if works is not None and version.has("location_audit_min_works"):
        if isinstance(works, bool) or not isinstance(works, int) or works < 0:
            raise ValueError(f"works must be a whole number >= 0, got {works!r}")
        minimum = version.param("location_audit_min_works")
        if works < minimum:
            warnings.append(
                f"De projectdagen zijn verdeeld over {works} werken; {version.cite('location_audit_min_works')} "
                f"vraagt er minimaal {minimum}. De bijlage noemt geen gevolg: de staf beoordeelt."
            )
    if first_period and version.has("location_audit_first_period_note"):
        readings.append(version.param("location_audit_first_period_note"))

    return LocationAuditPlan(
        scheme=version.scheme,
        version=version.version,
        source=version.cite(name),
        counts=dict(chosen["counts"]),
        row=chosen["id"],
        row_printed=chosen["printed"],
        decided_by=tuple(m.name for m in deciders),
        criteria=tuple(matches),
        readings=tuple(dict.fromkeys(readings)),
        warnings=tuple(warnings),
    )


def location_audits_sc540(avg_dia: float, avg_reports: float, *, on: date | None = None) -> LocationAuditPlan:
    """SC-540 Table 1: per branch, the higher of the DIA and the reports criterion decides."""
    return location_audits("SC-540", {"avg_dia": avg_dia, "avg_reports": avg_reports}, on=on)


def previous_period(scheme: SchemeRef, grant: date | None, on: date) -> tuple[date, date, str]:
    """The surveillance period whose project days plan the location audits of the period running
    on ``on`` (RULES.md §4): "year" is each 12-month period counted from the grant (scheme
    parameter ``surveillance_period``), and Table 4.3 uses the previous one; in the first period
    there is none, so the period before the grant (the days the company reports for it). Without
    a grant: the period up to ``on``."""
    length = _version(scheme, on).param("surveillance_period")

    def after(start: date, periods: int) -> date:
        return add_period(start, **{unit: n * periods for unit, n in length.items()})

    if grant is None:
        first = after(on, -1)
        return first, on - timedelta(days=1), f"Geen verlening bekend: de {describe(length)} tot vandaag."
    k = 0
    while after(grant, k + 1) <= on:
        k += 1
    # Both ends counted from the grant: counting on from ``first`` would lose a 29 February.
    first, last = after(grant, k - 1), after(grant, k) - timedelta(days=1)
    if k == 0:
        return first, last, (f"Eerste periode na de verlening op {nl_date(grant)}: de periode ervoor "
                             "(door het bedrijf opgegeven projectdagen).")
    return first, last, f"De vorige periode van {describe(length)}, geteld vanaf de verlening op {nl_date(grant)}."


def location_audits_sc530(
    project_days: float,
    works: int | None = None,
    first_period: bool = False,
    *,
    on: date | None = None,
) -> LocationAuditPlan:
    """SC-530 Table 4.3 from the previous year's project days (below 35: 6, with a warning)."""
    return location_audits("SC-530", {"project_days": project_days}, on=on, works=works, first_period=first_period)


# -- project days (C §4.3.1 c–d) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogbookEntry:
    """One logbook line: a (pseudonymous) worker's activity on a project on one date.

    ``end`` must be after ``start``: work past midnight is two entries (one per date),
    because project days are counted per calendar day.
    """

    project: Any
    worker: Any
    date: date
    start: time
    end: time
    activity: str
    ppe: bool

    @classmethod
    def coerce(cls, entry: LogbookEntry | Mapping[str, Any] | Any) -> LogbookEntry:
        """Accept a LogbookEntry, a mapping, or any object with the same attributes."""
        if isinstance(entry, cls):
            return entry
        names = [f.name for f in fields(cls)]
        try:
            if isinstance(entry, Mapping):
                return cls(**{n: entry[n] for n in names})
            return cls(**{n: getattr(entry, n) for n in names})
        except (KeyError, AttributeError) as exc:
            raise ValueError(f"logbook entry {entry!r} lacks {exc}") from None


@dataclass(frozen=True, slots=True)
class ProjectDayRow:
    project: Any
    date: date
    hours: float
    project_days: float

    def to_dict(self) -> dict[str, Any]:
        return {"project": self.project, "date": self.date.isoformat(),
                "hours": round(self.hours, 2), "project_days": self.project_days}


@dataclass(frozen=True, slots=True)
class ProjectDayCount:
    """Project days per project per calendar day, and their total."""

    scheme: str
    version: str
    source: str
    total: float
    works: int
    rows: tuple[ProjectDayRow, ...]
    readings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "version": self.version,
            "source": self.source,
            "total": self.total,
            "works": self.works,
            "rows": [row.to_dict() for row in self.rows],
            "readings": list(self.readings),
        }


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _union_seconds(intervals: list[tuple[int, int]]) -> int:
    """Length of the union of ``[start, end)`` intervals: overlapping workers count once."""
    total = reach = 0
    for start, end in sorted(intervals):
        uncounted_from = max(start, reach)  # the part before `reach` is already counted
        if end > uncounted_from:
            total += end - uncounted_from
            reach = end
    return total


def project_days(
    entries: Iterable[LogbookEntry | Mapping[str, Any]],
    scheme: SchemeRef = "SC-530",
    *,
    on: date | None = None,
) -> ProjectDayCount:
    """Count project days: per project per calendar date, the union of the intervals in
    which at least one worker did counted asbestos work with PPE; thresholds from the scheme
    (≥ 6 h → 1, ≥ 3 h → 0.5, less → 0). Two projects on one day are two project days.

    Raises ``ValueError`` naming the entry for an unknown activity or ``end <= start``
    (overnight work is not supported: split it at midnight).
    """
    version = _version(scheme, on or date.today())
    activities = version.param("project_day_activities")
    counted, known = set(activities["counted"]), {*activities["counted"], *activities["not_counted"]}
    thresholds = version.param("project_day_thresholds")

    intervals: dict[tuple[Any, date], list[tuple[int, int]]] = {}
    for number, raw in enumerate(entries, start=1):
        e = LogbookEntry.coerce(raw)
        where = f"logbook entry {number} (project {e.project}, worker {e.worker}, {e.date})"
        if not isinstance(e.start, time) or not isinstance(e.end, time):
            raise ValueError(f"{where}: start and end must be times")
        if e.end <= e.start:
            raise ValueError(f"{where}: end {e.end} is not after start {e.start}; split work past midnight per date")
        if e.activity not in known:
            raise ValueError(f"{where}: unknown activity {e.activity!r}; known: {', '.join(sorted(known))}")
        if not isinstance(e.ppe, bool):
            raise ValueError(f"{where}: ppe must be true or false")
        spans = intervals.setdefault((e.project, e.date), [])
        if e.ppe and e.activity in counted:
            spans.append((_seconds(e.start), _seconds(e.end)))

    rows = []
    for (project, day), spans in sorted(intervals.items(), key=lambda item: (item[0][1], str(item[0][0]))):
        seconds = _union_seconds(spans)
        value = next((t["project_days"] for t in thresholds if seconds >= t["min_hours"] * 3600), 0)
        rows.append(ProjectDayRow(project, day, seconds / 3600, value))
    readings = [n for n in (version.note("project_day_thresholds"), version.note("project_day_activities")) if n]
    return ProjectDayCount(
        scheme=version.scheme,
        version=version.version,
        source=version.cite("project_day_thresholds"),
        total=sum(row.project_days for row in rows),
        works=len({row.project for row in rows if row.project_days > 0}),
        rows=tuple(rows),
        readings=tuple(readings),
    )


# -- calendar periods (months, years; not moved off weekends, Atw art. 4) --------------

def _unit(unit: str, n: int) -> Message:
    """``n`` of a relativedelta unit, in Dutch words (a page says them in the reader's language)."""
    if unit == "years":
        return Message.plural("%(n)s jaar", "%(n)s jaar", n=n)
    if unit == "months":
        return Message.plural("%(n)s maand", "%(n)s maanden", n=n)
    if unit == "weeks":
        return Message.plural("%(n)s week", "%(n)s weken", n=n)
    if unit == "days":
        return Message.plural("%(n)s dag", "%(n)s dagen", n=n)
    raise KeyError(unit)


def describe(period: Mapping[str, int]) -> str:
    """A period in Dutch words: ``{"weeks": 6}`` -> "6 weken"; ``{"months": 1, "days": 2}`` ->
    "1 maand en 2 dagen"."""
    words = [_unit(unit, n) for unit, n in period.items()]
    return reduce(lambda first, second: Message("%(first)s en %(second)s", first=first, second=second), words)


_describe = describe


def _period_deadline(
    scheme: SchemeRef,
    name: str,
    anchor: date,
    what: str,
    *,
    before: bool = False,
    start_offset_days: int = 0,
) -> Deadline:
    """``anchor`` (shifted by ``start_offset_days``) plus or minus the period parameter ``name``.

    ``what`` describes the rule in Dutch, with ``{period}`` where the period goes.
    """
    version = _version(scheme, anchor)
    period = version.param(name)
    base = anchor + timedelta(days=start_offset_days)
    due = add_period(base, **{unit: -n if before else n for unit, n in period.items()})
    text = what.format(period=_describe(period))
    rule = f"{version.cite(name)}: {text} (kalenderperiode, niet verschoven: Atw art. 4)"
    return Deadline(due, rule, version.scheme, version.source(name), None)


def four_month_window_end(scheme: SchemeRef, first_location_assessment: date) -> Deadline:
    """Last day to decide on an application (B/C §3.1.2): results lapse after it."""
    return _period_deadline(scheme, "assessment_window", first_location_assessment,
                            "{period} na de eerste beoordeling op projectlocatie; daarna vervallen de resultaten")


def provisional_report_expiry(scheme: SchemeRef, start_inventory: date) -> Deadline:
    """Expiry date printed on an SC-540 candidate's provisional reports (B §3.5)."""
    return _period_deadline(scheme, "provisional_report_expiry", start_inventory,
                            "vervaldatum {period} na de start van de inventarisatie op de eerste projectlocatie")


def provisional_report_conversion_due(scheme: SchemeRef, first_location_assessment: date) -> Deadline:
    """Last day to convert provisional reports into definitive ones after a grant (B §3.6.2)."""
    return _period_deadline(scheme, "provisional_report_conversion", first_location_assessment,
                            "omzetten binnen {period} na de eerste beoordeling op locatie")


def certificate_valid_until(scheme: SchemeRef, issued_on: date) -> Deadline:
    """Last day of validity, inclusive: ``(issued_on − 1 day) + 3 years``.

    2026-03-15 → 2029-03-14; 2024-02-29 → 2027-02-28.
    """
    # The day before issue plus the period makes the end inclusive without a leap-day slip.
    return _period_deadline(scheme, "certificate_validity", issued_on,
                            "geldig tot en met (uitgiftedatum − 1 dag) + {period}", start_offset_days=-1)


def recertification_due(scheme: SchemeRef, valid_until: date) -> Deadline:
    """When the last year's annual assessments should be done: 3 months before expiry (§5)."""
    return _period_deadline(scheme, "recertification_lead", valid_until,
                            "jaarlijkse beoordelingen in het algemeen {period} vóór de vervaldatum afgerond",
                            before=True)


def reapplication_allowed_from(
    scheme: SchemeRef, withdrawn_on: date, *, false_information: bool = False
) -> Deadline:
    """First day a new application may be treated after a withdrawal.

    A §4.1 b rejects an application made at most 12 months after a withdrawal (also one at
    the holder's request); A §4.2 e allows one only after 5 years when the company informed
    a CKI wrongly. Both blocks end on ``withdrawn_on + period``; the day after is allowed.
    """
    name = "reapply_block_after_false_information" if false_information else "reapply_block_after_withdrawal"
    version = _version(scheme, withdrawn_on)
    period = version.param(name)
    allowed = add_period(withdrawn_on, **period) + timedelta(days=1)
    rule = (f"{version.cite(name)}: nieuwe aanvraag pas na {_describe(period)} "
            f"na de intrekking op {nl_date(withdrawn_on)}")
    return Deadline(allowed, rule, version.scheme, version.source(name), None)


def decision_letter_due(scheme: SchemeRef, last_assessment: date) -> Deadline:
    """The written decision reaches the candidate within 10 werkdagen after the last
    assessment (B §3.6.1, C §3.5.2), refusals included."""
    version = _version(scheme, last_assessment)
    name = "decision_letter_working_days"
    n = version.param(name)
    rule = f"{version.cite(name)}: schriftelijk besluit binnen {_werkdagen(n)} na de laatste beoordeling"
    return deadline(last_assessment, n, rule=rule, scheme=version.scheme, section=version.source(name))


def objection_deadline(scheme: SchemeRef, sent_on: date) -> Deadline:
    """Last day for a bezwaar: 6 weeks from the day after dispatch (Awb 6:7, 6:8), extended
    to the next working day when it ends on a Saturday, Sunday or holiday (Atw art. 1)."""
    return _term_after_dispatch(scheme, "objection_term", sent_on)


def appeal_deadline(scheme: SchemeRef, sent_on: date) -> Deadline:
    """Last day for a beroep at the court against a decision on bezwaar (Awb 6:7, 6:8, 8:1),
    extended like the bezwaar term (Atw art. 1)."""
    return _term_after_dispatch(scheme, "appeal_term", sent_on)


def zienswijze_deadline(scheme: SchemeRef, sent_on: date) -> Deadline:
    """Last day for the holder's zienswijze on an intended withdrawal or suspension it did not ask
    for (Awb 4:8): the scheme's term (our named reading) from the day after dispatch, extended like
    the bezwaar term (Atw art. 1)."""
    return _term_after_dispatch(scheme, "zienswijze_term", sent_on)


def _term_after_dispatch(scheme: SchemeRef, name: str, sent_on: date) -> Deadline:
    version = _version(scheme, sent_on)
    period = version.param(name)
    cal = legal_calendar()
    # The term starts the day after dispatch, so it ends on sent_on + period.
    nominal = add_period(sent_on, **period)
    due = cal.roll_forward(nominal)
    skipped = tuple(cal.non_working_days(nominal, due - timedelta(days=1))) if due != nominal else ()
    rule = f"{version.cite(name)}: {_describe(period)} vanaf de dag na verzending op {nl_date(sent_on)}"
    if skipped:
        rule += f"; verlengd van {nl_date(nominal)} tot de eerstvolgende werkdag"
    return Deadline(due, rule, version.scheme, version.source(name), None, skipped,
                    tuple(cal.coverage_warnings(sent_on, due)))
