"""The initial certification dossier (B §3, C §3; A §4.1–§4.2) as a pure state machine.

:data:`TRANSITIONS` declares every step: the event, the states it may start from, the state
it leads to, its guards and its effects. One declaration serves every scheme: each number
and each cited section comes from the dossier's :class:`~workflows.schemes.SchemeVersion`.

:func:`fire` judges one event against the facts of a dossier as they are *before* the event
and returns an :class:`Outcome` (new state, effects for the caller to carry out, notes for
staff), or raises :class:`GuardRefused` with every reason. It changes nothing: the caller
persists what the event records and applies the effects.

Guards come in two kinds. ``guards`` judge the dossier (they may read the optional event
date ``on``, default today): :func:`available_events` evaluates them to show the next
possible steps. ``input_guards`` judge the payload and run only when the event fires.

An event with several outcomes (a second failed branch assessment aborts, a decision grants
or refuses) is declared as several transitions; the first whose ``when`` holds is taken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property, reduce
from types import MappingProxyType
from typing import Any

from workflows import rules
from workflows.calendar import Deadline
from workflows.rules import _describe as describe_period
from workflows.schemes import SchemeVersion, UnknownParameter
from workflows.text import Message, nl_date, sentences, with_source

__all__ = [
    "CONDITIONAL_EFFECTS",
    "EFFECT_LABELS",
    "EVENT_LABELS",
    "PAYLOAD_FIELDS",
    "STATE_LABELS",
    "TERMINAL",
    "TRANSITIONS",
    "BranchFacts",
    "DossierFacts",
    "Event",
    "GuardRefused",
    "LocationFacts",
    "Outcome",
    "Permission",
    "PriorDeclaration",
    "Refusal",
    "State",
    "Transition",
    "Withdrawal",
    "available_events",
    "deadlines",
    "fire",
]


class State(StrEnum):
    SUBMITTED = "submitted"
    DOCUMENTATION_REVIEW = "documentation_review"
    ASSESSMENT = "assessment"
    DECISION = "decision"
    GRANTED = "granted"
    REFUSED = "refused"
    ABORTED = "aborted"
    REJECTED = "rejected"
    LAPSED = "lapsed"


STATE_LABELS: Mapping[State, str] = MappingProxyType({
    State.SUBMITTED: "Aanvraag ontvangen",
    State.DOCUMENTATION_REVIEW: "Documentatiebeoordeling",
    State.ASSESSMENT: "Beoordeling (vestigingen en projectlocaties)",
    State.DECISION: "Ter besluitvorming",
    State.GRANTED: "Verleend",
    State.REFUSED: "Geweigerd",
    State.ABORTED: "Afgebroken",
    State.REJECTED: "Niet in behandeling genomen / afgewezen",
    State.LAPSED: "Verlopen (termijn verstreken)",
})

#: Final states. A lapsed dossier is not final: staff may restart it (RULES.md §2.6).
TERMINAL: frozenset[State] = frozenset({State.GRANTED, State.REFUSED, State.ABORTED, State.REJECTED})

_OPEN: frozenset[State] = frozenset(State) - TERMINAL


class Event(StrEnum):
    TAKE_INTO_TREATMENT = "take_into_treatment"
    REJECT_APPLICATION = "reject_application"
    COMPLETE_DOCUMENTATION_REVIEW = "complete_documentation_review"
    REQUEST_LOCATION = "request_location"
    RECORD_SCA_PERMISSION = "record_sca_permission"
    RECORD_BRANCH_ASSESSMENT = "record_branch_assessment"
    RECORD_LOCATION_ASSESSMENT = "record_location_assessment"
    REQUEST_EXTRA_LOCATION = "request_extra_location"
    RECORD_WORK_WITHOUT_PERMISSION = "record_work_without_permission"
    RECORD_WRONG_MELDING_INFORMATION = "record_wrong_melding_information"
    COMPLETE_ASSESSMENT = "complete_assessment"
    RECORD_ADVICE = "record_advice"
    DECIDE = "decide"
    ABORT = "abort"
    LAPSE = "lapse"
    RESTART_AFTER_LAPSE = "restart_after_lapse"


EVENT_LABELS: Mapping[Event, str] = MappingProxyType({
    Event.TAKE_INTO_TREATMENT: "Aanvraag in behandeling nemen",
    Event.REJECT_APPLICATION: "Aanvraag afwijzen",
    Event.COMPLETE_DOCUMENTATION_REVIEW: "Documentatiebeoordeling afronden",
    Event.REQUEST_LOCATION: "Projectlocatie aanvragen bij SCA",
    Event.RECORD_SCA_PERMISSION: "Antwoord van SCA vastleggen",
    Event.RECORD_BRANCH_ASSESSMENT: "Vestigingsbeoordeling vastleggen",
    Event.RECORD_LOCATION_ASSESSMENT: "Beoordeling op projectlocatie vastleggen",
    Event.REQUEST_EXTRA_LOCATION: "Extra projectlocatie aanvragen bij SCA",
    Event.RECORD_WORK_WITHOUT_PERMISSION: "Werk zonder toestemming van SCA vastleggen",
    Event.RECORD_WRONG_MELDING_INFORMATION: "Onjuiste informatie over meldingen vastleggen",
    Event.COMPLETE_ASSESSMENT: "Beoordeling afronden",
    Event.RECORD_ADVICE: "Advies van de teamleider vastleggen",
    Event.DECIDE: "Besluiten",
    Event.ABORT: "Beoordeling afbreken",
    Event.LAPSE: "Verlopen verklaren (termijn verstreken)",
    Event.RESTART_AFTER_LAPSE: "Opnieuw beginnen na verlopen termijn",
})

#: Every effect an outcome can carry, for the caller to carry out.
EFFECT_LABELS: Mapping[str, str] = MappingProxyType({
    "report_result": "Resultaat schriftelijk aan de kandidaat melden",
    "issue_certificate": "Certificaat uitgeven",
    "send_to_sca_register": "Certificaat naar het SCA-certificaatregister sturen",
    "notify_provisional_reports_void": "Aanvrager schriftelijk melden dat de voorlopige rapporten hun waarde verloren",
    "abort": "Kandidaat melden dat de beoordeling is afgebroken",
    "reset_assessment_results": "Beoordelingsresultaten laten vervallen",
})


class Permission(StrEnum):
    """SCA's answer on a project location (B/C §3.3.1)."""

    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"


# -- facts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriorDeclaration:
    """The applicant's written declaration about other CKIs (A §4.1 a)."""

    held_or_applied_elsewhere: bool
    consent_to_transfer: bool
    declared_on: date


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """An earlier withdrawal of this company's certificate for this scheme, at any CKI."""

    withdrawn_on: date
    false_information: bool


@dataclass(frozen=True, slots=True)
class BranchFacts:
    """A branch in the application, with its branch assessment results in order.

    ``last_assessed_on`` is the date of its latest branch assessment: it can be the last
    assessment that starts the decision-letter term.
    """

    id: int
    label: str
    branch_results: tuple[bool, ...] = ()
    last_assessed_on: date | None = None

    @property
    def passed(self) -> bool:
        return any(self.branch_results)

    @property
    def failures(self) -> int:
        return self.branch_results.count(False)


@dataclass(frozen=True, slots=True)
class LocationFacts:
    """A project location requested from SCA for a branch, and its assessment (if any)."""

    id: int
    branch_id: int
    extra: bool
    permission: str
    result: bool | None = None
    assessed_on: date | None = None
    complete_result: bool = False
    containment: bool = False
    requested_on: date | None = None
    permission_on: date | None = None

    def __post_init__(self) -> None:
        Permission(self.permission)  # a typo must fail here, not count as "no permission"

    @property
    def assessed(self) -> bool:
        return self.result is not None

    @property
    def active(self) -> bool:
        """Counts against the branch's cap: SCA has not refused it."""
        return self.permission != Permission.REFUSED


