"""State-changing verbs on dossiers: change, flush, write the event log.

The rules (states, guards, effects) live in ``workflows.dossier``; this module turns the
rows into :class:`~workflows.dossier.DossierFacts`, asks the machine, and persists the
outcome in one transaction with its event-log entry."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from cki.certificates import operations as certificates
from cki.certificates.models import Certificate
from cki.companies.models import Branch, Company
from cki.core.auth import current_principal
from cki.core.clock import today
from cki.core.db import db, utcnow
from cki.core.errors import Conflict, DomainError
from cki.deadlines import operations as deadlines
from cki.dossiers.models import (
    BranchAssessment,
    Dossier,
    DossierAssessor,
    DossierBranch,
    ProjectLocation,
)
from cki.events.operations import log_event
from cki.letters import operations as letters
from cki.register import operations as register
from cki.users.models import Role, User
from workflows import dossier as machine
from workflows import rules
from workflows.schemes import load_scheme
from workflows.text import Message, nl_date, sentences


class GuardError(DomainError):
    """The state machine refused the event: 422 with every reason and its source."""

    def __init__(self, refusals):
        self.refusals = refusals
        first = refusals[0]
        super().__init__(first.field or "event", sentences(r.message for r in refusals))


def scheme_of(dossier: Dossier):
    """The scheme version the dossier is judged by: the one in force when it was applied for."""
    return load_scheme(dossier.scheme, dossier.applied_on)


def _snapshot(dossier: Dossier) -> dict:
    return {"state": dossier.state, "lock_version": dossier.lock_version}


def build_facts(dossier: Dossier, on: date | None = None) -> "machine.DossierFacts":
    """The dossier as the state machine sees it."""
    company_branch_ids = db.session.scalars(
        db.select(Branch.id).where(Branch.company_id == dossier.company_id)).all()
    results: dict[int, list[bool]] = {}
    last: dict[int, date] = {}
    for a in dossier.branch_assessments:
        if not a.reset:
            results.setdefault(a.branch_id, []).append(a.passed)
            last[a.branch_id] = max(last.get(a.branch_id, a.assessed_on), a.assessed_on)
    withdrawals = [machine.Withdrawal(withdrawn_on=c.withdrawn_on, false_information=c.false_information)
                   for c in db.session.scalars(db.select(Certificate).where(
                       Certificate.company_id == dossier.company_id, Certificate.scheme == dossier.scheme,
                       Certificate.withdrawn_on.is_not(None)))]
    withdrawals += [machine.Withdrawal(withdrawn_on=date.fromisoformat(w["withdrawn_on"]),
                                       false_information=bool(w.get("false_information")))
                    for w in dossier.prior_withdrawals]
    prior = None
    if dossier.prior_declared_on is not None:
        prior = machine.PriorDeclaration(
            held_or_applied_elsewhere=bool(dossier.prior_held_or_applied_elsewhere),
            consent_to_transfer=bool(dossier.prior_consent_to_transfer),
            declared_on=dossier.prior_declared_on)
    assigned = {a.user_id for a in dossier.assessors}
    assessor_ids = set(assigned)
    assessor_ids |= {a.assessor_id for a in dossier.branch_assessments}
    assessor_ids |= {loc.assessor_id for loc in dossier.locations if loc.assessor_id}
    return machine.DossierFacts(
        scheme=scheme_of(dossier),
        state=machine.State(dossier.state),
        applied_on=dossier.applied_on,
        today=on or today(),
        company_branch_ids=frozenset(company_branch_ids),
        branches=tuple(machine.BranchFacts(id=b.branch_id, label=b.branch.name or b.branch.address,
                                           branch_results=tuple(results.get(b.branch_id, ())),
                                           last_assessed_on=last.get(b.branch_id))
                       for b in dossier.branches),
        locations=tuple(machine.LocationFacts(
            id=loc.id, branch_id=loc.branch_id, extra=loc.extra, permission=loc.permission,
            result=loc.passed, assessed_on=loc.assessed_on, complete_result=loc.complete_result,
            containment=loc.containment, requested_on=loc.requested_on, permission_on=loc.permission_on)
            for loc in dossier.locations if not loc.reset),
        prior_declaration=prior,
        informed_of_rules=dossier.informed_of_rules,
        withdrawals=tuple(withdrawals),
        documentation_review_passed=dossier.documentation_review_passed,
        assessor_ids=frozenset(assessor_ids),
        team_leader_advice=bool(dossier.advice),
        assigned_assessor_ids=frozenset(assigned),
        documentation_reviewed_on=dossier.documentation_reviewed_on,
        assessment_completed_on=dossier.assessment_completed_on,
        advised_on=dossier.advised_on,
    )


# -- creating and describing ------------------------------------------------------------

def create_dossier(cki_id: int, data: dict) -> Dossier:
    company = db.session.get(Company, data["company_id"])
    if company is None or company.cki_id != cki_id:
        raise DomainError("company_id", "Onbekend bedrijf.")
    scheme = load_scheme(data["scheme"], data["applied_on"])
    branch_ids = data.get("branch_ids") or [b.id for b in company.branches]
    own = {b.id for b in company.branches}
    if not set(branch_ids) <= own:
        raise DomainError("branch_ids", "Alleen vestigingen van dit bedrijf kunnen in de aanvraag.")
    held = db.session.scalar(db.select(Certificate).where(
        Certificate.company_id == company.id, Certificate.scheme == scheme.scheme, Certificate.status == "valid",
        Certificate.withdrawn_on.is_(None), Certificate.valid_until >= data["applied_on"],
        Certificate.issued_on <= data["applied_on"]))
    if held is not None:
        raise DomainError("scheme", Message("%(company)s heeft al een geldig %(scheme)s-certificaat: %(number)s, "
                                            "geldig tot en met %(until)s. Een aanvraag voor initiële certificatie is "
                                            "dan niet aan de orde.", company=company.name, scheme=scheme.scheme,
                                            number=held.number, until=nl_date(held.valid_until)))
    open_states = [s.value for s in machine.State if s not in machine.TERMINAL and s != machine.State.LAPSED]
    if db.session.scalar(db.select(Dossier.id).where(
            Dossier.company_id == company.id, Dossier.scheme == scheme.scheme, Dossier.state.in_(open_states))):
        raise DomainError("scheme", Message("Er loopt al een aanvraag van dit bedrijf voor %(scheme)s.",
                                            scheme=scheme.scheme))
    dossier = Dossier(cki_id=cki_id, company_id=company.id, scheme=scheme.scheme, scheme_version=scheme.version,
                      state=machine.State.SUBMITTED.value, applied_on=data["applied_on"], updated_at=utcnow())
    dossier.branches = [DossierBranch(cki_id=cki_id, branch_id=b) for b in sorted(set(branch_ids))]
    db.session.add(dossier)
    db.session.flush()
    log_event(dossier, "dossier.submitted", after={"state": dossier.state, "scheme": dossier.scheme,
                                                   "applied_on": dossier.applied_on.isoformat(),
                                                   "branch_ids": sorted(set(branch_ids))})
    return dossier


def _check_version(dossier: Dossier, expected_version: int | None):
    if expected_version is not None and expected_version != dossier.lock_version:
        raise Conflict("lock_version", "Het dossier is intussen door iemand anders gewijzigd; "
                                       "laad het opnieuw en probeer het nog eens.")


def _flush(dossier: Dossier):
    dossier.updated_at = utcnow()  # bumps lock_version even when only child rows change
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("lock_version", "Het dossier is intussen door iemand anders gewijzigd; "
                                       "laad het opnieuw en probeer het nog eens.") from None


def record_declaration(dossier: Dossier, data: dict, expected_version: int | None = None) -> Dossier:
    """Deel A §4.1: the applicant's declaration about other CKIs, consent, and B/C §3.1.1."""
    _check_version(dossier, expected_version)
    if dossier.state != machine.State.SUBMITTED.value:
        raise DomainError("state", "De verklaring hoort bij een aanvraag die nog niet in behandeling is.")
    before = _snapshot(dossier)
    dossier.prior_declared_on = data["declared_on"]
    dossier.prior_held_or_applied_elsewhere = data["held_or_applied_elsewhere"]
    dossier.prior_consent_to_transfer = data.get("consent_to_transfer", False)
    dossier.prior_withdrawals = [{"withdrawn_on": w["withdrawn_on"].isoformat(),
                                  "false_information": w.get("false_information", False)}
                                 for w in data.get("withdrawals_elsewhere", [])]
    dossier.informed_of_rules = data.get("informed_of_rules", dossier.informed_of_rules)
    _flush(dossier)
    log_event(dossier, "dossier.declaration_recorded", before=before, after={
        **_snapshot(dossier), "held_or_applied_elsewhere": dossier.prior_held_or_applied_elsewhere,
        "consent_to_transfer": dossier.prior_consent_to_transfer, "withdrawals": dossier.prior_withdrawals,
        "informed_of_rules": dossier.informed_of_rules})
    return dossier


