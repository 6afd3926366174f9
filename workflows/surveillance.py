"""Surveillance (toezicht) after the grant, as pure rules: the programme per 12-month period,
planned against done, the catch-up rule, recertification, assignment checks, man-days and fees
(RULES.md §3–§4; B/C §4–§6).

Every number comes from the scheme version (``workflows/schemes/data``); nothing here knows
Flask, SQL or today's date. The database side (``cki/surveillance``) gathers the facts, calls
these functions and stores what they decide.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from workflows.calendar import add_period
from workflows.rules import SchemeRef, _version, describe, location_audits, recertification_due
from workflows.schemes import SchemeVersion

__all__ = [
    "AuditKind",
    "AssignmentFacts",
    "BranchFigures",
    "CatchUpDecision",
    "FeeEstimate",
    "Period",
    "Programme",
    "ProgrammeLine",
    "assignment_problems",
    "catch_up_decision",
    "fee_estimate",
    "man_days",
    "period_of",
    "periods",
    "programme",
    "progress",
]


class AuditKind(StrEnum):
    """What an audit (beoordeling) looks at. Location kinds are the columns of the scheme's
    location-audit table (SC-540 Table 1: regular, result-oriented; SC-530 Table 4.3: total)."""

    BRANCH = "branch"
    REGULAR = "regular"
    RESULT_ORIENTED = "result_oriented"
    LOCATION = "total"

    @property
    def is_location(self) -> bool:
        return self is not AuditKind.BRANCH


def location_columns(version: SchemeVersion) -> list[str]:
    """The location-audit kinds of a scheme version: the table's columns other than the total
    (SC-540: regular, result-oriented), or the total where there are none (SC-530)."""
    return [c for c in version.param("location_audit_table")["columns"] if c != "total"] or ["total"]


KIND_LABELS = {
    AuditKind.BRANCH: "beoordeling op de vestiging",
    AuditKind.REGULAR: "reguliere beoordeling op locatie (onaangekondigd)",
    AuditKind.RESULT_ORIENTED: "resultaatgerichte beoordeling op locatie (met het bedrijf gepland)",
    AuditKind.LOCATION: "beoordeling op projectlocatie",
}


# -- periods ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """One 12-month surveillance period counted from the grant; ``end`` is inclusive."""

    index: int  # 1 for the first period after the grant
    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start.isoformat(), "end": self.end.isoformat()}


def periods(scheme: SchemeRef, issued_on: date, valid_until: date) -> list[Period]:
    """The certificate's surveillance periods ("jaar" = 12 months from the grant, B/C §4).

    Each boundary is counted from the grant itself (``issued_on + k × period``), never from the
    previous boundary, so a grant on 31 January keeps its day where the month has it. What is
    left after the last whole period joins it when shorter than half a period, else it is a
    period of its own (our reading). With a grant on 29 February the validity
    (``(issued_on − 1 day) + 3 years``) ends one day after the third period would: that day
    belongs to the third period.
    """
    if valid_until < issued_on:
        raise ValueError("valid_until is before issued_on")
    length = _version(scheme, issued_on).param("surveillance_period")

    def boundary(k: int) -> date:
        return add_period(issued_on, **{unit: n * k for unit, n in length.items()})

    result: list[Period] = []
    k, start = 0, issued_on
    while start <= valid_until:
        nxt = boundary(k + 1)
        result.append(Period(k + 1, start, min(nxt - timedelta(days=1), valid_until)))
        k, start = k + 1, nxt
    last = result[-1]
    whole = boundary(last.index) - last.start
    if len(result) > 1 and (last.end - last.start + timedelta(days=1)) * 2 < whole:
        result[-2:] = [Period(result[-2].index, result[-2].start, last.end)]
    return result


def period_of(all_periods: Sequence[Period], day: date) -> Period | None:
    """The period that contains ``day``, or None outside the certificate's validity."""
    return next((p for p in all_periods if p.contains(day)), None)


# -- the programme -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BranchFigures:
    """A branch (vestiging) of the holder and the figures that plan its location audits.

    SC-540 (per branch): ``avg_dia`` and ``avg_reports``, declared by the company for the period
    before (the 12 months before the grant in the first period). SC-530 counts per certificate:
    pass the figures (``project_days``, ``works``) on the head office only.
    """

    branch_id: int
    name: str
    head_office: bool = False
    figures: Mapping[str, float] = field(default_factory=dict)
    works: int | None = None


