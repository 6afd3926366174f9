"""A finding's procedure as one pure state machine driven by scheme data (RULES.md §6; B/C §8).

The scheme names the categories (``finding_categories``: code, label, procedure), each procedure's
steps (``category_a_steps``, ``non_a_steps``: who acts, the term in werkdagen, an outer limit, the
source) and what a step's outcome leads to (``outcomes`` on a step: close, go on, or propose a
withdrawal). This module knows none of those numbers: a later scheme with categories I–IV and
another ladder is new data, not new code.

Each step's deadline runs from the **actual** completion of the step before it (the first from the
finding date); a step not yet reached is projected from the projected date before it, and says so.
Nothing here withdraws: the last outcome of the category A ladder is a proposal a decider weighs.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from workflows.rules import PROCEDURES, SchemeRef, StepDeadline, StepStatus, _version, next_step_deadline
from workflows.text import Message, nl_date

__all__ = [
    "Completion",
    "FindingState",
    "FindingStatus",
    "StepView",
    "category_procedure",
    "complete",
    "flags",
    "overdue_b",
    "timeline",
]


class FindingStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    WITHDRAWAL_PROPOSED = "withdrawal_proposed"  # a decider confirms or rejects; nothing withdraws itself
    RAISED = "raised"  # a B not handled in its term, or several B's, became an A (a new finding)


STATUS_LABELS = {FindingStatus.OPEN: "loopt", FindingStatus.CLOSED: "afgesloten",
                 FindingStatus.WITHDRAWAL_PROPOSED: "voorstel tot intrekking bij de beslisser",
                 FindingStatus.RAISED: "verhoogd naar categorie A"}


@dataclass(frozen=True, slots=True)
class Completion:
    """A step done: on which day (the receipt date for the company's steps), with which outcome."""

    step: str
    on: date
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class FindingState:
    scheme: str
    procedure: str  # "category_a" or "non_a" (scheme data names which category follows which)
    found_on: date
    completions: tuple[Completion, ...] = ()
    status: FindingStatus = FindingStatus.OPEN


def category_procedure(scheme: SchemeRef, category: str, *, on: date) -> str | None:
    """The procedure a category follows (None: a remark, no procedure), from the scheme data."""
    version = _version(scheme, on)
    for cat in version.param("finding_categories"):
        if cat["code"] == category:
            return cat["procedure"]
    raise ValueError(f"{version.scheme} kent geen categorie {category!r}")


def _specs(scheme: SchemeRef, procedure: str, on: date) -> list[Mapping[str, Any]]:
    return list(_version(scheme, on).param(PROCEDURES[procedure]))


@dataclass(frozen=True, slots=True)
class StepView:
    """One step on the timeline: its deadline (and outer limit), when it was done, and how that
    relates to the terms; ``projected`` when the step before is not done yet."""

    step: str
    actor: str
    description: str
    deadline: StepDeadline
    completed_on: date | None
    outcome: str | None
    status: str  # a StepStatus once done; "pending" / "late" before
    projected: bool
    reached: bool  # False for steps the outcome made unnecessary (T5, T6 after "complies")

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "actor": self.actor, "description": self.description,
                **{k: v for k, v in self.deadline.to_dict().items() if k in ("due", "limit", "note")},
                "completed_on": self.completed_on.isoformat() if self.completed_on else None,
                "outcome": self.outcome, "status": self.status, "projected": self.projected, "reached": self.reached}


def timeline(state: FindingState, today: date, targets: Mapping[str, int] | None = None) -> list[StepView]:
    """Every step with its actual or projected deadline. A step's deadline counts from the actual
    completion of the step before it; when that is not done yet, from its projected deadline."""
    specs = _specs(state.scheme, state.procedure, state.found_on)
    done = {c.step: c for c in state.completions}
    views, base, projected, reached = [], state.found_on, False, True
    for spec in specs:
        label = spec["step"]
        dl = next_step_deadline(state.scheme, label, base, procedure=state.procedure, targets=targets)
        completion = done.get(label)
        if completion is not None:
            status = dl.status(completion.on).value
        elif dl.due is None:
            status = StepStatus.NO_TERM.value
        else:
            outer = dl.limit.date if dl.limit else dl.due.date
            status = "late" if today > outer and reached and state.status == FindingStatus.OPEN else "pending"
        views.append(StepView(label, spec["actor"], spec["description"], dl, completion.on if completion else None,
                              completion.outcome if completion else None, status, projected, reached))
        if completion is not None:
            base = completion.on
            then = (spec.get("outcomes") or {}).get(completion.outcome or "", {}).get("then", "next")
            if then != "next":
                reached = False  # the procedure ended here (closed, or a proposal to a decider)
        else:
            projected = True
            if dl.due is None:
                break  # no term to project from ("at the next periodic audit")
            base = dl.due.date
    return views


def _spec_after(state: FindingState, spec: Mapping[str, Any]) -> Mapping[str, Any] | None:
    specs = _specs(state.scheme, state.procedure, state.found_on)
    i = next(n for n, s in enumerate(specs) if s["step"] == spec["step"])
    return specs[i + 1] if i + 1 < len(specs) else None