def assign_assessor(dossier: Dossier, user_id: int, expected_version: int | None = None) -> Dossier:
    """Assign an assessor: a staff member with the assessor role, qualified for the dossier's scheme
    today (B/C §2.2; qualifications with their validity are kept per person)."""
    _check_version(dossier, expected_version)
    user = db.session.get(User, user_id)
    if user is None or user.cki_id != dossier.cki_id or not user.is_staff:
        raise DomainError("user_id", "Geen medewerker van deze CKI.")
    if user_id in {a.user_id for a in dossier.assessors}:
        raise DomainError("user_id", "Deze beoordelaar is al toegewezen.")
    missing = assessor_qualification_missing(user, dossier.scheme, today())
    if missing:
        raise DomainError("user_id", missing)
    dossier.assessors.append(DossierAssessor(cki_id=dossier.cki_id, user_id=user_id))
    _flush(dossier)
    log_event(dossier, "dossier.assessor_assigned", after={"user_id": user_id, "name": user.name})
    return dossier


def assessor_qualification_missing(user: User, scheme: str, on: date) -> Message | None:
    """Why ``user`` may not assess for ``scheme`` on ``on``, naming what is missing; None if qualified."""
    section = load_scheme(scheme, on).param("initial_certification_sections")["assessor_qualification"]
    if Role.ASSESSOR not in user.roles:
        return Message("%(name)s heeft de rol beoordelaar niet.", name=user.name)
    held = [q for q in user.qualifications if q.scheme == scheme and q.function == "assessor"]
    if any(q.valid_on(on) for q in held):
        return None
    if not held:
        return Message("%(name)s heeft geen kwalificatie als beoordelaar voor %(scheme)s (%(section)s); de "
                       "kwaliteitsmanager legt die vast met bewijs en geldigheid.",
                       name=user.name, scheme=scheme, section=section)
    ended = [q.valid_to for q in held if q.valid_to is not None and q.valid_to < on]
    if ended:
        return Message("De kwalificatie van %(name)s als beoordelaar voor %(scheme)s is verlopen op %(day)s "
                       "(%(section)s).", name=user.name, scheme=scheme, day=nl_date(max(ended)), section=section)
    return Message("De kwalificatie van %(name)s als beoordelaar voor %(scheme)s gaat pas in op %(day)s "
                   "(%(section)s).", name=user.name, scheme=scheme, day=nl_date(min(q.valid_from for q in held)),
                   section=section)