@dataclass(frozen=True, slots=True)
class ProgrammeLine:
    """How many audits of one kind one branch needs in one period, and why."""

    branch_id: int
    branch_name: str
    kind: AuditKind
    required: int
    unannounced: bool
    source: str
    carried_in: int = 0  # shortfall moved in from the previous period (catch-up)
    files_to_review: int | None = None  # branch audits: the file review of at least N projects

    @property
    def total(self) -> int:
        return self.required + self.carried_in

    def to_dict(self) -> dict[str, Any]:
        return {"branch_id": self.branch_id, "branch_name": self.branch_name, "kind": self.kind.value,
                "label": KIND_LABELS[self.kind], "required": self.required, "carried_in": self.carried_in,
                "total": self.total, "unannounced": self.unannounced, "source": self.source,
                "files_to_review": self.files_to_review}


@dataclass(frozen=True, slots=True)
class Programme:
    """The audit programme of one period: the lines, and what the tables said along the way."""

    scheme: str
    version: str
    period: Period
    due_by: date  # the period's end, or the recertification date in the last period
    due_rule: str
    lines: tuple[ProgrammeLine, ...]
    readings: tuple[str, ...]
    warnings: tuple[str, ...]
    man_days: float

    def to_dict(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "version": self.version, "period": self.period.to_dict(),
                "due_by": self.due_by.isoformat(), "due_rule": self.due_rule,
                "lines": [line.to_dict() for line in self.lines], "readings": list(self.readings),
                "warnings": list(self.warnings), "man_days": self.man_days}


def programme(
    scheme: SchemeRef,
    period: Period,
    branches: Sequence[BranchFigures],
    *,
    valid_until: date,
    last: bool,
    not_continuing: bool = False,
    carried_in: Mapping[tuple[int, AuditKind], int] | None = None,
) -> Programme:
    """What the period needs (B/C §4.2, §4.3; RULES.md §4).

    Every branch (the head office first) gets ``branch_assessments_per_year`` branch audits with
    the file review of ``files_per_branch_assessment`` projects. Location audits follow the
    scheme's table: per branch when ``location_audit_per_branch`` (SC-540 Table 1), else once for
    the certificate from the head office's figures (SC-530 Table 4.3). ``carried_in`` adds a
    shortfall moved from the previous period under the catch-up rule. In the last period the
    audits are due about ``recertification_lead`` before expiry (§5), unless the holder said in
    writing it will not continue (``not_continuing``).
    """
    version = _version(scheme, period.start)
    carried = dict(carried_in or {})
    per_branch = version.param("location_audit_per_branch")
    unannounced = version.param("location_audit_unannounced")
    columns = location_columns(version)
    branch_count = version.param("branch_assessments_per_year")
    files = version.param("files_per_branch_assessment")
    lines: list[ProgrammeLine] = []
    readings: list[str] = []
    warnings: list[str] = []
    first = period.index == 1
    if not branches:
        raise ValueError("a certificate has at least one branch")
    heads = [b for b in branches if b.head_office]
    if len(heads) != 1:  # the data say otherwise: one of them counts, and the page says which
        head = heads[0] if heads else branches[0]
        warnings.append(f"Op het certificaat staat {'geen' if not heads else 'meer dan één'} hoofdvestiging; "
                        f"{head.name} telt als hoofdvestiging. Corrigeer de vestigingen van het bedrijf.")
        branches = [BranchFigures(b.branch_id, b.name, b is head, b.figures, b.works) for b in branches]

    for branch in sorted(branches, key=lambda b: not b.head_office):
        lines.append(ProgrammeLine(branch.branch_id, branch.name, AuditKind.BRANCH, branch_count, False,
                                   version.cite("branch_assessments_per_year"),
                                   carried.pop((branch.branch_id, AuditKind.BRANCH), 0), files))
        if not per_branch and not branch.head_office:
            continue
        if not branch.figures:
            warnings.append(f"{branch.name}: de cijfers die het aantal beoordelingen op locatie bepalen, ontbreken nog; "
                            "het aantal volgt zodra het bedrijf ze heeft opgegeven.")
            for column in columns:  # a shortfall moved here still has to be made up
                kind = AuditKind(column)
                if carried.get((branch.branch_id, kind)):
                    lines.append(ProgrammeLine(branch.branch_id, branch.name, kind, 0,
                                               bool(unannounced.get(column, False)), version.cite("catch_up"),
                                               carried.pop((branch.branch_id, kind))))
            continue
        plan = location_audits(version, branch.figures, on=period.start, works=branch.works, first_period=first)
        readings += plan.readings
        warnings += [f"{branch.name}: {w}" for w in plan.warnings]
        for column in columns:
            kind = AuditKind(column)
            lines.append(ProgrammeLine(branch.branch_id, branch.name, kind, plan.counts[column],
                                       bool(unannounced.get(column, False)), plan.source,
                                       carried.pop((branch.branch_id, kind), 0)))
    if carried:  # e.g. a branch no longer on the certificate: say so rather than lose it
        warnings.append(f"Een ingehaald tekort ({sum(carried.values())} beoordelingen) hoort bij een vestiging of soort "
                        "die niet meer in het programma staat; de planner beoordeelt het.")
    if first and not version.has("location_audit_first_period_note"):
        readings.append("Eerste periode na de verlening: de aantallen gaan uit van de cijfers die het bedrijf opgaf "
                        f"voor de {describe(version.param('surveillance_period'))} vóór de verlening.")

    due_by, due_rule = period.end, f"einde van periode {period.index} ({describe(version.param('surveillance_period'))} vanaf de verlening)"
    if last and not not_continuing:
        recert = recertification_due(version, valid_until)
        if recert.date < due_by:
            due_by, due_rule = recert.date, recert.rule
    elif last:
        readings.append("Het bedrijf heeft schriftelijk laten weten het certificaat niet voort te zetten: geen "
                        "hercertificatie, de beoordelingen van dit jaar lopen tot het einde van de periode.")
    return Programme(version.scheme, version.version, period, due_by, due_rule, tuple(lines),
                     tuple(dict.fromkeys(readings)), tuple(warnings), man_days(version, lines))