def _past_limit(state: FindingState, spec: Mapping[str, Any], today: date) -> bool:
    view = next(v for v in timeline(state, today) if v.step == spec["step"])
    return view.status == "late"


def _next_spec(state: FindingState) -> Mapping[str, Any] | None:
    done = {c.step for c in state.completions}
    return next((s for s in _specs(state.scheme, state.procedure, state.found_on) if s["step"] not in done), None)


def complete(state: FindingState, step: str, on: date, outcome: str | None = None, *,
             today: date) -> FindingState:
    """Record that ``step`` was done on ``on`` (ValueError, in Dutch, when it cannot be): only the
    next step, not in the future, not before the finding or the step before it; a step with outcomes
    needs one of them. Returns the new state (closed, or with a withdrawal proposal, where the
    outcome says so)."""
    if state.status != FindingStatus.OPEN:
        raise ValueError("De procedure van deze bevinding is niet meer open.")
    spec = _next_spec(state)
    skipped = None
    if spec is not None and spec["step"] != step and spec.get("missed") == "next" and _past_limit(state, spec, today):
        # the company let its step pass (the scheme says what follows: the CKI's next step)
        skipped, spec = spec, _spec_after(state, spec)
    if spec is None or spec["step"] != step:
        raise ValueError(f"De volgende stap is {spec['step'] if spec else 'geen'}, niet {step}.")
    if on > today:
        raise ValueError("Een stap kan niet in de toekomst zijn gezet.")
    previous = state.completions[-1].on if state.completions else state.found_on
    if skipped is not None:  # counted from the missed step's last day
        missed = next(v for v in timeline(state, today) if v.step == skipped["step"])
        previous = max(previous, missed.deadline.due.date)
    if on < previous:
        raise ValueError(f"Een stap kan niet vóór de stap ervoor ({previous:%d-%m-%Y}) zijn gezet.")
    outcomes = spec.get("outcomes") or {}
    if outcomes and outcome not in outcomes:
        raise ValueError(f"Kies de uitkomst van {step}: {', '.join(outcomes)}.")
    if not outcomes and outcome is not None:
        raise ValueError(f"Stap {step} heeft geen uitkomst om te kiezen.")
    completions = (*state.completions, Completion(step, on, outcome))
    then = outcomes[outcome]["then"] if outcomes else "next"
    status = state.status
    if then == "close":
        status = FindingStatus.CLOSED
    elif then == "propose_withdrawal":
        status = FindingStatus.WITHDRAWAL_PROPOSED
    elif len(completions) == len(_specs(state.scheme, state.procedure, state.found_on)):
        status = FindingStatus.CLOSED  # the last step done
    return FindingState(state.scheme, state.procedure, state.found_on, completions, status)


def flags(state: FindingState, today: date) -> list[str]:
    """What needs a staff decision now (RULES.md §6: the annex does not say what follows): the
    company's step past its deadline without an answer, or a company step without a term in
    werkdagen ("at once") not yet answered."""
    if state.status != FindingStatus.OPEN:
        return []
    views = timeline(state, today)
    nxt = next((v for v in views if v.completed_on is None and v.reached), None)
    if nxt is None or nxt.projected or nxt.actor != "company":
        return []
    if nxt.deadline.due is None:
        return [Message("%(step)s: het bedrijf moest direct antwoorden en heeft nog niet geantwoord; de staf "
                        "beslist en legt de beslissing vast.", step=nxt.step)]
    if nxt.status == "late":
        spec = next(s for s in _specs(state.scheme, state.procedure, state.found_on) if s["step"] == nxt.step)
        if spec.get("missed") == "next":
            following = _spec_after(state, spec)
            return [Message("%(step)s: het bedrijf heeft niet op tijd geantwoord (uiterlijk %(due)s); de CKI zet "
                            "nu %(next)s.", step=nxt.step, due=nl_date(nxt.deadline.due.date), next=following["step"])]
        return [Message("%(step)s: het bedrijf heeft niet op tijd geantwoord (uiterlijk %(due)s); de bijlage zegt "
                        "niet wat dan volgt: de staf beslist en legt de beslissing vast.",
                        step=nxt.step, due=nl_date(nxt.deadline.due.date))]
    return []


def overdue_b(state: FindingState, today: date) -> bool:
    """A finding on the non-A path whose company step passed its term unanswered: it becomes a
    category A (B/C §8.1.1). The sweep raises it once; staff may too, with reasons."""
    if state.status != FindingStatus.OPEN or state.procedure != "non_a":
        return False
    views = timeline(state, today)
    nxt = next((v for v in views if v.completed_on is None and v.reached), None)
    return nxt is not None and not nxt.projected and nxt.actor == "company" and nxt.status == "late"


def describe_outcomes(scheme: SchemeRef, procedure: str, on: date) -> dict[str, Sequence[tuple[str, str]]]:
    """Per step with outcomes: (code, Dutch label), for forms."""
    return {s["step"]: [(code, o["label"]) for code, o in s["outcomes"].items()]
            for s in _specs(scheme, procedure, on) if s.get("outcomes")}