def qualified_assessors(dossier: Dossier, on: date | None = None) -> list[User]:
    """Staff who may be assigned to the dossier now (for the planner's list)."""
    day = on or today()
    staff = db.session.scalars(db.select(User).where(User.cki_id == dossier.cki_id, User.active.is_(True),
                                                     User.kind == "staff").order_by(User.name)).all()
    assigned = {a.user_id for a in dossier.assessors}
    return [u for u in staff if u.id not in assigned and assessor_qualification_missing(u, dossier.scheme, day) is None]


# -- events -----------------------------------------------------------------------------

def _location(dossier: Dossier, location_id) -> ProjectLocation:
    loc = next((loc for loc in dossier.locations if loc.id == location_id), None)
    if loc is None:
        raise DomainError("location_id", "Onbekende projectlocatie in dit dossier.")
    return loc


def _record(dossier: Dossier, event, payload: dict, actor_id: int | None) -> dict:
    """Persist what the event records (rows and fields), before the state changes."""
    E = machine.Event
    if event == E.COMPLETE_DOCUMENTATION_REVIEW:
        dossier.documentation_review_passed = payload["passed"]
        dossier.documentation_reviewed_on = today()
    elif event in (E.REQUEST_LOCATION, E.REQUEST_EXTRA_LOCATION):
        loc = ProjectLocation(cki_id=dossier.cki_id, branch_id=payload["branch_id"], address=payload["address"],
                              extra=event == E.REQUEST_EXTRA_LOCATION, permission="requested", requested_on=today())
        dossier.locations.append(loc)
        db.session.flush()
        register.request_location_permission(dossier, loc)  # to SCA, with the change
        return {"location_id": loc.id}
    elif event == E.RECORD_SCA_PERMISSION:
        loc = _location(dossier, payload["location_id"])
        loc.permission = "granted" if payload["granted"] else "refused"
        loc.permission_on = payload["on"]
    elif event == E.RECORD_BRANCH_ASSESSMENT:
        dossier.branch_assessments.append(BranchAssessment(
            cki_id=dossier.cki_id, branch_id=payload["branch_id"], passed=payload["passed"],
            assessed_on=payload["on"], assessor_id=actor_id, notes=payload.get("notes")))
    elif event == E.RECORD_LOCATION_ASSESSMENT:
        loc = _location(dossier, payload["location_id"])
        loc.passed, loc.assessed_on = payload["passed"], payload["on"]
        loc.complete_result, loc.containment = payload["complete_result"], payload["containment"]
        loc.assessor_id, loc.representative_reason = actor_id, payload.get("representative_reason")
        scheme = scheme_of(dossier)
        if scheme.has("provisional_report_text"):  # SC-540: the candidate's report is provisional (B §3.5)
            db.session.flush()
            expiry = machine.deadlines(build_facts(dossier)).get("provisional_report_expiry")
            register.register_provisional_report(dossier, loc, expires_on=expiry.date if expiry else None,
                                                 text=scheme.param("provisional_report_text"),
                                                 source=scheme.source("provisional_report_text"))
    elif event == E.COMPLETE_ASSESSMENT:
        dossier.assessment_completed_on = today()
    elif event == E.RECORD_ADVICE:
        dossier.advice, dossier.advice_by_id, dossier.advised_on = payload["advice"], actor_id, today()
    elif event == E.DECIDE:
        dossier.decision = "grant" if payload["grant"] else "refuse"
        dossier.decided_on, dossier.decided_by_id = payload["on"], actor_id
        dossier.decision_motivation = payload.get("motivation")
        dossier.decision_recorded_on = today()
        due = machine.deadlines(build_facts(dossier)).get("decision_letter_due")
        dossier.decision_late = due is not None and dossier.decision_recorded_on > due.date
    return {}


