"""State-changing verbs of surveillance (toezicht): plan, finish and cancel audits, record the figures a
holder declares, move a shortfall to the next period (or propose a withdrawal), decide a proposal.
Each changes, flushes and writes the event log; the rules are ``workflows.surveillance``'s.

Read helpers (``overview``, ``programme_for``) gather the facts and ask the rules, so the API and the
pages show the same programme."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app

from cki.certificates import operations as certificates
from cki.certificates.models import Certificate, CertificateStatus
from cki.core.auth import current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import Conflict, DomainError
from cki.core.files import safe_filename
from cki.core.pdf import dutch_date
from cki.deadlines import operations as deadlines
from cki.events.operations import log_event
from cki.findings import operations as findings
from cki.meldingen.models import Melding
from cki.surveillance.models import (
    Audit,
    AuditAuditor,
    AuditPhoto,
    AuditReport,
    AuditStatus,
    CatchUp,
    Checklist,
    PeriodFigures,
    ProjectOverviewEntry,
    ProposalStatus,
    WithdrawalProposal,
)
from cki.users.models import ConflictDeclaration, Role, User
from workflows import surveillance as rules
from workflows.rules import previous_period
from workflows.schemes import SchemeVersion, load_scheme
from workflows.text import Message, nl_date, sentences

#: Statuses of a certificate under surveillance: audits may be planned and recorded.
LIVE = (CertificateStatus.VALID.value, CertificateStatus.SUSPENDED.value)


def scheme_of(certificate: Certificate) -> SchemeVersion:
    """The scheme version the certificate was granted under."""
    return load_scheme(certificate.scheme, certificate.issued_on)


def periods_of(certificate: Certificate) -> list[rules.Period]:
    return list(_periods(certificate.scheme, certificate.issued_on, certificate.valid_until))


@lru_cache(maxsize=4096)
def _periods(scheme: str, issued_on: date, valid_until: date) -> tuple[rules.Period, ...]:
    # The same three dates give the same periods: the planning board asks for a thousand certificates.
    return tuple(rules.periods(load_scheme(scheme, issued_on), issued_on, valid_until))


def _period(certificate: Certificate, index: int, field: str = "period_index") -> rules.Period:
    periods = periods_of(certificate)
    if not 1 <= index <= len(periods):
        raise DomainError(field, Message("Het certificaat heeft periodes 1 tot en met %(last)s.", last=len(periods)))
    return periods[index - 1]


def _branch(certificate: Certificate, branch_id: int) -> dict:
    branch = next((b for b in certificate.branches if b.get("branch_id") == branch_id), None)
    if branch is None:
        raise DomainError("branch_id", "Deze vestiging staat niet op het certificaat.")
    return branch


def head_office_id(certificate: Certificate) -> int | None:
    return next((b["branch_id"] for b in certificate.branches if b.get("is_head_office")), None)


def line_key(certificate: Certificate, branch_id: int, kind: str) -> tuple[int, rules.AuditKind]:
    """The programme line an audit of ``kind`` at ``branch_id`` counts on: its branch, or the
    head office where the scheme counts location audits per certificate (SC-530 Table 4.3)."""
    return line_keys(certificate)(branch_id, kind)


def line_keys(certificate: Certificate):
    """:func:`line_key` for many audits of one certificate: the scheme and the head office looked
    up once (the planning board counts a thousand certificates' audits on every load)."""
    per_branch = scheme_of(certificate).param("location_audit_per_branch")
    head_office = None if per_branch else head_office_id(certificate)

    def key(branch_id: int, kind: str) -> tuple[int, rules.AuditKind]:
        k = rules.AuditKind(kind)
        return (head_office if k.is_location and not per_branch else branch_id), k
    return key


def counted_on(certificate: Certificate, audit: Audit) -> tuple[int, rules.AuditKind]:
    return line_key(certificate, audit.branch_id, audit.kind)


# -- the programme ------------------------------------------------------------------------


@dataclass
class PeriodView:
    period: rules.Period
    programme: rules.Programme
    progress: list
    catch_up: CatchUp | None
    current: bool

    def to_dict(self) -> dict:
        return {**self.programme.to_dict(), "current": self.current, "fee": self.fee(),
                "lines": [p.to_dict() for p in self.progress],
                "behind": sum(p.behind for p in self.progress),
                "to_plan": sum(p.to_plan for p in self.progress),
                "catch_up": None if self.catch_up is None else {
                    "reason": self.catch_up.reason, "recorded_on": self.catch_up.recorded_on.isoformat(),
                    "shortfall": self.catch_up.shortfall}}

    def fee(self) -> dict:
        """The period's fee estimate at the CKI's hourly rate, or why it is refused (above the cap)."""
        try:
            return rules.fee_estimate(load_scheme(self.programme.scheme, self.period.start), self.programme.man_days,
                                      Decimal(str(current_app.config["HOURLY_RATE_EUR"])), on=self.period.start).to_dict()
        except ValueError as refused:
            return {"refused": str(refused)}


def _figures(certificate: Certificate) -> dict[tuple[int, int], PeriodFigures]:
    rows = db.session.scalars(sa.select(PeriodFigures).where(PeriodFigures.certificate_id == certificate.id)).all()
    return {(r.period_index, r.branch_id): r for r in rows}


def programme_for(certificate: Certificate, period: rules.Period, *, figures=None, catch_ups=None,
                  periods: list[rules.Period] | None = None) -> rules.Programme:
    """The period's programme: the figures declared for the period before it (period 0: the 12
    months before the grant), and the shortfall the previous period moved here."""
    figures = _figures(certificate) if figures is None else figures
    catch_ups = _catch_ups(certificate) if catch_ups is None else catch_ups
    branches = []
    for b in certificate.branches:
        if b.get("branch_id") is None:
            continue
        row = figures.get((period.index - 1, b["branch_id"]))
        branches.append((b["branch_id"], b.get("name") or b.get("address"), bool(b.get("is_head_office")),
                         tuple(sorted(row.figures.items())) if row else (), row.works if row else None))
    carried = ()
    previous = catch_ups.get(period.index - 1)
    if previous is not None:
        carried = tuple(sorted(((s["branch_id"], s["kind"]), s["count"]) for s in previous.shortfall))
    periods = periods or periods_of(certificate)
    version = load_scheme(certificate.scheme, period.start)
    return _programme(version.scheme, version.version, period, tuple(branches), certificate.valid_until,
                      period.index == len(periods), certificate.not_continuing_on is not None, carried)


@lru_cache(maxsize=8192)
def _programme(scheme: str, version: str, period: rules.Period, branches: tuple, valid_until: date, last: bool,
               not_continuing: bool, carried: tuple) -> rules.Programme:
    """``rules.programme`` on hashable facts, remembered: the rules are pure, and the planning board
    asks for the same thousand programmes on every load until a figure, a catch-up or the scheme
    version changes (each is part of the key)."""
    scheme_version = load_scheme(scheme, period.start)
    facts = [rules.BranchFigures(branch_id, name, head_office=head, figures=dict(figures), works=works)
             for branch_id, name, head, figures, works in branches]
    return rules.programme(scheme_version, period, facts, valid_until=valid_until, last=last,
                           not_continuing=not_continuing,
                           carried_in={(b, rules.AuditKind(k)): n for (b, k), n in carried})


def _catch_ups(certificate: Certificate) -> dict[int, CatchUp]:
    rows = db.session.scalars(sa.select(CatchUp).where(CatchUp.certificate_id == certificate.id)).all()
    return {r.period_index: r for r in rows}


def _counts(certificate: Certificate, audits) -> tuple[dict, dict]:
    """(planned, done) per (period, branch, kind)."""
    planned, done = Counter(), Counter()
    for audit in audits:
        key = (audit.period_index, *counted_on(certificate, audit))
        if audit.status == AuditStatus.DONE:
            done[key] += 1
        elif audit.status == AuditStatus.PLANNED:
            planned[key] += 1
    return planned, done


def overview(certificate: Certificate, on: date | None = None) -> list[PeriodView]:
    """Every period of the certificate: its programme, planned against done, what is behind."""
    on = on or today()
    audits = db.session.scalars(sa.select(Audit).where(Audit.certificate_id == certificate.id)).all()
    planned, done = _counts(certificate, audits)
    figures, catch_ups = _figures(certificate), _catch_ups(certificate)
    views = []
    for period in periods_of(certificate):
        prog = programme_for(certificate, period, figures=figures, catch_ups=catch_ups)
        mine = {k[1:]: v for k, v in planned.items() if k[0] == period.index}
        finished = {k[1:]: v for k, v in done.items() if k[0] == period.index}
        catch_up = catch_ups.get(period.index)
        moved = {(x["branch_id"], rules.AuditKind(x["kind"])): x["count"] for x in catch_up.shortfall} if catch_up else {}
        views.append(PeriodView(period, prog, rules.progress(prog, mine, finished, on, moved), catch_up,
                                period.contains(on)))
    return views


def track_programme(certificate: Certificate) -> None:
    """The programme in the deadline watch (its planners act): the running period's audits still to
    do by its due date, and once that period is complete the next one's, so a programme is watched
    from one period to the next; reminded well ahead (``audit_quota`` in REMINDER_LEAD_WORKDAYS:
    quota at risk), flagged when a period is due with audits open. The last period's audits are
    the recertification (``recertification``, due on the recertification date). When a period ends
    the sweep moves on (:func:`_period_due`)."""
    items = []
    if certificate.status in LIVE:
        views = overview(certificate)
        index = next((i for i, v in enumerate(views) if v.current), None)
        for view in views[index:index + 2] if index is not None else []:
            if view.current:
                open_ = sum(max(p.line.total - p.done - p.moved, 0) for p in view.progress)
            else:
                open_ = sum(line.total for line in view.programme.lines)
            if open_:
                # the last period's audits are the recertification (due 3 months before expiry), unless
                # the holder said it will not continue: then they are only its last period's quota
                recertification = view is views[-1] and certificate.not_continuing_on is None
                items.append(deadlines.Item(
                    kind="recertification" if recertification else "audit_quota", due_on=view.programme.due_by,
                    continues=("audit_quota",) if recertification else ("recertification",),
                    role="planner", url=f"/certificaten/{certificate.id}", rule=view.programme.due_rule,
                    label=f"Certificaat {certificate.number} ({certificate.holder_name}): "
                          f"{'hercertificering, ' if recertification else ''}{open_} beoordeling(en) "
                          f"van periode {view.period.index} nog uit te voeren"))
                break
    deadlines.sync("programme", certificate.id, cki_id=certificate.cki_id, company_id=certificate.company_id,
                   items=items, on=today())


@certificates.changed.connect
def _certificate_changed(certificate, **_):
    """A certificate changed (a notice of not continuing moves the last period's due date; a
    withdrawal or expiry ends the programme): its programme deadline follows in the same transaction."""
    track_programme(certificate)


@deadlines.overdue.connect
def _period_due(deadline, on, **_):
    """A period's programme is due: flagged once; the certificate's next period gets its deadline."""
    if deadline.subject_type == "programme":
        track_programme(db.session.get(Certificate, deadline.subject_id))


# -- audits -------------------------------------------------------------------------------


def _assignment_facts(user: User, company_id: int, day: date, exclude_audit_id: int | None) -> rules.AssignmentFacts:
    qualifications = [(q.scheme, q.valid_from, q.valid_to) for q in user.qualifications if q.function == "assessor"]
    declarations = db.session.execute(sa.select(ConflictDeclaration.declared_on, ConflictDeclaration.clear).where(
        ConflictDeclaration.user_id == user.id, ConflictDeclaration.company_id == company_id)).all()
    location_kinds = [k.value for k in rules.AuditKind if k.is_location]
    others = db.session.execute(sa.select(Audit.close_locations, Certificate.scheme).join(AuditAuditor)
                                .join(Certificate, Certificate.id == Audit.certificate_id).where(
        AuditAuditor.user_id == user.id, Audit.planned_on == day, Audit.kind.in_(location_kinds),
        Audit.status != AuditStatus.CANCELLED.value, Audit.id != (exclude_audit_id or 0))).all()

    def allows_more(scheme: str) -> bool:
        caps = load_scheme(scheme, day).param("daily_location_audit_cap")
        return caps["close_locations"] > caps["normal"]

    return rules.AssignmentFacts(user.name, Role.ASSESSOR in user.roles, qualifications,
                                 [tuple(d) for d in declarations], len(others),
                                 all(close and allows_more(scheme) for close, scheme in others))


def _auditors(certificate: Certificate, user_ids: list[int], day: date, *, location: bool, close: bool,
              exclude_audit_id: int | None = None) -> list[User]:
    if not user_ids:
        raise DomainError("auditor_ids", "Wijs ten minste één beoordelaar toe.")
    if len(set(user_ids)) != len(user_ids):
        raise DomainError("auditor_ids", "Een beoordelaar staat er twee keer in.")
    # Lock the auditors' rows: two planners filling one auditor's day at once are served one after
    # the other, so the daily cap holds (SQLite serialises writers anyway).
    users = db.session.scalars(sa.select(User).where(User.id.in_(user_ids), User.cki_id == certificate.cki_id,
                                                     User.kind == "staff", User.active.is_(True))
                               .order_by(User.id).with_for_update()).all()
    if len(users) != len(user_ids):
        raise DomainError("auditor_ids", "Onbekende of niet actieve medewerker.")
    _check_auditors(certificate, users, day, "auditor_ids", location=location, close=close,
                    exclude_audit_id=exclude_audit_id)
    return users


def _check_auditors(certificate: Certificate, users, day: date, field: str, *, location: bool, close: bool = False,
                    exclude_audit_id: int | None = None) -> None:
    """Refuse, naming every reason, unless each auditor may audit this company on ``day``."""
    scheme = scheme_of(certificate)
    problems = []
    for user in users:
        facts = _assignment_facts(user, certificate.company_id, day, exclude_audit_id)
        problems += rules.assignment_problems(scheme, day, facts, location=location, close_locations=close)
    if problems:
        raise DomainError(field, sentences(problems))


def _outside_validity(certificate: Certificate) -> Message:
    return Message("De datum ligt buiten de geldigheid van het certificaat (%(start)s tot en met %(end)s).",
                   start=nl_date(certificate.issued_on), end=nl_date(certificate.valid_until))


def _live(certificate: Certificate) -> None:
    if certificate.status not in LIVE:
        raise DomainError("certificate_id", Message("Het certificaat is %(status)s: er wordt niet meer beoordeeld.",
                                                    status=Message.known(certificate.status_label)))


def plan_audit(certificate: Certificate, data: dict) -> Audit:
    """Plan an audit of the certificate: kind, branch, date, auditors (each checked: qualified for the
    scheme on the date, a clear conflict-of-interest declaration for the company, the daily cap),
    optionally the melding it visits. Whether it is unannounced follows from the scheme."""
    _live(certificate)
    scheme = scheme_of(certificate)
    day = data["planned_on"]
    period = rules.period_of(periods_of(certificate), day)
    if period is None:
        raise DomainError("planned_on", _outside_validity(certificate))
    if day < today():
        raise DomainError("planned_on", "Een beoordeling plant u vandaag of later.")
    kind = rules.AuditKind(data["kind"])
    if kind.is_location and kind.value not in rules.location_columns(scheme):
        raise DomainError("kind", Message("%(scheme)s kent deze soort beoordeling op locatie niet.", scheme=scheme.scheme))
    branch = _branch(certificate, data["branch_id"])
    melding = None
    if data.get("melding_id") is not None:
        if not kind.is_location:
            raise DomainError("melding_id", "Alleen een beoordeling op locatie bezoekt een melding.")
        melding = db.session.get(Melding, data["melding_id"])
        if melding is None or melding.cki_id != certificate.cki_id or melding.company_id != certificate.company_id:
            raise DomainError("melding_id", "Onbekende melding van dit bedrijf.")
        if melding.status in ("cancelled", "merged"):
            raise DomainError("melding_id", "Deze melding is ingetrokken of samengevoegd.")
        if melding.scheme != certificate.scheme:
            raise DomainError("melding_id", Message("Deze melding valt onder %(melding)s, het certificaat onder "
                                                    "%(certificate)s.", melding=melding.scheme,
                                                    certificate=certificate.scheme))
        if not melding.planned_start <= day <= (melding.planned_end or melding.planned_start):
            raise DomainError("planned_on", Message("Op deze datum loopt het werk van de melding niet (gepland "
                                                    "%(start)s tot en met %(end)s).",
                                                    start=nl_date(melding.planned_start),
                                                    end=nl_date(melding.planned_end or melding.planned_start)))
    entry = None
    if data.get("overview_entry_id") is not None:
        entry = _sampled_project(certificate, kind, scheme, data["overview_entry_id"])
    close = bool(data.get("close_locations"))
    if close and not kind.is_location:
        raise DomainError("close_locations", "Alleen voor beoordelingen op locatie.")
    users = _auditors(certificate, data["auditor_ids"], day, location=kind.is_location, close=close)
    unannounced = kind.is_location and bool(scheme.param("location_audit_unannounced").get(kind.value, False))
    location = data.get("location") or (melding.address if melding else None)
    if entry is not None and not data.get("location"):
        location = f"{entry.location} (verantwoordelijke DIA: {entry.responsible_dia})"[:300]
    if location is None and not kind.is_location:
        location = branch.get("address")
    audit = Audit(cki_id=certificate.cki_id, certificate_id=certificate.id, company_id=certificate.company_id,
                  branch_id=branch["branch_id"], kind=kind.value, period_index=period.index, planned_on=day,
                  unannounced=unannounced, melding_id=melding.id if melding else None, location=location,
                  overview_entry_id=entry.id if entry else None,
                  close_locations=close, auditors=[AuditAuditor(cki_id=certificate.cki_id, user_id=u.id) for u in users])
    db.session.add(audit)
    db.session.flush()
    log_event(audit, "audit.planned", after=_audit_state(audit))
    track_programme(certificate)
    return audit


def _sampled_project(certificate: Certificate, kind: rules.AuditKind, scheme: SchemeVersion, entry_id: int):
    """A project of the company's current overview, drawn in the sample for audits planned with the
    company (B §4.3.2: not yet remediated or demolished), for a location audit that is announced."""
    if not kind.is_location or scheme.param("location_audit_unannounced").get(kind.value, False):
        raise DomainError("overview_entry_id", "Een project uit het overzicht hoort bij een beoordeling op locatie "
                                               "die met het bedrijf wordt gepland.")
    entry = db.session.get(ProjectOverviewEntry, entry_id)
    if entry is None or entry.cki_id != certificate.cki_id or entry.company_id != certificate.company_id:
        raise DomainError("overview_entry_id", "Onbekend project uit het overzicht van dit bedrijf.")
    if not entry.current or not entry.selected_for_audit or entry.remediated or entry.demolished:
        raise DomainError("overview_entry_id", "Kies een project uit de steekproef van het actuele overzicht dat nog "
                                               "niet gesaneerd of gesloopt is.")
    return entry


def _audit_state(audit: Audit) -> dict:
    return {"certificate_id": audit.certificate_id, "kind": audit.kind, "branch_id": audit.branch_id,
            "planned_on": audit.planned_on.isoformat(), "period_index": audit.period_index,
            "unannounced": audit.unannounced, "melding_id": audit.melding_id,
            "overview_entry_id": audit.overview_entry_id, "auditor_ids": audit.auditor_ids,
            "status": audit.status, "done_on": audit.done_on.isoformat() if audit.done_on else None}


def _check_version(audit: Audit, lock_version: int) -> None:
    if audit.lock_version != lock_version:
        raise Conflict("lock_version", "De beoordeling is intussen door iemand anders gewijzigd; laad haar opnieuw.")


def record_done(audit: Audit, data: dict) -> Audit:
    """The audit took place on ``done_on``: not in the future, not before the certificate was
    issued nor after it ended; it counts in the period that contains that date."""
    _check_version(audit, data["lock_version"])
    if audit.status != AuditStatus.PLANNED:
        raise DomainError("status", Message("De beoordeling is al %(status)s.", status=Message.known(audit.status_label)))
    certificate = audit.certificate
    done_on = data["done_on"]
    if done_on > today():
        raise DomainError("done_on", "Een beoordeling kan niet in de toekomst zijn uitgevoerd.")
    period = rules.period_of(periods_of(certificate), done_on)
    if period is None:
        raise DomainError("done_on", _outside_validity(certificate))
    if done_on != audit.planned_on:  # the auditors must have been qualified and clear on the day itself
        users = db.session.scalars(sa.select(User).where(User.id.in_(audit.auditor_ids))).all()
        _check_auditors(certificate, users, done_on, "done_on", location=False, exclude_audit_id=audit.id)
    before = _audit_state(audit)
    audit.status, audit.done_on, audit.period_index = AuditStatus.DONE.value, done_on, period.index
    db.session.flush()
    log_event(audit, "audit.done", before=before, after=_audit_state(audit))
    track_programme(audit.certificate)
    return audit


def cancel_audit(audit: Audit, data: dict) -> Audit:
    """A planned audit will not take place (its reason is kept). An unannounced one stays secret."""
    _check_version(audit, data["lock_version"])
    if audit.status != AuditStatus.PLANNED:
        raise DomainError("status", Message("De beoordeling is al %(status)s.", status=Message.known(audit.status_label)))
    before = _audit_state(audit)
    audit.status, audit.cancel_reason = AuditStatus.CANCELLED.value, data["reason"]
    db.session.flush()
    log_event(audit, "audit.cancelled", before=before, after=_audit_state(audit), note=data["reason"])
    track_programme(audit.certificate)
    return audit


def melding_alert(audit: Audit) -> str | None:
    """Why the melding behind a planned audit no longer fits it (withdrawn, or its dates moved)."""
    if audit.melding_id is None or audit.status != AuditStatus.PLANNED:
        return None
    melding = db.session.get(Melding, audit.melding_id)
    if melding.status in ("cancelled", "merged"):
        return "De melding achter deze beoordeling is ingetrokken of samengevoegd."
    end = melding.planned_end or melding.planned_start
    if not melding.planned_start <= audit.planned_on <= end:
        return (f"De melding is verplaatst: het werk loopt nu van {melding.planned_start:%d-%m-%Y} tot en met "
                f"{end:%d-%m-%Y}.")
    return None


# -- figures, catch-up, proposals -----------------------------------------------------------


def declare_figures(certificate: Certificate, data: dict) -> tuple[PeriodFigures, list[str]]:
    """The holder's figures for one period and branch (period 0: the 12 months before the grant),
    which plan the next period's location audits. Returns the row and the checks' warnings."""
    _live(certificate)
    periods = periods_of(certificate)
    index = data["period_index"]
    if not 0 <= index < len(periods):
        raise DomainError("period_index", Message("Cijfers gelden voor periode 0 (vóór de verlening) tot en met "
                                                  "%(last)s.", last=len(periods) - 1))
    branch = _branch(certificate, data["branch_id"])
    scheme = scheme_of(certificate)
    if not scheme.param("location_audit_per_branch") and not branch.get("is_head_office"):
        raise DomainError("branch_id", Message("%(scheme)s telt voor het hele certificaat: geef de cijfers op bij de "
                                               "hoofdvestiging.", scheme=scheme.scheme))
    try:  # the table itself says what it needs, and refuses what it cannot read
        plan = rules.location_audits(scheme, data["figures"], on=certificate.issued_on, works=data.get("works"))
    except ValueError as error:
        raise DomainError("figures", str(error)) from None
    row = db.session.scalar(sa.select(PeriodFigures).where(
        PeriodFigures.certificate_id == certificate.id, PeriodFigures.period_index == index,
        PeriodFigures.branch_id == branch["branch_id"]))
    before = None if row is None else {"figures": row.figures, "works": row.works}
    if row is None:
        row = PeriodFigures(cki_id=certificate.cki_id, certificate_id=certificate.id,
                            company_id=certificate.company_id, branch_id=branch["branch_id"], period_index=index)
        db.session.add(row)
    row.figures, row.works, row.declared_on = dict(data["figures"]), data.get("works"), today()
    db.session.flush()
    warnings = list(plan.warnings) + _compare_with_meldingen(certificate, index, periods)
    log_event(certificate, "certificate.figures_declared", before=before,
              after={"period_index": index, "branch_id": row.branch_id, "figures": row.figures, "works": row.works},
              note=sentences(warnings) or None)
    track_programme(certificate)
    return row, warnings


def _compare_with_meldingen(certificate: Certificate, index: int, periods: list[rules.Period]) -> list[str]:
    """Table 1's inputs against what the system knows (SC-540): the reports declared against the
    meldingen it holds for that period (a report follows most meldingen), the DIA declared against
    those named in the current project overview; a warning when they differ by more than the
    tolerance."""
    if "avg_reports" not in {c["name"] for c in scheme_of(certificate).param("location_audit_table")["criteria"]}:
        return []
    tolerance = current_app.config["FIGURES_CHECK_TOLERANCE"]
    declared_rows = [r for (p, _), r in _figures(certificate).items() if p == index]
    declared = sum(r.figures.get("avg_reports", 0) for r in declared_rows)
    if index:
        start, end = periods[index - 1].start, periods[index - 1].end
    else:  # the period before the grant
        start, end, _ = previous_period(scheme_of(certificate), certificate.issued_on, certificate.issued_on)
    known = db.session.scalar(sa.select(sa.func.count()).select_from(Melding).where(
        Melding.company_id == certificate.company_id, Melding.scheme == certificate.scheme,
        Melding.status.not_in(("cancelled", "merged")), Melding.planned_start.between(start, end)))
    warnings = []
    if known and abs(declared - known) > tolerance * known:
        warnings.append(f"Opgegeven {declared:g} rapporten; het systeem kent {known} meldingen van dit bedrijf onder "
                        f"{certificate.scheme} van {start:%d-%m-%Y} tot en met {end:%d-%m-%Y}. Controleer de cijfers.")
    # The DIA named in the company's current project overview (B §7.3) against the DIA declared.
    dia = sum(r.figures.get("avg_dia", 0) for r in declared_rows)
    named = db.session.scalar(sa.select(sa.func.count(sa.distinct(ProjectOverviewEntry.responsible_dia))).where(
        ProjectOverviewEntry.company_id == certificate.company_id, ProjectOverviewEntry.current.is_(True)))
    if named and abs(dia - named) > tolerance * named:
        warnings.append(f"Opgegeven gemiddeld {dia:g} DIA; het actuele projectoverzicht van dit bedrijf noemt {named} "
                        "verschillende verantwoordelijke DIA. Controleer de cijfers.")
    return warnings


@dataclass
class CatchUpResult:
    catch_up: CatchUp | None
    proposal: WithdrawalProposal | None
    decision: rules.CatchUpDecision


def request_catch_up(certificate: Certificate, data: dict) -> CatchUpResult:
    """Move the period's shortfall (what is not done) to the next period, with its reason: allowed
    once in the scheme's window of periods; otherwise a withdrawal proposal goes to a decider
    (returned; the caller commits it and answers with the refusal)."""
    _live(certificate)
    index = data["period_index"]
    period = _period(certificate, index)
    if index == len(periods_of(certificate)):
        raise DomainError("period_index", "Na de laatste periode is er geen volgende periode om in te halen; "
                                          "de hercertificatie volgt.")
    if db.session.scalar(sa.select(CatchUp.id).where(CatchUp.certificate_id == certificate.id,
                                                     CatchUp.period_index == index)):
        raise Conflict("period_index", Message("Voor periode %(index)s is het inhalen al vastgelegd.", index=index))
    if today() <= period.end:  # what can still be done is planned; a shortfall is known once the period ended
        raise DomainError("period_index", Message("Periode %(index)s loopt nog tot en met %(end)s: plan wat nog kan; "
                                                  "een tekort schuift door na het einde van de periode.",
                                                  index=index, end=nl_date(period.end)))
    view = next(v for v in overview(certificate) if v.period.index == period.index)
    shortfall = [{"branch_id": p.line.branch_id, "kind": p.line.kind.value, "count": p.line.total - p.done}
                 for p in view.progress if p.line.total > p.done]
    if not shortfall:
        raise DomainError("period_index", Message("Periode %(index)s heeft geen tekort.", index=index))
    numbered = _holder_periods(certificate)
    uses = db.session.execute(sa.select(CatchUp.certificate_id, CatchUp.period_index).join(
        Certificate, Certificate.id == CatchUp.certificate_id).where(
        Certificate.company_id == certificate.company_id, Certificate.scheme == certificate.scheme)).all()
    earlier = [numbered[use] for use in uses if use in numbered]
    decision = rules.catch_up_decision(scheme_of(certificate), numbered[(certificate.id, index)], earlier,
                                       on=period.start)
    principal = current_principal()
    if decision.allowed:
        row = CatchUp(cki_id=certificate.cki_id, certificate_id=certificate.id, company_id=certificate.company_id,
                      period_index=index, shortfall=shortfall, reason=data["reason"], recorded_on=today(),
                      recorded_by_id=principal.user_id if principal else None)
        db.session.add(row)
        db.session.flush()
        log_event(certificate, "certificate.catch_up", after={"period_index": index, "shortfall": shortfall},
                  note=data["reason"])
        track_programme(certificate)
        return CatchUpResult(row, None, decision)
    proposal = propose_withdrawal(certificate, index, "catch_up_exhausted", f"{decision.reason} Reden van de planner: "
                                  f"{data['reason']}", decision.source)
    return CatchUpResult(None, proposal, decision)


def _holder_periods(certificate: Certificate) -> dict[tuple[int, int], int]:
    """(certificate, period) -> the holder's consecutive period number for this scheme, over its
    successive certificates (recertification): "any 4 consecutive periods" (RULES.md §4) does not
    start again with a new certificate."""
    certificates = db.session.scalars(sa.select(Certificate).where(
        Certificate.company_id == certificate.company_id, Certificate.scheme == certificate.scheme)
        .order_by(Certificate.issued_on)).all()
    first = certificates[0].issued_on
    numbered = {}
    for c in certificates:
        for p in periods_of(c):
            months = (p.start.year - first.year) * 12 + p.start.month - first.month - (p.start.day < first.day)
            numbered[(c.id, p.index)] = months // 12 + 1
    return numbered


def propose_withdrawal(certificate: Certificate, period_index: int, ground: str, reason: str,
                       source: str) -> WithdrawalProposal:
    """The system proposes a withdrawal to a decider; one open proposal per certificate and ground."""
    open_one = db.session.scalar(sa.select(WithdrawalProposal).where(
        WithdrawalProposal.certificate_id == certificate.id, WithdrawalProposal.ground == ground,
        WithdrawalProposal.status == ProposalStatus.OPEN.value))
    if open_one is not None:
        return open_one
    proposal = WithdrawalProposal(cki_id=certificate.cki_id, certificate_id=certificate.id,
                                  company_id=certificate.company_id, period_index=period_index, ground=ground,
                                  reason=reason, source=source, proposed_on=today())
    db.session.add(proposal)
    db.session.flush()
    log_event(proposal, "withdrawal.proposed", after={"certificate_id": certificate.id, "ground": ground,
                                                      "period_index": period_index}, note=reason)
    return proposal


def decide_proposal(proposal: WithdrawalProposal, data: dict) -> WithdrawalProposal:
    """A decider confirms or rejects the proposal, with reasons. Confirming records the decision to
    withdraw; the withdrawal itself (zienswijze, besluit, register) is the findings procedure's."""
    if proposal.status != ProposalStatus.OPEN:
        raise Conflict("status", "Over dit voorstel is al beslist.")
    principal = current_principal()
    before = {"status": proposal.status}
    proposal.status = (ProposalStatus.CONFIRMED if data["confirm"] else ProposalStatus.REJECTED).value
    proposal.decided_on, proposal.decision_reason = today(), data["reason"]
    proposal.decided_by_id = principal.user_id if principal else None
    db.session.flush()
    log_event(proposal, "withdrawal.proposal_decided", before=before, after={"status": proposal.status},
              note=data["reason"])
    return proposal


# -- checklists and reports ------------------------------------------------------------------------

PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def current_checklist(cki_id: int, scheme: str, kind: str, on: date) -> Checklist:
    """The latest checklist version for the scheme and audit kind; version 1 is taken from the
    scheme data the first time it is needed."""
    latest = db.session.scalar(sa.select(Checklist).where(
        Checklist.cki_id == cki_id, Checklist.scheme == scheme, Checklist.kind == kind)
        .order_by(Checklist.version.desc()).limit(1))
    if latest is not None:
        return latest
    version = load_scheme(scheme, on)
    items = version.param("checklists").get(kind)
    if items is None:
        raise DomainError("kind", Message("%(scheme)s heeft geen checklist voor deze soort beoordeling.", scheme=scheme))
    checklist = Checklist(cki_id=cki_id, scheme=scheme, kind=kind, version=1, items=[dict(i) for i in items],
                          note=f"Startversie uit de schemagegevens ({version.cite('checklists')}).")
    db.session.add(checklist)
    db.session.flush()
    log_event(checklist, "checklist.created", after={"scheme": scheme, "kind": kind, "version": 1})
    return checklist


def new_checklist_version(cki_id: int, data: dict) -> Checklist:
    """The quality manager's new version of a checklist. A line keeps its key when its clause and
    text are unchanged, so coverage and findings stay comparable across versions."""
    kind = rules.AuditKind(data["kind"])
    previous = current_checklist(cki_id, data["scheme"], kind.value, today())
    known = {(i["clause"], i["text"]): i["key"] for i in previous.items}
    items, used = [], set()
    for n, line in enumerate(data["items"], start=1):
        key = known.get((line["clause"], line["text"])) or f"{kind.value}-v{previous.version + 1}-{n}"
        if key in used:
            raise DomainError("items", Message("Regel %(n)s staat er twee keer in.", n=n))
        used.add(key)
        items.append({"key": key, "clause": line["clause"], "text": line["text"]})
    principal = current_principal()
    checklist = Checklist(cki_id=cki_id, scheme=data["scheme"], kind=kind.value, version=previous.version + 1,
                          items=items, note=data.get("note"), created_by_id=principal.user_id if principal else None)
    db.session.add(checklist)
    db.session.flush()
    log_event(checklist, "checklist.version_added", before={"version": previous.version},
              after={"version": checklist.version, "lines": len(items)}, note=data.get("note"))
    return checklist


def _report_version(report: AuditReport, lock_version: int) -> None:
    if report.lock_version != lock_version:
        raise Conflict("lock_version", "Het rapport is intussen elders opgeslagen; laad het opnieuw. Wat u niet "
                                       "kon opslaan, staat nog in uw formulier.")


def save_draft(audit: Audit, data: dict) -> AuditReport:
    """Save the auditor's answers (merged line by line) and summary as a draft. All or nothing: a
    refused save changes nothing, so the last saved draft stays as it was."""
    if audit.status == AuditStatus.CANCELLED:
        raise DomainError("audit_id", "Deze beoordeling is vervallen.")
    report = audit.report
    if report is None:
        if data["lock_version"] != 0:
            raise Conflict("lock_version", "Er is nog geen rapport; begin met lock_version 0.")
        checklist = current_checklist(audit.cki_id, audit.certificate.scheme, audit.kind, audit.planned_on)
        report = AuditReport(cki_id=audit.cki_id, audit_id=audit.id, company_id=audit.company_id,
                             checklist=checklist, answers={}, status=rules.ReportStatus.DRAFT.value)
        db.session.add(report)
        audit.report = report
    else:
        _report_version(report, data["lock_version"])
    if rules.ReportStatus(report.status) not in rules.EDITABLE:
        raise DomainError("status", Message("Het rapport is %(status)s en kan niet meer worden gewijzigd.", status=Message.known(
            rules.REPORT_STATUS_LABELS[rules.ReportStatus(report.status)])))
    answers = {key: {k: v for k, v in answer.items() if v is not None} for key, answer in data.get("answers", {}).items()}
    problems = rules.answer_problems(audit.certificate.scheme, report.checklist.items, answers, on=audit.planned_on)
    if problems:
        raise DomainError("answers", sentences(f"{key}: {message}" for key, message in problems.items()))
    report.answers = {**(report.answers or {}), **answers}
    if "summary" in data:
        report.summary = data["summary"]
    db.session.flush()
    log_event(report, "audit_report.saved", after={"audit_id": audit.id, "lines": sorted(answers)})
    return report


def submit_report(audit: Audit, data: dict) -> AuditReport:
    """The auditor hands the finished report to team-leader review; the audit is recorded as done
    on ``done_on`` if it was still planned."""
    report = audit.report
    if report is None:
        raise DomainError("audit_id", "Er is nog geen rapport om in te dienen.")
    if audit.status == AuditStatus.CANCELLED:
        raise DomainError("audit_id", "Deze beoordeling is vervallen; er komt geen rapport van.")
    _report_version(report, data["lock_version"])
    try:
        nxt = rules.report_transition(report.status, "submit")
    except ValueError as refused:
        raise DomainError("status", str(refused)) from None
    if problems := rules.submit_problems(report.checklist.items, report.answers):
        raise DomainError("answers", sentences(problems))
    if audit.status == AuditStatus.PLANNED:
        record_done(audit, {"lock_version": audit.lock_version, "done_on": data.get("done_on") or today()})
    before = report.status
    report.status, report.submitted_on = nxt.value, today()
    db.session.flush()
    log_event(report, "audit_report.submitted", before={"status": before}, after={"status": report.status})
    return report


def review_report(audit: Audit, data: dict) -> AuditReport:
    """A team leader who did not audit it approves the report (final: its findings are recorded on
    the certificate) or returns it with comments."""
    report = audit.report
    if report is None:
        raise DomainError("audit_id", "Er is nog geen rapport.")
    _report_version(report, data["lock_version"])
    principal = current_principal()
    if principal and principal.user_id in audit.auditor_ids:
        raise DomainError("audit_id", "Wie de beoordeling uitvoerde, beoordeelt het eigen rapport niet.")
    if audit.status != AuditStatus.DONE:
        raise DomainError("audit_id", "Alleen het rapport van een uitgevoerde beoordeling wordt beoordeeld.")
    action = "approve" if data["approve"] else "return"
    try:
        nxt = rules.report_transition(report.status, action)
    except ValueError as refused:
        raise DomainError("status", str(refused)) from None
    if action == "return" and not (data.get("comment") or "").strip():
        raise DomainError("comment", "Zeg bij het terugsturen wat er moet veranderen.")
    before = report.status
    report.status, report.review_comment = nxt.value, data.get("comment")
    report.reviewed_by_id = principal.user_id if principal else None
    if nxt == rules.ReportStatus.FINAL:
        report.final_on = today()
        items = {i["key"]: i for i in report.checklist.items}
        recorded = [findings.record(audit.certificate, audit_id=audit.id, item=items[key], category=answer["category"],
                                    evidence=answer["evidence"], found_on=audit.done_on)
                    for key, answer in sorted(report.answers.items()) if answer.get("outcome") == rules.Outcome.FINDING]
        findings.write_result(audit.certificate, recorded, audit=(
            audit.id, f"{rules.KIND_LABELS[audit.kind]} van {dutch_date(audit.done_on)}"))
    db.session.flush()
    log_event(report, f"audit_report.{'approved' if data['approve'] else 'returned'}", before={"status": before},
              after={"status": report.status}, note=data.get("comment"))
    return report


def add_photo(audit: Audit, item_key: str, filename: str | None, content: bytes) -> AuditPhoto:
    """A photo as evidence for one line of a report that can still be edited: JPEG or PNG (by
    content, not by name), at most ``PHOTO_MAX_BYTES``."""
    report = audit.report
    if report is None or rules.ReportStatus(report.status) not in rules.EDITABLE:
        raise DomainError("file", "Foto's horen bij een rapport in concept; sla eerst het concept op.")
    if item_key not in {i["key"] for i in report.checklist.items}:
        raise DomainError("item_key", "Deze regel staat niet op de checklist van dit rapport.")
    limit = current_app.config["PHOTO_MAX_BYTES"]
    if len(content) > limit:
        raise DomainError("file", Message("De foto is groter dan %(mb)s MB.", mb=limit // 1_000_000))
    content_type = next((t for magic, t in PHOTO_TYPES.items() if content.startswith(magic)), None)
    if content_type is None:
        raise DomainError("file", "Alleen foto's als JPEG of PNG.")
    photo = AuditPhoto(cki_id=audit.cki_id, report_id=report.id, item_key=item_key,
                       filename=safe_filename(filename, "foto"), content_type=content_type, size=len(content),
                       data=content)
    db.session.add(photo)
    db.session.flush()
    log_event(report, "audit_report.photo_added", after={"photo_id": photo.id, "item_key": item_key,
                                                         "size": photo.size, "content_type": content_type})
    return photo


def coverage_for(certificate: Certificate) -> list[rules.CoverageRow]:
    """Every clause of the scheme's current checklists against the periods in which a final report
    assessed it (conform or a finding)."""
    scheme = scheme_of(certificate)
    clauses = []
    for kind in scheme.param("checklists"):
        clauses += [i["clause"] for i in current_checklist(certificate.cki_id, certificate.scheme, kind,
                                                           certificate.issued_on).items]
    rows = db.session.execute(sa.select(Audit.period_index, AuditReport.answers, AuditReport.checklist_id)
                              .join(AuditReport, AuditReport.audit_id == Audit.id)
                              .where(Audit.certificate_id == certificate.id,
                                     AuditReport.status == rules.ReportStatus.FINAL.value)).all()
    versions = {c.id: {i["key"]: i["clause"] for i in c.items} for c in db.session.scalars(
        sa.select(Checklist).where(Checklist.id.in_({r.checklist_id for r in rows})))} if rows else {}
    assessed = []
    for period_index, answers, checklist_id in rows:
        by_key = versions[checklist_id]
        assessed += [(period_index, by_key[k]) for k, a in answers.items()
                     if k in by_key and a.get("outcome") in (rules.Outcome.CONFORM, rules.Outcome.FINDING)]
    return rules.coverage(sorted(set(clauses), key=clauses.index), assessed, len(periods_of(certificate)))