def man_days(version: SchemeVersion, lines: Iterable[ProgrammeLine]) -> float:
    """Man-days of a programme from the time budgets (B/C §6, guidance): a periodic branch audit
    ``branch_periodic``, a location audit ``location`` each."""
    budget = version.param("time_budget_man_days")
    return float(sum(line.total * (budget["branch_periodic"] if line.kind is AuditKind.BRANCH else budget["location"])
                     for line in lines))


# -- planned against done ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineProgress:
    line: ProgrammeLine
    planned: int  # planned and not yet done
    done: int
    to_plan: int  # not done and not planned, in a period that has started
    moved: int  # moved to the next period under the catch-up rule
    behind: int  # not done once the period is due, and not moved on

    def to_dict(self) -> dict[str, Any]:
        return {**self.line.to_dict(), "planned": self.planned, "done": self.done, "to_plan": self.to_plan,
                "moved": self.moved, "behind": self.behind}


def progress(
    prog: Programme,
    planned: Mapping[tuple[int, AuditKind], int],
    done: Mapping[tuple[int, AuditKind], int],
    on: date,
    moved: Mapping[tuple[int, AuditKind], int] | None = None,
) -> list[LineProgress]:
    """Each line with what is planned, done, still to plan, moved on and behind. ``behind`` only
    counts once the period is due (``due_by`` has passed): what was not done and was not moved to
    the next period by a catch-up. A period that has not started has nothing to plan yet."""
    result = []
    for line in prog.lines:
        key = (line.branch_id, line.kind)
        d, p, m = done.get(key, 0), planned.get(key, 0), (moved or {}).get(key, 0)
        open_ = max(line.total - d - m, 0)
        to_plan = max(open_ - p, 0) if prog.period.start <= on <= prog.due_by else 0
        behind = open_ if on > prog.due_by else 0
        result.append(LineProgress(line, p, d, to_plan, m, behind))
    return result


# -- catch-up (B §4.3.3, C §4.3.2) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatchUpDecision:
    allowed: bool
    propose_withdrawal: bool
    reason: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "propose_withdrawal": self.propose_withdrawal,
                "reason": self.reason, "source": self.source}


def catch_up_decision(scheme: SchemeRef, period_index: int, earlier_uses: Iterable[int], *, on: date) -> CatchUpDecision:
    """May the shortfall of period ``period_index`` move to the next period?

    Allowed ``max_uses`` times in any ``window_periods`` consecutive periods (our sliding
    reading, RULES.md §4). Counted over every window that would contain this use. Otherwise
    the certificate must be withdrawn: the system proposes it to a decider, never acts itself.
    """
    version = _version(scheme, on)
    rule = version.param("catch_up")
    window, max_uses = rule["window_periods"], rule["max_uses"]
    uses = sorted(set(earlier_uses) - {period_index})
    # Windows [s, s + window − 1] that contain period_index: s from period_index − window + 1.
    for first in range(max(1, period_index - window + 1), period_index + 1):
        inside = [u for u in uses if first <= u <= first + window - 1]
        if len(inside) + 1 > max_uses:
            return CatchUpDecision(
                False, True,
                f"Inhalen is al gebruikt in periode {', '.join(map(str, inside))}; {version.cite('catch_up')} staat "
                f"het ten hoogste {max_uses}× toe in {window} opeenvolgende periodes. Het certificaat moet worden "
                "ingetrokken: het systeem legt een voorstel tot intrekking voor aan een beslisser.",
                version.source("catch_up"))
    return CatchUpDecision(True, False,
                           f"Het tekort gaat naar de volgende periode ({version.cite('catch_up')}: ten hoogste "
                           f"{max_uses}× in {window} opeenvolgende periodes).", version.source("catch_up"))