def fire_event(dossier: Dossier, event: str, payload: dict, *, expected_version: int | None) -> "machine.Outcome":
    """Fire ``event`` on the dossier: guard, record, move, apply effects, log. One transaction."""
    _check_version(dossier, expected_version)
    principal = current_principal()
    event = machine.Event(event)
    payload = dict(payload)
    if event in _DATED:
        payload.setdefault("on", today())
    if event in _ACTOR_EVENTS:
        payload["assessor_id"] = principal.user_id
        payload["actor_is_team_leader"] = principal.has_any(Role.TEAM_LEADER)
    if event == machine.Event.DECIDE:
        payload["decider_id"] = principal.user_id
        payload["decider_has_role"] = principal.has_any(Role.DECIDER)
    facts = build_facts(dossier)
    try:
        outcome = machine.fire(facts, event, payload)
    except machine.GuardRefused as refused:
        raise GuardError(refused.reasons) from None
    before = _snapshot(dossier)
    created = _record(dossier, event, payload, principal.user_id)
    if outcome.reason:  # an abort or rejection, also an automatic one, says why
        dossier.closing_reason = outcome.reason
    dossier.state = outcome.state_after.value
    for effect in outcome.effects:
        EFFECTS.get(effect, _no_effect)(dossier, outcome, payload)
    _flush(dossier)
    notes = list(outcome.notes)
    if event == machine.Event.DECIDE and dossier.decision_late:
        notes.append(f"Het besluit is vastgelegd op {nl_date(dossier.decision_recorded_on)}, na de termijn voor de "
                     "beslisbrief: gemarkeerd als te laat.")
    log_event(dossier, f"dossier.{event.value}", before=before,
              after={**_snapshot(dossier), **created, "effects": list(outcome.effects)},
              note=sentences(notes) or None)
    _track(dossier)
    return outcome