@dataclass(frozen=True)
class DossierFacts:
    """What the machine knows of a dossier: its state and everything the guards judge."""

    scheme: SchemeVersion
    state: State
    applied_on: date
    today: date
    company_branch_ids: frozenset[int]
    branches: tuple[BranchFacts, ...]
    locations: tuple[LocationFacts, ...]
    prior_declaration: PriorDeclaration | None
    informed_of_rules: bool
    withdrawals: tuple[Withdrawal, ...]
    documentation_review_passed: bool | None
    assessor_ids: frozenset[int]
    team_leader_advice: bool
    #: Staff assigned as assessor (only they, or a team leader, record an assessment).
    assigned_assessor_ids: frozenset[int] = frozenset()
    #: When the steps a later event depends on were recorded (none may be dated before them).
    documentation_reviewed_on: date | None = None
    assessment_completed_on: date | None = None
    advised_on: date | None = None

    def branch(self, branch_id: object) -> BranchFacts | None:
        return next((b for b in self.branches if b.id == branch_id), None)

    def location(self, location_id: object) -> LocationFacts | None:
        return next((loc for loc in self.locations if loc.id == location_id), None)

    def locations_of(self, branch_id: int) -> tuple[LocationFacts, ...]:
        return tuple(loc for loc in self.locations if loc.branch_id == branch_id)

    @property
    def first_location_assessment_on(self) -> date | None:
        return min((loc.assessed_on for loc in self.locations if loc.assessed_on), default=None)

    @property
    def last_assessment_on(self) -> date | None:
        """The latest branch or location assessment: the decision letter runs from it."""
        days = [loc.assessed_on for loc in self.locations if loc.assessed_on]
        days += [b.last_assessed_on for b in self.branches if b.last_assessed_on]
        return max(days, default=None)

    @cached_property
    def window_end(self) -> Deadline | None:
        """Last day to decide (B/C §3.1.2); ``None`` until the first location assessment."""
        first = self.first_location_assessment_on
        return None if first is None else rules.four_month_window_end(self.scheme, first)

    def window_lapsed(self, on: date) -> bool:
        return self.window_end is not None and on > self.window_end.date


# -- refusals, outcomes, transitions ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an event may not happen: a stable code, a Dutch message citing its source."""

    code: str
    message: str
    source: str
    field: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "source": self.source, "field": self.field}


class GuardRefused(Exception):
    """The event may not happen; ``reasons`` holds every refusal, not only the first."""

    def __init__(self, reasons: Iterable[Refusal]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(sentences(r.message for r in self.reasons))


@dataclass(frozen=True, slots=True)
class Outcome:
    event: Event
    state_before: State
    state_after: State
    effects: tuple[str, ...]
    notes: tuple[str, ...]
    #: Why the dossier ended without a certificate (abort, rejection), in words for the letter.
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.event.value, "state_before": self.state_before.value,
                "state_after": self.state_after.value, "effects": list(self.effects), "notes": list(self.notes),
                "reason": self.reason}


Guard = Callable[[DossierFacts, Mapping[str, Any]], Refusal | None]
Condition = Callable[[DossierFacts, Mapping[str, Any]], bool]


@dataclass(frozen=True, slots=True)
class Transition:
    """One declared step. ``target`` ``None``: the dossier stays in its state.

    ``when`` picks this transition among those of the same event (``None``: always);
    ``when_label`` says so in Dutch for the diagram.
    """

    event: Event
    sources: frozenset[State]
    target: State | None
    guards: tuple[Guard, ...] = ()
    input_guards: tuple[Guard, ...] = ()
    effects: tuple[str, ...] = ()
    when: Condition | None = None
    when_label: str = ""


# -- helpers ------------------------------------------------------------------------------

_SECTIONS = "initial_certification_sections"
_INPUT_CHECK = "invoercontrole"


def _section(facts: DossierFacts, rule: str) -> str:
    """Where the scheme states ``rule`` ("B §3.3.1"): data, because B and C number differently."""
    try:
        return str(facts.scheme.param(_SECTIONS)[rule])
    except KeyError:
        raise UnknownParameter(
            f"{facts.scheme.scheme} version {facts.scheme.version!r}: {_SECTIONS} has no {rule!r}"
        ) from None


def _refuse(code: str, text: Message, source: str, field: str | None = None) -> Refusal:
    # The message carries its source too (callers often show only the message), inside its last
    # sentence: "De termijn loopt nog tot en met 31-07-2026 (B §3.1.2)." It stays a Message, so a
    # page says it in the reader's language (cki.core.i18n.say); the API and the logs keep the Dutch.
    return Refusal(code, with_source(text, source), source, field)


def _period(facts: DossierFacts, name: str) -> Message:
    return describe_period(facts.scheme.param(name))


def _label(event: Event) -> Message:
    # cki registers EVENT_LABELS and STATE_LABELS for the catalog
    return Message.known(EVENT_LABELS[event])


def _state_label(state: State) -> Message:
    return Message.known(STATE_LABELS[state])


def _listed(items: Iterable[Message]) -> Message:
    """Sentences as one list: "a, b, c"."""
    return reduce(lambda first, second: Message("%(first)s, %(second)s", first=first, second=second), items)


def _on(facts: DossierFacts, payload: Mapping[str, Any]) -> date:
    """The event's date: ``on`` when given, else today."""
    on = payload.get("on")
    return on if isinstance(on, date) else facts.today


def _labels(branches: Iterable[BranchFacts]) -> str:
    return ", ".join(b.label for b in branches)


def _blocking_withdrawal(facts: DossierFacts, *, false_information: bool) -> tuple[Withdrawal, Deadline] | None:
    """The withdrawal whose block (A §4.1 b or §4.2 e) covers the application date longest."""
    blocks = [
        (w, rules.reapplication_allowed_from(facts.scheme, w.withdrawn_on, false_information=false_information))
        for w in facts.withdrawals
        if w.false_information == false_information
    ]
    blocking = [(w, allowed) for w, allowed in blocks if facts.applied_on < allowed.date]
    return max(blocking, key=lambda block: block[1].date, default=None)


def _successes(facts: DossierFacts, branch: BranchFacts) -> int:
    return sum(1 for loc in facts.locations_of(branch.id) if loc.result is True)


# -- guards: application (A §4.1–§4.2, B/C §3.1) --------------------------------------------