# -- assignment (B/C §2, §6) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssignmentFacts:
    """What the assignment check needs to know about one auditor on the audit date."""

    name: str
    is_assessor: bool
    qualifications: Sequence[tuple[str, date, date | None]]  # (scheme, valid_from, valid_to) as assessor
    declarations: Sequence[tuple[date, bool]]  # this company's conflict-of-interest declarations: (on, clear)
    location_audits_that_day: int  # other location audits of this auditor on the audit date
    #: Every one of those is itself recorded as close, under a scheme that allows more then.
    others_close: bool = True


def assignment_problems(
    scheme: SchemeRef,
    audit_date: date,
    facts: AssignmentFacts,
    *,
    location: bool,
    close_locations: bool = False,
) -> list[str]:
    """Why ``facts`` may not audit on ``audit_date`` (empty when it may): qualified for the scheme
    on that date (B/C §2), a clear conflict-of-interest declaration for the company on file (the
    latest one on or before the audit date decides), and the daily cap on location audits (§6:
    ``normal``; ``close_locations`` when the locations are close, recorded as such)."""
    version = _version(scheme, audit_date)
    problems = []
    if not facts.is_assessor:
        problems.append(f"{facts.name} heeft de rol beoordelaar niet.")
    held = [(f, t) for s, f, t in facts.qualifications if s == version.scheme]
    if not any(f <= audit_date and (t is None or audit_date <= t) for f, t in held):
        if not held:
            problems.append(f"{facts.name} heeft geen kwalificatie als beoordelaar voor {version.scheme}.")
        else:
            problems.append(f"De kwalificatie van {facts.name} voor {version.scheme} is niet geldig op "
                            f"{audit_date:%d-%m-%Y}.")
    on_file = sorted((d for d in facts.declarations if d[0] <= audit_date), key=lambda d: d[0])
    if not on_file:
        problems.append(f"Er is geen verklaring over belangenverstrengeling van {facts.name} voor dit bedrijf.")
    elif not on_file[-1][1]:
        problems.append(f"{facts.name} heeft op {on_file[-1][0]:%d-%m-%Y} een belang bij dit bedrijf gemeld.")
    if location:
        caps = version.param("daily_location_audit_cap")
        # the higher cap only when every location audit of that day is recorded as close
        cap = caps["close_locations"] if close_locations and facts.others_close else caps["normal"]
        if facts.location_audits_that_day + 1 > cap:
            problems.append(f"{facts.name} heeft op {audit_date:%d-%m-%Y} al {facts.location_audits_that_day} "
                            f"beoordelingen op locatie; {version.cite('daily_location_audit_cap')} staat er ten hoogste "
                            f"{cap} per dag toe{' (locaties dicht bij elkaar)' if close_locations else ''}.")
    return problems


# -- fees (Arboregeling art. 9.1) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeeEstimate:
    man_days: float
    hours: float
    hourly_rate: Decimal
    amount: Decimal
    cap: Decimal
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"man_days": self.man_days, "hours": self.hours, "hourly_rate": str(self.hourly_rate),
                "amount": str(self.amount), "cap_per_hour": str(self.cap), "source": self.source}