#: The dossier's deadlines the watch follows, with who acts on each (for the company's: who is told
#: when it passes). The decision letter is followed as the letter to send once it is written; the
#: conversion of provisional reports after a grant is checked at the next audit, not here.
_WATCHED = {"window_end": ("planner", False), "decision_letter_due": ("decider", False),
            "provisional_report_expiry": ("planner", True)}


deadlines.CARRIED_OUT.add("window_end")


@deadlines.overdue.connect
def _window_passed(deadline, on, **_):
    """The 4-month window ended without a decision: the sweep declares the dossier lapsed (B/C
    §3.1.2), as the system. A refusal (the dossier moved meanwhile) is logged and undoes the sweep's
    work on this deadline, so the next sweep tries again rather than leave it flagged and not done."""
    if deadline.subject_type != "dossier" or deadline.kind != "window_end":
        return
    from flask import g

    from cki.core.auth import Principal

    dossier = db.session.get(Dossier, deadline.subject_id, with_for_update=True)  # a colleague's step waits
    if dossier.state not in (machine.State.ASSESSMENT, machine.State.DECISION):
        return
    before, g.principal = g.get("principal"), Principal(cki_id=dossier.cki_id, label="systeem (termijnbewaking)")
    try:
        fire_event(dossier, machine.Event.LAPSE, {}, expected_version=None)
    except DomainError as refused:  # said, and the sweep's work on it undone: the next sweep tries again
        current_app.logger.warning("termijnbewaking: dossier %s niet verlopen verklaard: %s", dossier.id,
                                   refused.message)
        raise
    finally:
        g.principal = before


_ENDED_BY_LAPSE = frozenset({"window_end", "provisional_report_expiry"})


def track_open() -> int:
    """Write the deadlines of every dossier that still has one (after an upgrade): the open ones,
    and those granted in the last year (their provisional reports)."""
    running = [machine.State.SUBMITTED, machine.State.DOCUMENTATION_REVIEW, machine.State.ASSESSMENT,
               machine.State.DECISION]
    found = db.session.scalars(db.select(Dossier).where(sa.or_(
        Dossier.state.in_([s.value for s in running]),
        sa.and_(Dossier.state == machine.State.GRANTED.value, Dossier.decided_on >= today() - timedelta(days=366)))
    )).all()
    for dossier in found:
        _track(dossier)
    return len(found)