def prior_declaration_present(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    if facts.prior_declaration is None:
        return _refuse(
            "prior_declaration_missing",
            Message("De schriftelijke verklaring van de aanvrager ontbreekt: had hij in de afgelopen "
                    "%(period)s voor dit werkveld een certificaat bij een andere CKI, of vroeg hij het daar aan?",
                    period=_period(facts, "prior_cki_lookback")),
            facts.scheme.source("prior_cki_lookback"),
        )
    return None


def consent_to_transfer_given(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    declaration = facts.prior_declaration
    if declaration and declaration.held_or_applied_elsewhere and not declaration.consent_to_transfer:
        return _refuse(
            "consent_missing",
            Message("De aanvrager had of vroeg in de afgelopen %(period)s een certificaat bij een andere CKI. "
                    "De aanvraag wordt pas in behandeling genomen na zijn schriftelijke toestemming dat die CKI "
                    "haar gegevens aan ons ter beschikking stelt.",
                    period=_period(facts, "prior_cki_lookback")),
            _section(facts, "prior_cki_consent"),
        )
    return None


def no_recent_withdrawal(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    name = "reapply_block_after_withdrawal"
    if found := _blocking_withdrawal(facts, false_information=False):
        withdrawal, allowed = found
        return _refuse(
            "withdrawn_recently",
            Message("Het certificaat van dit bedrijf voor dit schema is op %(withdrawn_on)s ingetrokken "
                    "(ook op eigen verzoek telt), ten hoogste %(period)s vóór de aanvraag van %(applied_on)s. "
                    "De aanvraag wordt afgewezen: kies '%(step)s'. Een nieuwe aanvraag kan vanaf %(allowed_from)s.",
                    withdrawn_on=nl_date(withdrawal.withdrawn_on), period=_period(facts, name),
                    applied_on=nl_date(facts.applied_on), step=_label(Event.REJECT_APPLICATION),
                    allowed_from=nl_date(allowed.date)),
            facts.scheme.source(name),
        )
    return None


def no_false_information_withdrawal(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    name = "reapply_block_after_false_information"
    if found := _blocking_withdrawal(facts, false_information=True):
        withdrawal, allowed = found
        return _refuse(
            "withdrawn_for_false_information",
            Message("Het certificaat van dit bedrijf voor dit schema is op %(withdrawn_on)s ingetrokken omdat "
                    "het een CKI onjuist informeerde over eerdere certificaten en aanvragen (%(rule)s); "
                    "een nieuwe aanvraag kan pas na %(period)s, vanaf %(allowed_from)s. De aanvraag wordt "
                    "afgewezen: kies '%(step)s'.",
                    withdrawn_on=nl_date(withdrawal.withdrawn_on), rule=_section(facts, "prior_cki_consent"),
                    period=_period(facts, name), allowed_from=nl_date(allowed.date),
                    step=_label(Event.REJECT_APPLICATION)),
            facts.scheme.source(name),
        )
    return None


def all_branches_in_application(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    missing = sorted(facts.company_branch_ids - {b.id for b in facts.branches})
    if facts.branches and not missing:
        return None
    if missing:
        text = Message("Alle vestigingen van het bedrijf horen bij de aanvraag, de beoordeling en de beslissing. "
                       "Ontbrekend: vestiging %(missing)s.", missing=", ".join(map(str, missing)))
    else:
        text = Message("Alle vestigingen van het bedrijf horen bij de aanvraag, de beoordeling en de beslissing.")
    return _refuse("branches_missing", text, _section(facts, "all_branches"))


def applicant_informed_of_rules(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    if not facts.informed_of_rules:
        return _refuse(
            "not_informed_of_rules",
            Message("De CKI heeft de kandidaat nog niet schriftelijk geïnformeerd over de regels, voorwaarden en "
                    "procedures voor de behandeling van de aanvraag."),
            _section(facts, "informed_of_rules"),
        )
    return None


def rejection_reason_given(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    if not str(payload.get("reason", "")).strip():
        return _refuse("reason_missing",
                       Message("Een afwijzing is een besluit en vraagt een schriftelijke motivering."),
                       "Awb art. 3:46", "reason")
    return None


# -- guards: assessment (B/C §3.2–§3.4) -------------------------------------------------------


def documentation_review_passed(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    if facts.documentation_review_passed is not True:
        return _refuse(
            "documentation_review_not_passed",
            Message("De documentatie voldoet (nog) niet; pas daarna vraagt de CKI toestemming voor projectlocaties "
                    "en beoordeelt zij de implementatie."),
            _section(facts, "documentation_review"),
        )
    return None


def event_date_plausible(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    on = _on(facts, payload)
    if on > facts.today:
        return _refuse("date_in_future",
                       Message("De datum %(on)s ligt na vandaag (%(today)s).", on=nl_date(on), today=nl_date(facts.today)),
                       _INPUT_CHECK, "on")
    if on < facts.applied_on:
        return _refuse("date_before_application",
                       Message("De datum %(on)s ligt vóór de aanvraag (%(applied_on)s).", on=nl_date(on),
                               applied_on=nl_date(facts.applied_on)),
                       _INPUT_CHECK, "on")
    return None


def _not_before(facts: DossierFacts, payload: Mapping[str, Any], earlier: date | None, what: Message,
                rule: str) -> Refusal | None:
    on = _on(facts, payload)
    if earlier is not None and on < earlier:
        return _refuse("date_before_dependency",
                       Message("De datum %(on)s ligt vóór %(step)s (%(earlier)s); een stap kan niet eerder "
                               "plaatsvinden dan de stap waarop hij volgt.",
                               on=nl_date(on), step=what, earlier=nl_date(earlier)),
                       _section(facts, rule), "on")
    return None


def dated_after_documentation_review(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    return _not_before(facts, payload, facts.documentation_reviewed_on,
                       Message("de afgeronde documentatiebeoordeling"), "documentation_review")


def dated_after_request(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    location = facts.location(payload.get("location_id"))
    return _not_before(facts, payload, location.requested_on if location else None,
                       Message("de aanvraag van deze projectlocatie bij SCA"), "sca_permission")


def dated_after_permission(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    location = facts.location(payload.get("location_id"))
    return _not_before(facts, payload, location.permission_on if location else None,
                       Message("de toestemming van SCA voor deze projectlocatie"), "sca_permission")


def decided_after_the_file(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    """A decision is not dated before the advice and the completed assessment it is taken on."""
    return (_not_before(facts, payload, facts.advised_on, Message("het advies van de teamleider"), "decision")
            or _not_before(facts, payload, facts.assessment_completed_on,
                           Message("de afronding van de beoordeling"), "decision"))


def _lapsed(facts: DossierFacts, on: date, end: Deadline, first: date) -> Refusal:
    return _refuse(
        "window_lapsed",
        Message("Het dossier is verlopen: de termijn van %(period)s vanaf de eerste beoordeling op projectlocatie "
                "(%(first)s) eindigde op %(end)s. Op %(on)s zijn de resultaten vervallen en kan er niet meer op "
                "worden beslist.",
                period=_period(facts, "assessment_window"), first=nl_date(first), end=nl_date(end.date),
                on=nl_date(on)),
        facts.scheme.source("assessment_window"),
        "on",
    )


def _recorded_too_late(facts: DossierFacts, end: Deadline, first: date) -> Refusal | None:
    """Vastleggen na het einde van de termijn (ook met een datum erbinnen): de resultaten zijn dan vervallen."""
    name = "assessment_window_counts_recording"
    if not (facts.scheme.has(name) and facts.scheme.param(name)) or facts.today <= end.date:
        return None
    return _refuse(
        "window_lapsed_at_recording",
        Message("De termijn van %(period)s vanaf de eerste beoordeling op projectlocatie (%(first)s) eindigde op "
                "%(end)s; vandaag (%(today)s) zijn de resultaten vervallen. Een stap gedateerd binnen de termijn "
                "kan daarna niet meer worden vastgelegd. %(note)s",
                period=_period(facts, "assessment_window"), first=nl_date(first), end=nl_date(end.date),
                today=nl_date(facts.today), note=facts.scheme.note(name)),
        facts.scheme.source(name),
        "on",
    )


def within_window(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    """The event's date (default today), and the day it is recorded, are at most the window end (B/C §3.1.2)."""
    on, end, first = _on(facts, payload), facts.window_end, facts.first_location_assessment_on
    if end is None or first is None:
        return None
    if on > end.date:
        return _lapsed(facts, on, end, first)
    return _recorded_too_late(facts, end, first)


def location_assessment_within_window(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    """As :func:`within_window`, counting this assessment: the first one starts the window."""
    on = _on(facts, payload)
    first = min(filter(None, (facts.first_location_assessment_on, on)))
    end = rules.four_month_window_end(facts.scheme, first)
    return _lapsed(facts, on, end, first) if on > end.date else _recorded_too_late(facts, end, first)


def recorded_by_assigned_assessor(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    """Only an assessor assigned to the dossier, or a team leader, records an assessment."""
    if payload.get("actor_is_team_leader") is True or payload.get("assessor_id") in facts.assigned_assessor_ids:
        return None
    return _refuse("assessor_not_assigned",
                   Message("Alleen een aan dit dossier toegewezen beoordelaar, of een teamleider, legt een "
                           "beoordeling vast; de planner wijst beoordelaars toe die voor het schema gekwalificeerd "
                           "zijn."),
                   _section(facts, "assessor_qualification"), "assessor_id")


def branch_in_application(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    if facts.branch(payload.get("branch_id")) is None:
        return _refuse("branch_unknown",
                       Message("Vestiging %(branch)s hoort niet bij deze aanvraag.", branch=payload.get("branch_id")),
                       _section(facts, "all_branches"), "branch_id")
    return None


def branch_not_yet_passed(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    branch = facts.branch(payload.get("branch_id"))
    if branch and branch.passed:
        return _refuse("branch_already_passed",
                       Message("De vestigingsbeoordeling van %(branch)s voldeed al; een nieuwe poging is niet nodig.",
                               branch=branch.label),
                       _section(facts, "branch_assessment"), "branch_id")
    return None


def branch_tries_left(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    name = "branch_assessment_max_tries"
    branch, limit = facts.branch(payload.get("branch_id")), facts.scheme.param(name)
    if branch and len(branch.branch_results) >= limit:
        return _refuse("branch_tries_exhausted",
                       Message("%(branch)s is al %(count)s keer beoordeeld; ten hoogste %(limit)s "
                               "vestigingsbeoordelingen zijn toegestaan.",
                               branch=branch.label, count=len(branch.branch_results), limit=limit),
                       facts.scheme.source(name), "branch_id")
    return None


def regular_location_room(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    name = "consented_locations_per_branch"
    branch = facts.branch(payload.get("branch_id"))
    if branch is None:
        return None
    cap = facts.scheme.param(name)["regular"]
    # A location SCA refused gives the candidate no standing: it does not use up the cap.
    used = sum(1 for loc in facts.locations_of(branch.id) if not loc.extra and loc.active)
    if used >= cap:
        return _refuse(
            "location_cap",
            Message("Voor %(branch)s zijn al %(used)s projectlocaties aangevraagd; de kandidaat wordt op ten "
                    "hoogste %(cap)s gelijkgesteld met een gecertificeerd bedrijf. Een extra projectlocatie kan "
                    "alleen na een niet-voldoende beoordeling, via '%(step)s'.",
                    branch=branch.label, used=used, cap=cap, step=_label(Event.REQUEST_EXTRA_LOCATION)),
            facts.scheme.source(name), "branch_id",
        )
    return None


def location_known(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    location = facts.location(payload.get("location_id"))
    if location is None:
        return _refuse("location_unknown",
                       Message("Projectlocatie %(location)s hoort niet bij dit dossier.",
                               location=payload.get("location_id")),
                       _INPUT_CHECK, "location_id")
    if facts.branch(location.branch_id) is None:
        return _refuse("location_branch_unknown",
                       Message("Projectlocatie %(location)s hoort bij vestiging %(branch)s, die niet in de "
                               "aanvraag staat.", location=location.id, branch=location.branch_id),
                       _section(facts, "all_branches"), "location_id")
    return None


def permission_pending(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    location = facts.location(payload.get("location_id"))
    if location and location.permission != Permission.REQUESTED:
        if location.permission == Permission.GRANTED:
            text = Message("Voor projectlocatie %(location)s is het antwoord van SCA al vastgelegd (gegeven).",
                           location=location.id)
        else:
            text = Message("Voor projectlocatie %(location)s is het antwoord van SCA al vastgelegd (geweigerd).",
                           location=location.id)
        return _refuse("permission_already_recorded", text, _section(facts, "sca_permission"), "location_id")
    return None


def location_permitted(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    location = facts.location(payload.get("location_id"))
    if location and location.permission != Permission.GRANTED:
        return _refuse(
            "no_sca_permission",
            Message("SCA heeft voor projectlocatie %(location)s (nog) geen schriftelijke toestemming gegeven; pas "
                    "daarna mag de kandidaat er werken en beoordeelt de CKI er. Werkte de kandidaat er toch, kies "
                    "dan '%(step)s'.",
                    location=location.id, step=_label(Event.RECORD_WORK_WITHOUT_PERMISSION)),
            _section(facts, "sca_permission"), "location_id",
        )
    return None


def location_not_assessed(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    location = facts.location(payload.get("location_id"))
    if location and (location.assessed or location.assessed_on):
        if location.assessed_on:
            text = Message("Projectlocatie %(location)s is al beoordeeld op %(on)s.", location=location.id,
                           on=nl_date(location.assessed_on))
        else:
            text = Message("Projectlocatie %(location)s is al beoordeeld.", location=location.id)
        return _refuse("location_already_assessed", text, _section(facts, "location_assessment"), "location_id")
    return None


def representative_reason_given(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    if not str(payload.get("representative_reason", "")).strip():
        return _refuse("representative_reason_missing",
                       Message("Leg vast waarom de CKI deze projectlocatie naar aard en omvang representatief vindt."),
                       _section(facts, "location_assessment"), "representative_reason")
    return None


def failed_location_in_branch(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    branch = facts.branch(payload.get("branch_id"))
    if branch and not any(loc.result is False and not loc.extra for loc in facts.locations_of(branch.id)):
        return _refuse("no_failed_location",
                       Message("Een extra projectlocatie kan pas nadat de kandidaat op een projectlocatie van "
                               "%(branch)s niet voldeed; zij dient om de corrigerende maatregelen te verifiëren.",
                               branch=branch.label),
                       facts.scheme.source("extra_location_max"), "branch_id")
    return None


def extra_location_left(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    name = "extra_location_max"
    branch, limit = facts.branch(payload.get("branch_id")), facts.scheme.param(name)
    # "Eenmalig een aanvraag": a request SCA refused still used the one chance.
    if branch and sum(1 for loc in facts.locations_of(branch.id) if loc.extra) >= limit:
        return _refuse("extra_location_used",
                       Message("Voor %(branch)s is de extra projectlocatie al aangevraagd; dat kan ten hoogste "
                               "%(limit)s keer (onze lezing: per vestiging).", branch=branch.label, limit=limit),
                       facts.scheme.source(name), "branch_id")
    return None


def extra_location_room(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    name = "consented_locations_per_branch"
    branch = facts.branch(payload.get("branch_id"))
    if branch is None:
        return None
    cap = facts.scheme.param(name)["with_extra"]
    used = sum(1 for loc in facts.locations_of(branch.id) if loc.active)
    if used >= cap:
        return _refuse("location_cap_with_extra",
                       Message("Voor %(branch)s zijn al %(used)s projectlocaties aangevraagd; met de extra "
                               "projectlocatie zijn het er ten hoogste %(cap)s.", branch=branch.label, used=used,
                               cap=cap),
                       facts.scheme.source(name), "branch_id")
    return None


def scheme_aborts_on_wrong_melding_information(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    name = "abort_on_wrong_melding_information"
    if not facts.scheme.param(name):
        return _refuse("not_a_ground_in_scheme",
                       Message("%(scheme)s kent onjuiste of onvolledige informatie over meldingen niet als grond "
                               "om de beoordeling af te breken.", scheme=facts.scheme.scheme),
                       facts.scheme.source(name))
    return None


def abort_reason_given(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    if not str(payload.get("reason", "")).strip():
        return _refuse("reason_missing", Message("Vermeld waarom de beoordeling wordt afgebroken."),
                       _section(facts, "abort"), "reason")
    return None


# -- guards: is there anything to act on? --------------------------------------------------------
#
# An event that names a branch or location is judged on that one by its input guards. For the
# overview of next steps, these say whether any branch or location would pass them.


def _for_some(facts: DossierFacts, payload: Mapping[str, Any], key: str, candidates: Iterable[int],
              guards: tuple[Guard, ...], nothing: Callable[[DossierFacts], Refusal]) -> Refusal | None:
    if key in payload:
        return None
    judged = [_judge(guards, facts, {key: candidate}) for candidate in candidates]
    if not judged:
        return nothing(facts)
    return None if not all(judged) else judged[0][0]


def _no_branch(facts: DossierFacts) -> Refusal:
    return _refuse("no_branch", Message("De aanvraag bevat geen vestiging."), _section(facts, "all_branches"))


def _no_location(facts: DossierFacts) -> Refusal:
    return _refuse("no_location", Message("Er is nog geen projectlocatie aangevraagd."),
                   _section(facts, "sca_permission"))


def some_branch_has_room(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    return _for_some(facts, payload, "branch_id", [b.id for b in facts.branches], (regular_location_room,),
                     _no_branch)


def some_branch_may_get_an_extra_location(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    return _for_some(facts, payload, "branch_id", [b.id for b in facts.branches],
                     (failed_location_in_branch, extra_location_left, extra_location_room), _no_branch)


def some_branch_to_assess(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    return _for_some(facts, payload, "branch_id", [b.id for b in facts.branches],
                     (branch_not_yet_passed, branch_tries_left), _no_branch)


def some_location_awaits_sca(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    return _for_some(facts, payload, "location_id", [loc.id for loc in facts.locations], (permission_pending,),
                     _no_location)


def some_location_to_assess(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    return _for_some(facts, payload, "location_id", [loc.id for loc in facts.locations],
                     (location_permitted, location_not_assessed), _no_location)


def some_location_known(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    return _for_some(facts, payload, "location_id", [loc.id for loc in facts.locations], (location_known,),
                     _no_location)


# -- guards: completing the assessment (B/C §3.1.3, §3.2.B, §3.4.1) ---------------------------


def branches_passed(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    pending = [b for b in facts.branches if not b.passed]
    if pending:
        return _refuse("branch_assessment_missing",
                       Message("Nog geen vestigingsbeoordeling die voldoet voor: %(branches)s.",
                               branches=_labels(pending)),
                       f"{_section(facts, 'all_branches')}; {_section(facts, 'branch_assessment')}")
    return None


def no_blocking_negative_result(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    limit = facts.scheme.param("branch_assessment_max_tries")
    negative = [b for b in facts.branches if not b.passed and b.failures >= limit]
    if negative:
        return _refuse("negative_branch_result",
                       Message("Een negatief oordeel over %(branches)s staat verlening voor het hele bedrijf in "
                               "de weg.", branches=_labels(negative)),
                       _section(facts, "all_branches"))
    return None


def enough_successful_locations(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    name = "min_successful_location_assessments_per_branch"
    needed = facts.scheme.param(name)
    short = [Message("%(branch)s %(count)s van %(needed)s", branch=b.label, count=_successes(facts, b), needed=needed)
             for b in facts.branches if _successes(facts, b) < needed]
    if short:
        return _refuse("too_few_successful_locations",
                       Message("Elke vestiging heeft minimaal %(needed)s beoordelingen op projectlocatie nodig die "
                               "voldoen; nu: %(short)s.", needed=needed, short=_listed(short)),
                       facts.scheme.source(name))
    return None


def enough_complete_results(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    name = "min_complete_results"
    needed = facts.scheme.param(name)
    count = sum(1 for loc in facts.locations if loc.result is True and loc.complete_result)
    if count < needed:
        what = facts.scheme.note(name) or Message("Volledige resultaten die aan het schema voldoen.")
        return _refuse("too_few_complete_results",
                       Message("De beoordeling kan pas worden afgerond met minimaal %(needed)s volledige resultaten; "
                               "nu %(count)s. %(what)s", needed=needed, count=count, what=what),
                       facts.scheme.source(name))
    return None


def enough_containment(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    name = "min_containment_location_assessments"
    if not facts.scheme.has(name):
        return None
    needed = facts.scheme.param(name)
    # The annex asks that a project in containment "wordt beoordeeld": any result counts.
    count = sum(1 for loc in facts.locations if loc.assessed and loc.containment)
    if count < needed:
        return _refuse("too_few_containment",
                       Message("Minimaal %(needed)s beoordeelde projectlocatie(s) in containment nodig; nu %(count)s.",
                               needed=needed, count=count),
                       facts.scheme.source(name))
    return None


# -- guards: decision (B §3.6, C §3.5; B/C §2.4) ----------------------------------------------


def team_leader_advice_recorded(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    if not facts.team_leader_advice:
        return _refuse("advice_missing",
                       Message("Het schriftelijke advies van de teamleider ontbreekt; de beslissing wordt genomen "
                               "op basis van de beoordelingsrapportage en dat advies."),
                       _section(facts, "decision"))
    return None


def decided_after_last_assessment(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    on, last = _on(facts, payload), facts.last_assessment_on
    if last is not None and on < last:
        return _refuse("decision_before_assessment",
                       Message("De beslisdatum %(on)s ligt vóór de laatste beoordeling (%(last)s); er wordt "
                               "beslist op basis van de beoordelingsrapportage.", on=nl_date(on), last=nl_date(last)),
                       _section(facts, "decision"), "on")
    return None


def decider_appointed(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    if payload.get("decider_has_role") is not True:
        return _refuse("decider_not_appointed",
                       Message("Alleen een door de CKI daartoe aangewezen beslisser (college of persoon) neemt de "
                               "certificatiebeslissing."), _section(facts, "decision"), "decider_id")
    return None


def decider_not_assessor(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    if payload.get("decider_id") in facts.assessor_ids:
        return _refuse("decider_was_assessor",
                       Message("De beslisser was beoordelaar in dit dossier en mag daarom niet beslissen."),
                       _section(facts, "decider_not_assessor"), "decider_id")
    return None


# -- guards: lapse ----------------------------------------------------------------------------


def window_has_lapsed(facts: DossierFacts, payload: Mapping[str, Any]) -> Refusal | None:
    end, source = facts.window_end, facts.scheme.source("assessment_window")
    if end is None:
        return _refuse("window_not_started",
                       Message("De termijn is nog niet begonnen: er is nog geen beoordeling op projectlocatie."),
                       source)
    if facts.today <= end.date:
        return _refuse("window_open", Message("De termijn loopt nog tot en met %(end)s.", end=nl_date(end.date)),
                       source)
    return None


# -- conditions -------------------------------------------------------------------------------


def documentation_passes(facts: DossierFacts, payload: Mapping[str, Any]) -> bool:
    return payload["passed"] is True


def branch_fails_finally(facts: DossierFacts, payload: Mapping[str, Any]) -> bool:
    """A failed branch assessment with no try left aborts (§3.4.2, first ground)."""
    branch = facts.branch(payload["branch_id"])
    limit = facts.scheme.param("branch_assessment_max_tries")
    return branch is not None and payload["passed"] is False and len(branch.branch_results) + 1 >= limit


def extra_location_fails(facts: DossierFacts, payload: Mapping[str, Any]) -> bool:
    """A failed extra location aborts (§3.4.2, second ground)."""
    location = facts.location(payload["location_id"])
    return location is not None and location.extra and payload["passed"] is False


def grant_requested(facts: DossierFacts, payload: Mapping[str, Any]) -> bool:
    return payload["grant"] is True


def redo_documentation_review(facts: DossierFacts, payload: Mapping[str, Any]) -> bool:
    return payload["redo_documentation_review"] is True


def provisional_reports_may_exist(facts: DossierFacts, payload: Mapping[str, Any]) -> bool:
    """The scheme has provisional reports and SCA consented to a location to make them on."""
    return facts.scheme.has("provisional_report_expiry") and any(
        loc.permission == Permission.GRANTED for loc in facts.locations
    )


#: Effects that apply only when their condition holds. Reports made during the assessment lose
#: their value whenever no certificate can be granted (B §3.6.3): refused, aborted or lapsed.
CONDITIONAL_EFFECTS: Mapping[str, Condition] = MappingProxyType({
    "notify_provisional_reports_void": provisional_reports_may_exist,
})


# -- the declaration --------------------------------------------------------------------------

_APPLICATION_GUARDS: tuple[Guard, ...] = (
    prior_declaration_present,
    consent_to_transfer_given,
    no_recent_withdrawal,
    no_false_information_withdrawal,
    all_branches_in_application,
    applicant_informed_of_rules,
)
_COMPLETION_GUARDS: tuple[Guard, ...] = (
    branches_passed,
    no_blocking_negative_result,
    enough_successful_locations,
    enough_complete_results,
    enough_containment,
)
_BRANCH_ASSESSMENT_GUARDS: tuple[Guard, ...] = (
    event_date_plausible, dated_after_documentation_review, within_window, some_branch_to_assess,
)
_BRANCH_ASSESSMENT_INPUT: tuple[Guard, ...] = (
    branch_in_application, branch_not_yet_passed, branch_tries_left, recorded_by_assigned_assessor,
)
_LOCATION_ASSESSMENT_GUARDS: tuple[Guard, ...] = (
    event_date_plausible, dated_after_documentation_review, location_assessment_within_window,
    some_location_to_assess,
)
_LOCATION_ASSESSMENT_INPUT: tuple[Guard, ...] = (
    location_known, location_permitted, location_not_assessed, dated_after_permission, representative_reason_given,
    recorded_by_assigned_assessor,
)
_DECISION_GUARDS: tuple[Guard, ...] = (
    team_leader_advice_recorded, event_date_plausible, within_window, decided_after_last_assessment,
    decided_after_the_file,
)
_DECIDER_INPUT: tuple[Guard, ...] = (decider_appointed, decider_not_assessor)

#: Ending without a certificate: the candidate is told; provisional reports lose their value.
_ENDS_ASSESSMENT = ("abort", "notify_provisional_reports_void")
_RUNNING = frozenset({State.ASSESSMENT, State.DECISION})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Event.TAKE_INTO_TREATMENT, frozenset({State.SUBMITTED}), State.DOCUMENTATION_REVIEW,
               guards=_APPLICATION_GUARDS),
    # A §4.1 b and §4.2 e before treatment; A §4.2 b (a sanction) at any time before the decision.
    Transition(Event.REJECT_APPLICATION, _OPEN, State.REJECTED, input_guards=(rejection_reason_given,),
               effects=("report_result", "notify_provisional_reports_void")),
    Transition(Event.COMPLETE_DOCUMENTATION_REVIEW, frozenset({State.DOCUMENTATION_REVIEW}), State.ASSESSMENT,
               input_guards=(recorded_by_assigned_assessor,), effects=("report_result",), when=documentation_passes,
               when_label="voldoet"),
    Transition(Event.COMPLETE_DOCUMENTATION_REVIEW, frozenset({State.DOCUMENTATION_REVIEW}), None,
               input_guards=(recorded_by_assigned_assessor,), effects=("report_result",), when_label="voldoet niet"),
    Transition(Event.REQUEST_LOCATION, frozenset({State.ASSESSMENT}), None,
               guards=(documentation_review_passed, within_window, some_branch_has_room),
               input_guards=(branch_in_application, regular_location_room)),
    Transition(Event.RECORD_SCA_PERMISSION, frozenset({State.ASSESSMENT}), None,
               guards=(some_location_awaits_sca,),
               input_guards=(location_known, permission_pending, event_date_plausible, dated_after_request)),
    Transition(Event.RECORD_BRANCH_ASSESSMENT, frozenset({State.ASSESSMENT}), State.ABORTED,
               guards=_BRANCH_ASSESSMENT_GUARDS, input_guards=_BRANCH_ASSESSMENT_INPUT,
               effects=("report_result", *_ENDS_ASSESSMENT), when=branch_fails_finally,
               when_label="laatste poging voldoet niet"),
    Transition(Event.RECORD_BRANCH_ASSESSMENT, frozenset({State.ASSESSMENT}), None,
               guards=_BRANCH_ASSESSMENT_GUARDS, input_guards=_BRANCH_ASSESSMENT_INPUT,
               effects=("report_result",)),
    Transition(Event.RECORD_LOCATION_ASSESSMENT, frozenset({State.ASSESSMENT}), State.ABORTED,
               guards=_LOCATION_ASSESSMENT_GUARDS,
               input_guards=_LOCATION_ASSESSMENT_INPUT, effects=("report_result", *_ENDS_ASSESSMENT),
               when=extra_location_fails, when_label="extra projectlocatie voldoet niet"),
    Transition(Event.RECORD_LOCATION_ASSESSMENT, frozenset({State.ASSESSMENT}), None,
               guards=_LOCATION_ASSESSMENT_GUARDS,
               input_guards=_LOCATION_ASSESSMENT_INPUT, effects=("report_result",)),
    Transition(Event.REQUEST_EXTRA_LOCATION, frozenset({State.ASSESSMENT}), None,
               guards=(documentation_review_passed, within_window, some_branch_may_get_an_extra_location),
               input_guards=(branch_in_application, failed_location_in_branch, extra_location_left,
                             extra_location_room)),
    Transition(Event.RECORD_WORK_WITHOUT_PERMISSION, _RUNNING, State.ABORTED,
               guards=(some_location_known,), input_guards=(location_known,), effects=_ENDS_ASSESSMENT),
    Transition(Event.RECORD_WRONG_MELDING_INFORMATION, _RUNNING, State.ABORTED,
               guards=(scheme_aborts_on_wrong_melding_information,), effects=_ENDS_ASSESSMENT),
    Transition(Event.COMPLETE_ASSESSMENT, frozenset({State.ASSESSMENT}), State.DECISION,
               guards=(*_COMPLETION_GUARDS, within_window)),
    Transition(Event.RECORD_ADVICE, frozenset({State.DECISION}), None, guards=(within_window,)),
    # Granting re-checks completion: the facts may have changed since the assessment was completed.
    Transition(Event.DECIDE, frozenset({State.DECISION}), State.GRANTED,
               guards=(*_DECISION_GUARDS, *_COMPLETION_GUARDS), input_guards=_DECIDER_INPUT,
               effects=("issue_certificate", "send_to_sca_register", "report_result"),
               when=grant_requested, when_label="verlenen"),
    Transition(Event.DECIDE, frozenset({State.DECISION}), State.REFUSED,
               guards=_DECISION_GUARDS, input_guards=_DECIDER_INPUT,
               effects=("report_result", "notify_provisional_reports_void"), when_label="weigeren"),
    Transition(Event.ABORT, _OPEN, State.ABORTED, input_guards=(abort_reason_given,), effects=_ENDS_ASSESSMENT),
    Transition(Event.LAPSE, _RUNNING, State.LAPSED, guards=(window_has_lapsed,),
               effects=("report_result", "notify_provisional_reports_void")),
    # Whether the documentation review must be redone the annex does not say: staff decide.
    Transition(Event.RESTART_AFTER_LAPSE, frozenset({State.LAPSED}), State.DOCUMENTATION_REVIEW,
               effects=("reset_assessment_results",), when=redo_documentation_review,
               when_label="documentatie opnieuw beoordelen"),
    Transition(Event.RESTART_AFTER_LAPSE, frozenset({State.LAPSED}), State.ASSESSMENT,
               guards=(documentation_review_passed,), effects=("reset_assessment_results",),
               when_label="documentatiebeoordeling blijft staan"),
)

#: The payload each event needs: field -> kind. Other keys are ignored (the caller's own).
PAYLOAD_FIELDS: Mapping[Event, Mapping[str, str]] = MappingProxyType({
    Event.TAKE_INTO_TREATMENT: {},
    Event.REJECT_APPLICATION: {"reason": "text"},
    Event.COMPLETE_DOCUMENTATION_REVIEW: {"passed": "bool", "assessor_id": "int", "actor_is_team_leader": "bool"},
    Event.REQUEST_LOCATION: {"branch_id": "int"},
    Event.RECORD_SCA_PERMISSION: {"location_id": "int", "granted": "bool", "on": "date"},
    Event.RECORD_BRANCH_ASSESSMENT: {"branch_id": "int", "passed": "bool", "on": "date", "assessor_id": "int",
                                     "actor_is_team_leader": "bool"},
    Event.RECORD_LOCATION_ASSESSMENT: {
        "location_id": "int", "passed": "bool", "on": "date", "complete_result": "bool", "containment": "bool",
        "assessor_id": "int", "actor_is_team_leader": "bool", "representative_reason": "text",
    },
    Event.REQUEST_EXTRA_LOCATION: {"branch_id": "int"},
    Event.RECORD_WORK_WITHOUT_PERMISSION: {"location_id": "int"},
    Event.RECORD_WRONG_MELDING_INFORMATION: {},
    Event.COMPLETE_ASSESSMENT: {},
    Event.RECORD_ADVICE: {},
    Event.DECIDE: {"grant": "bool", "decider_id": "int", "decider_has_role": "bool", "on": "date"},
    Event.ABORT: {"reason": "text"},
    Event.LAPSE: {},
    Event.RESTART_AFTER_LAPSE: {"redo_documentation_review": "bool"},
})

_KINDS: Mapping[str, tuple[Callable[[Any], bool], Message]] = MappingProxyType({
    "bool": (lambda v: isinstance(v, bool), Message("ja of nee")),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), Message("een nummer")),
    "date": (lambda v: isinstance(v, date) and not isinstance(v, datetime), Message("een datum")),
    "text": (lambda v: isinstance(v, str), Message("een tekst")),
})


def _index(transitions: Iterable[Transition]) -> Mapping[tuple[Event, State], tuple[Transition, ...]]:
    index: dict[tuple[Event, State], list[Transition]] = {}
    for t in transitions:
        for state in sorted(t.sources, key=list(State).index):
            index.setdefault((t.event, state), []).append(t)
    return MappingProxyType({key: tuple(ts) for key, ts in index.items()})


_BY_EVENT_AND_STATE = _index(TRANSITIONS)
_NO_INPUT: Mapping[str, Any] = MappingProxyType({})


# -- notes for staff --------------------------------------------------------------------------


def _with_assessment(facts: DossierFacts, payload: Mapping[str, Any]) -> DossierFacts:
    """The facts once this location assessment is recorded."""
    def recorded(loc: LocationFacts) -> LocationFacts:
        if loc.id != payload["location_id"]:
            return loc
        return replace(loc, result=payload["passed"], assessed_on=payload["on"],
                       complete_result=payload["complete_result"], containment=payload["containment"])
    return replace(facts, locations=tuple(map(recorded, facts.locations)))


def _reachable_successes(facts: DossierFacts, branch: BranchFacts) -> int:
    """The most location assessments of ``branch`` that can still pass, counting those that did."""
    cap = facts.scheme.param("consented_locations_per_branch")
    locations = facts.locations_of(branch.id)
    active = [loc for loc in locations if loc.active]
    regular_room = cap["regular"] - sum(1 for loc in active if not loc.extra)
    extras_left = facts.scheme.param("extra_location_max") - sum(1 for loc in locations if loc.extra)
    if not any(loc.result is False and not loc.extra for loc in locations):
        extras_left = 0
    new = min(max(regular_room, 0) + max(extras_left, 0), cap["with_extra"] - len(active))
    return _successes(facts, branch) + sum(1 for loc in active if not loc.assessed) + max(new, 0)


def _location_notes(facts: DossierFacts, payload: Mapping[str, Any], after: State) -> list[str]:
    scheme, location = facts.scheme, facts.location(payload["location_id"])
    branch = facts.branch(location.branch_id) if location else None
    if location is None or branch is None:
        return []
    recorded, notes = _with_assessment(facts, payload), []
    if facts.first_location_assessment_on is None and recorded.window_end is not None:
        notes.append(f"De termijn van {_period(facts, 'assessment_window')} loopt vanaf deze eerste beoordeling op "
                     f"projectlocatie tot en met {nl_date(recorded.window_end.date)}; daarna vervallen de resultaten "
                     f"({scheme.source('assessment_window')}).")
        if scheme.has("provisional_report_text") and (expiry := _provisional_report_expiry(recorded)):
            notes.append(f"Voorlopige rapporten van de kandidaat vermelden '{scheme.param('provisional_report_text')}', "
                         f"hun datum en de vervaldatum {nl_date(expiry.date)} "
                         f"({scheme.source('provisional_report_text')}).")
    if after == State.ABORTED:
        return notes
    if (payload["passed"] is False and not location.extra
            and extra_location_left(recorded, {"branch_id": branch.id}) is None):
        notes.append(f"Na deze niet-voldoende beoordeling kan de CKI namens de kandidaat eenmalig een extra "
                     f"projectlocatie aanvragen ({scheme.source('extra_location_max')}).")
    needed = scheme.param("min_successful_location_assessments_per_branch")
    if _reachable_successes(recorded, branch) < needed:
        notes.append(f"{branch.label} kan de vereiste {needed} beoordelingen op projectlocatie die voldoen niet meer "
                     "halen: de beoordeling kan zo niet worden afgerond "
                     f"({scheme.source('min_successful_location_assessments_per_branch')}).")
    return notes


def _branch_notes(facts: DossierFacts, payload: Mapping[str, Any], after: State) -> list[str]:
    if payload["passed"] is False and after != State.ABORTED:
        return [f"Een vestigingsbeoordeling die niet voldoet mag worden herhaald; voldoet ook de laatste poging niet, "
                f"dan wordt de beoordeling afgebroken ({facts.scheme.source('branch_assessment_max_tries')})."]
    return []


def _extra_location_notes(facts: DossierFacts, payload: Mapping[str, Any], after: State) -> list[str]:
    name = "extra_location_at_candidate_cost"
    notes = ["Voldoet de extra projectlocatie niet, dan wordt de beoordeling afgebroken "
             f"({_section(facts, 'abort')})."]
    if facts.scheme.has(name) and facts.scheme.param(name):
        notes.append(f"De extra beoordeling vindt plaats op kosten van de kandidaat ({facts.scheme.source(name)}).")
    return notes


def _decision_letter_note(facts: DossierFacts, decided_on: date | None = None) -> list[str]:
    last = facts.last_assessment_on
    if last is None:
        return []
    due = rules.decision_letter_due(facts.scheme, last)
    note = (f"Het schriftelijke besluit gaat uiterlijk {nl_date(due.date)} naar de kandidaat "
            f"({facts.scheme.source('decision_letter_working_days')}), tenzij een andere termijn is overeengekomen.")
    if decided_on is not None and decided_on > due.date:
        note += f" Let op: het besluit van {nl_date(decided_on)} valt na die datum."
    return [note]


def _decision_notes(facts: DossierFacts, payload: Mapping[str, Any], after: State) -> list[str]:
    notes = _decision_letter_note(facts, payload["on"])
    first, name = facts.first_location_assessment_on, "provisional_report_conversion"
    if after == State.GRANTED and first and facts.scheme.has(name):
        due = rules.provisional_report_conversion_due(facts.scheme, first)
        notes.append(f"Voorlopige rapporten worden uiterlijk {nl_date(due.date)} omgezet in definitieve, met als "
                     f"uitgiftedatum de datum van verlening {nl_date(payload['on'])} ({facts.scheme.source(name)}).")
    return notes


def _rejection_notes(facts: DossierFacts, payload: Mapping[str, Any], after: State) -> list[str]:
    found = [no_recent_withdrawal(facts, payload), no_false_information_withdrawal(facts, payload)]
    return [f"Grond gevonden: {refusal.message}" for refusal in found if refusal]


def abort_note(facts: DossierFacts) -> str:
    """What a new attempt takes after an abort, with the rule."""
    return _abort_note(facts)


def _abort_note(facts: DossierFacts) -> str:
    return (f"Wil de kandidaat het certificaat opnieuw verwerven, dan worden alle stappen van de beoordeling "
            f"opnieuw doorlopen ({_section(facts, 'abort')}).")


def _work_without_permission_notes(facts: DossierFacts, payload: Mapping[str, Any], after: State) -> list[str]:
    location = facts.location(payload["location_id"])
    if location and location.permission == Permission.GRANTED:
        return [f"SCA gaf voor projectlocatie {location.id} wel toestemming: vastgelegd als werk vóór die "
                "toestemming."]
    return []


def _lapse_notes(facts: DossierFacts, payload: Mapping[str, Any], after: State) -> list[str]:
    end = facts.window_end
    return [f"De resultaten zijn vervallen na {nl_date(end.date)} ({facts.scheme.source('assessment_window')}). Of de "
            "documentatiebeoordeling opnieuw moet, zegt de bijlage niet: de staf beslist en legt dat vast bij "
            f"'{EVENT_LABELS[Event.RESTART_AFTER_LAPSE]}'."] if end else []


def _restart_notes(facts: DossierFacts, payload: Mapping[str, Any], after: State) -> list[str]:
    choice = "opnieuw beoordeeld" if payload["redo_documentation_review"] else "niet opnieuw beoordeeld"
    return [f"Besluit van de staf: de documentatie wordt {choice} (de bijlage regelt dit niet)."]


def _documentation_notes(facts: DossierFacts, payload: Mapping[str, Any], after: State) -> list[str]:
    if payload["passed"]:
        return [f"De CKI vraagt nu per projectlocatie schriftelijke toestemming aan SCA "
                f"({_section(facts, 'sca_permission')})."]
    return ["De documentatie voldoet niet; na aanpassing door de kandidaat volgt een nieuwe beoordeling."]


_NOTES: Mapping[Event, Callable[[DossierFacts, Mapping[str, Any], State], list[str]]] = MappingProxyType({
    Event.REJECT_APPLICATION: _rejection_notes,
    Event.COMPLETE_DOCUMENTATION_REVIEW: _documentation_notes,
    Event.RECORD_BRANCH_ASSESSMENT: _branch_notes,
    Event.RECORD_LOCATION_ASSESSMENT: _location_notes,
    Event.REQUEST_EXTRA_LOCATION: _extra_location_notes,
    Event.RECORD_WORK_WITHOUT_PERMISSION: _work_without_permission_notes,
    Event.COMPLETE_ASSESSMENT: lambda facts, payload, after: _decision_letter_note(facts),
    Event.DECIDE: _decision_notes,
    Event.LAPSE: _lapse_notes,
    Event.RESTART_AFTER_LAPSE: _restart_notes,
})


# -- the machine ------------------------------------------------------------------------------


def _state_refusal(facts: DossierFacts, event: Event) -> Refusal:
    return _refuse("state",
                   Message("'%(step)s' kan niet in de status '%(state)s'.", step=_label(event),
                           state=_state_label(facts.state)),
                   _section(facts, "procedure"))


def _payload_refusals(event: Event, payload: Mapping[str, Any]) -> tuple[Refusal, ...]:
    refusals = []
    for name, kind in PAYLOAD_FIELDS[event].items():
        accepts, description = _KINDS[kind]
        if not accepts(payload.get(name)):
            refusals.append(Refusal("invalid_input",
                                    Message("Invoer '%(name)s' ontbreekt of is geen %(kind)s (%(source)s).",
                                            name=name, kind=description, source=_INPUT_CHECK),
                                    _INPUT_CHECK, name))
    return tuple(refusals)


def _judge(guards: Iterable[Guard], facts: DossierFacts, payload: Mapping[str, Any]) -> tuple[Refusal, ...]:
    return tuple(refusal for guard in guards if (refusal := guard(facts, payload)) is not None)


def fire(facts: DossierFacts, event: Event | str, payload: Mapping[str, Any] = _NO_INPUT) -> Outcome:
    """Judge ``event`` with ``payload`` against ``facts`` (the dossier before the event).

    Returns the outcome, including consequences of what the event records (a second failed
    branch assessment aborts); raises :class:`GuardRefused` with every reason otherwise.
    """
    event = Event(event)
    candidates = _BY_EVENT_AND_STATE.get((event, facts.state), ())
    if not candidates:
        raise GuardRefused((_state_refusal(facts, event),))
    if invalid := _payload_refusals(event, payload):
        raise GuardRefused(invalid)
    transition = next(t for t in candidates if t.when is None or t.when(facts, payload))
    if refusals := _judge((*transition.guards, *transition.input_guards), facts, payload):
        raise GuardRefused(refusals)
    after = facts.state if transition.target is None else transition.target
    effects = tuple(
        effect for effect in transition.effects
        if effect not in CONDITIONAL_EFFECTS or CONDITIONAL_EFFECTS[effect](facts, payload)
    )
    notes = _NOTES[event](facts, payload, after) if event in _NOTES else []
    if after == State.ABORTED:
        notes.append(_abort_note(facts))
    reason = _end_reason(facts, event, payload) if after in (State.ABORTED, State.REJECTED) else None
    return Outcome(event, facts.state, after, effects, tuple(notes), reason)


def _end_reason(facts: DossierFacts, event: Event, payload: Mapping[str, Any]) -> str:
    """Why the assessment was aborted or the application rejected, with the rule: what the letter says."""
    source = _section(facts, "abort")
    if event == Event.RECORD_BRANCH_ASSESSMENT:
        branch = facts.branch(payload["branch_id"])
        tries = len(branch.branch_results) + 1 if branch else facts.scheme.param("branch_assessment_max_tries")
        label = branch.label if branch else payload["branch_id"]
        return f"De vestigingsbeoordeling van {label} voldeed ook bij poging {tries} niet ({source})."
    if event == Event.RECORD_LOCATION_ASSESSMENT:
        return f"De beoordeling op de extra projectlocatie {payload['location_id']} voldeed niet ({source})."
    if event == Event.RECORD_WORK_WITHOUT_PERMISSION:
        return (f"De kandidaat werkte op projectlocatie {payload['location_id']} zonder schriftelijke toestemming "
                f"van SCA ({source}).")
    if event == Event.RECORD_WRONG_MELDING_INFORMATION:
        given = str(payload.get("reason") or "").strip()
        return given or f"De kandidaat gaf onjuiste of onvolledige informatie over zijn meldingen ({source})."
    return str(payload.get("reason") or "").strip()


def available_events(facts: DossierFacts) -> list[tuple[Event, tuple[Refusal, ...]]]:
    """Events declared from the dossier's state, each with what blocks it now (empty: allowed).

    Only the dossier is judged here; the input is judged when the event fires. For an event
    with several outcomes the most open one counts (refusing may be possible where granting
    is not).
    """
    found = []
    for event in Event:
        candidates = _BY_EVENT_AND_STATE.get((event, facts.state), ())
        if candidates:
            found.append((event, min((_judge(t.guards, facts, _NO_INPUT) for t in candidates), key=len)))
    return found


_ANCHORS: Mapping[str, Callable[[DossierFacts], date | None]] = MappingProxyType({
    "first_location_assessment": lambda facts: facts.first_location_assessment_on,
})


def _provisional_report_expiry(facts: DossierFacts) -> Deadline | None:
    name = "provisional_report_expiry_anchor"
    anchor = facts.scheme.param(name)
    if anchor not in _ANCHORS:
        raise UnknownParameter(f"{facts.scheme.scheme}: {name} {anchor!r} is not one of {sorted(_ANCHORS)}")
    start = _ANCHORS[anchor](facts)
    if start is None:
        return None
    expiry = rules.provisional_report_expiry(facts.scheme, start)
    return replace(expiry, rule=f"{expiry.rule}. {facts.scheme.note(name)}")


def deadlines(facts: DossierFacts) -> dict[str, Deadline]:
    """The dossier's running deadlines, each explaining itself; only those that apply.

    ``window_end`` (B/C §3.1.2) and, where the scheme has provisional reports,
    ``provisional_report_expiry`` (B §3.5) while the dossier is open; ``decision_letter_due``
    (10 werkdagen after the last assessment) from the decision on; after a grant,
    ``provisional_report_conversion_due`` (B §3.6.2).
    """
    found: dict[str, Deadline] = {}
    first, last = facts.first_location_assessment_on, facts.last_assessment_on
    if facts.state in _OPEN and facts.window_end is not None:
        found["window_end"] = facts.window_end
        if facts.scheme.has("provisional_report_expiry") and (expiry := _provisional_report_expiry(facts)):
            found["provisional_report_expiry"] = expiry
    if facts.state in {State.DECISION, State.GRANTED, State.REFUSED} and last is not None:
        found["decision_letter_due"] = rules.decision_letter_due(facts.scheme, last)
    if facts.state == State.GRANTED and first and facts.scheme.has("provisional_report_conversion"):
        found["provisional_report_conversion_due"] = rules.provisional_report_conversion_due(facts.scheme, first)
    return found