def fee_estimate(scheme: SchemeRef, man_days_: float, hourly_rate: Decimal, *, on: date) -> FeeEstimate:
    """Fee estimate excluding costs and VAT; refused (ValueError) above the legal hourly cap."""
    version = _version(scheme, on)
    cap = Decimal(str(version.param("fee_cap_eur_per_hour")))
    rate = Decimal(str(hourly_rate))
    if rate < 0:
        raise ValueError("Het uurtarief mag niet negatief zijn.")
    if rate > cap:
        raise ValueError(f"Het uurtarief € {rate} is hoger dan het wettelijke maximum van € {cap} per uur "
                         f"({version.cite('fee_cap_eur_per_hour')}).")
    hours = man_days_ * version.param("man_day_hours")
    amount = (rate * Decimal(str(hours))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return FeeEstimate(man_days_, hours, rate, amount, cap, version.cite("fee_cap_eur_per_hour"))


# -- audit reports: checklist answers, review, coverage (B/C §4.4, §6.3) ---------------------------


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    FINAL = "final"


REPORT_STATUS_LABELS = {ReportStatus.DRAFT: "concept", ReportStatus.SUBMITTED: "ter beoordeling bij de teamleider",
                        ReportStatus.RETURNED: "teruggestuurd", ReportStatus.FINAL: "definitief"}


class Outcome(StrEnum):
    """What the auditor found on one checklist line."""

    CONFORM = "conform"
    FINDING = "finding"
    NOT_APPLICABLE = "not_applicable"


OUTCOME_LABELS = {Outcome.CONFORM: "conform", Outcome.FINDING: "afwijking of opmerking",
                  Outcome.NOT_APPLICABLE: "niet van toepassing"}

#: (status, action) -> next status. The auditor edits in draft or returned; the team leader
#: approves (final) or returns with comments.
REPORT_TRANSITIONS: Mapping[tuple[ReportStatus, str], ReportStatus] = {
    (ReportStatus.DRAFT, "submit"): ReportStatus.SUBMITTED,
    (ReportStatus.RETURNED, "submit"): ReportStatus.SUBMITTED,
    (ReportStatus.SUBMITTED, "approve"): ReportStatus.FINAL,
    (ReportStatus.SUBMITTED, "return"): ReportStatus.RETURNED,
}
EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})


def report_transition(status: str, action: str) -> ReportStatus:
    """The report's next status, or ValueError naming why the action is not possible now."""
    nxt = REPORT_TRANSITIONS.get((ReportStatus(status), action))
    if nxt is None:
        raise ValueError(f"Dit kan niet bij een rapport dat {REPORT_STATUS_LABELS[ReportStatus(status)]} is.")
    return nxt


def answer_problems(scheme: SchemeRef, items: Sequence[Mapping[str, str]], answers: Mapping[str, Mapping[str, Any]],
                    *, on: date) -> dict[str, str]:
    """Per line key, why its answer cannot be saved: an unknown line, an unknown outcome, a
    finding without a category of the scheme or without evidence, a category on a line that is
    not a finding. Unanswered lines are fine in a draft."""
    version = _version(scheme, on)
    categories = {c["code"] for c in version.param("finding_categories")}
    keys = {item["key"] for item in items}
    problems = {}
    for key, answer in answers.items():
        outcome, category = answer.get("outcome"), answer.get("category")
        if key not in keys:
            problems[key] = "Deze regel staat niet op de checklist van dit rapport."
        elif outcome is not None and outcome not in {o.value for o in Outcome}:
            problems[key] = f"Onbekende uitkomst {outcome!r}."
        elif outcome == Outcome.FINDING and category not in categories:
            problems[key] = (f"Kies de categorie van de afwijking ({', '.join(sorted(categories))}; "
                             f"{version.cite('finding_categories')}).")
        elif outcome == Outcome.FINDING and not (answer.get("evidence") or "").strip():
            problems[key] = "Beschrijf wat u vaststelde (het bewijs) bij een afwijking of opmerking."
        elif outcome != Outcome.FINDING and category is not None:
            problems[key] = "Alleen een afwijking of opmerking heeft een categorie."
    return problems


def submit_problems(items: Sequence[Mapping[str, str]], answers: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What stops a report from going to the team leader: every line answered."""
    open_lines = [item for item in items if not (answers.get(item["key"]) or {}).get("outcome")]
    return [f"Regel {item['clause']} ({item['text']}) is nog niet ingevuld." for item in open_lines]


@dataclass(frozen=True, slots=True)
class CoverageRow:
    clause: str
    per_period: tuple[int, ...]  # how often assessed in each period (final reports)

    @property
    def covered(self) -> bool:
        return any(self.per_period)

    def to_dict(self) -> dict[str, Any]:
        return {"clause": self.clause, "per_period": list(self.per_period), "covered": self.covered}


def coverage(clauses: Iterable[str], assessed: Iterable[tuple[int, str]], period_count: int) -> list[CoverageRow]:
    """Clause × period: every clause must be assessed at least once in the certification period
    (B/C §6.3). ``assessed`` holds (period index, clause) per line answered conform or with a
    finding in a final report; "not applicable" is not an assessment."""
    counts: dict[str, list[int]] = {clause: [0] * period_count for clause in dict.fromkeys(clauses)}
    for period, clause in assessed:
        if clause in counts and 1 <= period <= period_count:
            counts[clause][period - 1] += 1
    return [CoverageRow(clause, tuple(c)) for clause, c in counts.items()]