def _track(dossier: Dossier) -> None:
    """The dossier's running deadlines in the deadline watch, as the rules compute them now."""
    from cki.dossiers.presenter import deadline_labels  # the presenter reads this module

    labels = deadline_labels(scheme_of(dossier))
    found = machine.deadlines(build_facts(dossier))
    items = [deadlines.Item(kind=name, due_on=d.date, rule=d.rule, role=role, for_company=company,
                            url=f"/dossiers/{dossier.id}", label=f"Dossier {dossier.id} ({dossier.company.name}): "
                                                                  f"{labels.get(name, name).lower()}")
             for name, d in found.items() if name in _WATCHED
             for role, company in [_WATCHED[name]]
             if not (name == "decision_letter_due" and dossier.state != machine.State.DECISION)
             # lapsed: the window has done its work and the reports lost their value, until a restart
             and not (dossier.state == machine.State.LAPSED and name in _ENDED_BY_LAPSE)]
    deadlines.sync("dossier", dossier.id, cki_id=dossier.cki_id, company_id=dossier.company_id, items=items,
                   on=today())


_DATED = {machine.Event.RECORD_BRANCH_ASSESSMENT, machine.Event.RECORD_LOCATION_ASSESSMENT, machine.Event.DECIDE,
          machine.Event.RECORD_SCA_PERMISSION}
_ACTOR_EVENTS = {machine.Event.RECORD_BRANCH_ASSESSMENT, machine.Event.RECORD_LOCATION_ASSESSMENT,
                 machine.Event.COMPLETE_DOCUMENTATION_REVIEW}


# -- effects ----------------------------------------------------------------------------

def _no_effect(dossier, outcome, payload):
    pass


def _letter(dossier: Dossier, kind: str, subject: str, body: str, *, decision: bool = False,
            due_on: date | None = None):
    """A letter to the candidate, from the CKI's template for a decision or a notice on an
    application (letters domain). A besluit ends with how to object; an interim letter (a result,
    a notice) does not: it is no besluit (Awb 6:3)."""
    letters.compose(company=dossier.company, kind=kind, scheme=dossier.scheme, dossier_id=dossier.id, due_on=due_on,
                    template_kind="application_decision" if decision else "application_notice",
                    context={"onderwerp": subject, "tekst": body, "dossier": dossier.id})


def issue_certificate(dossier: Dossier, outcome, payload) -> Certificate:
    """On grant: the certificate for the company and every branch of the application, with the
    message to the SCA register (both the certificates domain's)."""
    return certificates.issue(dossier=dossier, company=dossier.company, branches=[b.branch for b in dossier.branches],
                              scheme=scheme_of(dossier), issued_on=dossier.decided_on)


def _send_to_register(dossier: Dossier, outcome, payload):
    # (the first period's programme is in the deadline watch already: certificates.changed at issue)
    certificates.send_grant(dossier.certificate)


def _passed(passed: bool) -> str:
    return "voldoet" if passed else "voldoet niet"


def _report_result(dossier: Dossier, outcome, payload):
    """Every part's result in writing to the candidate (B/C §3.4.3): what was found and why; a
    decision is a besluit (with how to object), a result along the way is not."""
    E, scheme = machine.Event, scheme_of(dossier)
    event = outcome.event
    due = machine.deadlines(build_facts(dossier)).get("decision_letter_due")
    if event == E.DECIDE:
        granted = payload["grant"]
        text = (f"Besluit van {dossier.decided_on:%d-%m-%Y}: het certificaat {scheme.scheme} wordt "
                f"{'verleend' if granted else 'geweigerd'}.")
        if granted and dossier.certificate is not None:
            text += (f" Certificaatnummer {dossier.certificate.number}, geldig tot en met "
                     f"{dossier.certificate.valid_until:%d-%m-%Y}; het certificaat is bijgevoegd.")
        text += f"\n\nMotivering: {dossier.decision_motivation}"
        _letter(dossier, f"decision_{dossier.decision}", f"besluit op uw aanvraag: {'verleend' if granted else 'geweigerd'}",
                text, decision=True, due_on=due.date if due else None)
    elif event == E.REJECT_APPLICATION:
        _letter(dossier, "rejection", "besluit op uw aanvraag: afgewezen",
                f"Uw aanvraag voor {scheme.scheme} wordt afgewezen.\n\nMotivering: {dossier.closing_reason}",
                decision=True)
    elif event == E.COMPLETE_DOCUMENTATION_REVIEW:
        text = (f"De documentatiebeoordeling is afgerond: uw documentatie {_passed(payload['passed'])} aan het "
                "schema.")
        text += (" De CKI vraagt nu per projectlocatie toestemming aan SCA; u mag pas op een projectlocatie werken "
                 "nadat SCA schriftelijk toestemming gaf." if payload["passed"] else
                 " Na aanpassing van de documentatie volgt een nieuwe beoordeling.")
        _letter(dossier, "result_documentation_review", "resultaat documentatiebeoordeling", text)
    elif event == E.RECORD_BRANCH_ASSESSMENT:
        branch = next(b.branch for b in dossier.branches if b.branch_id == payload["branch_id"])
        name = branch.name or branch.address
        text = f"De vestigingsbeoordeling van {name} op {payload['on']:%d-%m-%Y} {_passed(payload['passed'])}."
        if payload.get("notes"):
            text += f"\n\nBevindingen: {payload['notes']}"
        _letter(dossier, "result_branch_assessment", f"resultaat vestigingsbeoordeling {name} "
                f"({payload['on']:%d-%m-%Y})", text)
    elif event == E.RECORD_LOCATION_ASSESSMENT:
        location = _location(dossier, payload["location_id"])
        text = (f"De beoordeling op projectlocatie {location.address} op {payload['on']:%d-%m-%Y} "
                f"{_passed(payload['passed'])}.")
        if payload["passed"] and payload["complete_result"]:
            text += " Het resultaat is volledig en voldoet aan het schema."
        _letter(dossier, "result_location_assessment", f"resultaat beoordeling projectlocatie {location.address} "
                f"({payload['on']:%d-%m-%Y})", text)
    elif event == E.LAPSE:
        window = build_facts(dossier).window_end
        _letter(dossier, "lapsed", "termijn verstreken, resultaten vervallen",
                f"De termijn van {rules.describe(scheme.param('assessment_window'))} vanaf de eerste beoordeling op "
                f"projectlocatie eindigde op {window.date:%d-%m-%Y} zonder besluit. De resultaten van de beoordeling "
                f"zijn daarmee vervallen ({scheme.source('assessment_window')}). De CKI laat u weten hoe de "
                "beoordeling verder gaat.")


def _notify_provisional_reports_void(dossier: Dossier, outcome, payload):
    scheme = scheme_of(dossier)
    _letter(dossier, "provisional_reports_void", "voorlopige inventarisatierapporten vervallen",
            f"{scheme.param('refusal_provisional_reports_notice')} "
            f"({scheme.source('refusal_provisional_reports_notice')})")
    register.void_provisional_reports(dossier, reason=scheme.param("refusal_provisional_reports_notice"),
                                      source=scheme.source("refusal_provisional_reports_notice"))


def _abort(dossier: Dossier, outcome, payload):
    """Ending the assessment without a certificate is a besluit on the application: with its reason."""
    _letter(dossier, "aborted", "besluit: beoordeling afgebroken",
            f"De beoordeling van uw aanvraag voor {dossier.scheme} is afgebroken.\n\nReden: {dossier.closing_reason}"
            f"\n\n{machine.abort_note(build_facts(dossier))}", decision=True)


def _reset_assessment_results(dossier: Dossier, outcome, payload):
    for loc in dossier.locations:
        loc.reset = True
    for assessment in dossier.branch_assessments:
        assessment.reset = True
    dossier.advice = dossier.advised_on = dossier.assessment_completed_on = None
    if machine.State(dossier.state) == machine.State.DOCUMENTATION_REVIEW:
        dossier.documentation_review_passed = dossier.documentation_reviewed_on = None


EFFECTS = {
    "issue_certificate": issue_certificate,
    "send_to_sca_register": _send_to_register,
    "report_result": _report_result,
    "notify_provisional_reports_void": _notify_provisional_reports_void,
    "abort": _abort,
    "reset_assessment_results": _reset_assessment_results,
}
