"""State-changing verbs on findings: record one from a final report, complete a step of its procedure,
raise a B to an A, record a staff decision. Each changes, flushes and writes the event log; the
procedure's rules are ``workflows.findings``'s, its numbers the scheme's."""
from datetime import date

from sqlalchemy.orm.attributes import flag_modified

from cki.certificates.models import Certificate
from cki.core.auth import current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import Conflict, DomainError
from cki.dossiers.models import Dossier
from cki.events.operations import log_event
from cki.findings.models import Finding, FindingDecision, FindingStep, SanctionNotice
from workflows import findings as rules
from workflows import sanctions
from workflows.schemes import load_scheme


def record(certificate, *, item: dict, category: str, evidence: str, found_on: date, audit_id: int | None = None,
           notice_id: int | None = None) -> Finding:
    """A finding recorded on the certificate, from an audit's final report or an authority's
    notice, with the procedure its category follows (scheme data; a remark follows none)."""
    procedure = rules.category_procedure(certificate.scheme, category, on=found_on)
    finding = Finding(cki_id=certificate.cki_id, certificate_id=certificate.id, company_id=certificate.company_id,
                      audit_id=audit_id, notice_id=notice_id, item_key=item["key"], clause=item["clause"],
                      text=item["text"], category=category, evidence=evidence, found_on=found_on, procedure=procedure,
                      status=rules.FindingStatus.OPEN.value if procedure else rules.FindingStatus.CLOSED.value)
    db.session.add(finding)
    db.session.flush()
    log_event(finding, "finding.recorded", after={
        "category": category, "clause": item["clause"], "procedure": procedure, "found_on": found_on.isoformat(),
        **({"audit_id": audit_id} if audit_id else {}), **({"notice_id": notice_id} if notice_id else {})})
    return finding


def by_next_deadline(findings) -> list[tuple[Finding, dict]]:
    """Each finding with its view, the next deadline first (those without one last)."""
    rows = [(finding, view(finding)) for finding in findings]
    return sorted(rows, key=lambda r: ((r[1]["next_step"] or {}).get("due") or "9999-12-31", r[0].id))


def state_of(finding: Finding) -> rules.FindingState:
    return rules.FindingState(finding.certificate.scheme, finding.procedure, finding.found_on,
                              tuple(rules.Completion(s.step, s.completed_on, s.outcome) for s in finding.steps),
                              rules.FindingStatus(finding.status))


def _actor(principal) -> str:
    return principal.label if principal else "systeem"


def complete_step(finding: Finding, data: dict) -> Finding:
    """Record a step: the CKI's steps by staff, the company's answer (its corrective measures) by
    the company itself, dated the day it arrives, or by the office from a letter with its receipt
    date. A T6 that does not establish effectiveness sends a withdrawal proposal to a decider."""
    if finding.procedure is None:
        raise DomainError("step", "Een opmerking heeft geen procedure.")
    if finding.lock_version != data["lock_version"]:
        raise Conflict("lock_version", "De bevinding is intussen gewijzigd; laad haar opnieuw.")
    principal = current_principal()
    spec = next((s for s in load_scheme(finding.certificate.scheme, finding.found_on).param(
        rules.PROCEDURES[finding.procedure]) if s["step"] == data["step"]), None)
    if spec is None:
        raise DomainError("step", f"Onbekende stap {data['step']}.")
    if principal and principal.company_id is not None:
        if spec["actor"] != "company":
            raise DomainError("step", "Deze stap zet de CKI.")
        on = today()  # the company's answer counts from the day it arrives
    else:
        on = data.get("completed_on") or today()
    try:
        state = rules.complete(state_of(finding), data["step"], on, data.get("outcome"), today=today())
    except ValueError as refused:
        raise DomainError("step", str(refused)) from None
    before = finding.status
    finding.steps.append(FindingStep(cki_id=finding.cki_id, step=data["step"], completed_on=on,
                                     outcome=data.get("outcome"), text=data.get("text"),
                                     recorded_by=_actor(principal)))
    finding.status = state.status.value
    flag_modified(finding, "status")  # every step is a new version of the finding (optimistic locking)
    db.session.flush()
    log_event(finding, "finding.step", before={"status": before},
              after={"step": data["step"], "completed_on": on.isoformat(), "outcome": data.get("outcome"),
                     "status": finding.status}, note=data.get("text"))
    if state.status == rules.FindingStatus.WITHDRAWAL_PROPOSED:
        from cki.surveillance import operations as surveillance  # surveillance records findings: import late

        certificate = finding.certificate
        period = surveillance.rules.period_of(surveillance.periods_of(certificate), on)
        surveillance.propose_withdrawal(
            certificate, period.index if period else 0, f"finding_{finding.id}",
            f"Bevinding categorie {finding.category} ({finding.clause}): {spec['description']} "
            f"({spec['source']}); stap {data['step']} op {on:%d-%m-%Y}.", spec["source"])
    return finding


def raise_to_a(finding: Finding, data: dict, *, by: str | None = None) -> Finding:
    """A B becomes an A (B/C §8.1.1): not handled in its term (the sweep, ``by`` the system), or
    (SC-540) several B's that together weigh as an A, by staff with reasons. The B is closed as
    raised; the new A starts its own procedure on ``on``."""
    if finding.procedure != "non_a" or finding.status != rules.FindingStatus.OPEN:
        raise DomainError("finding_id", "Alleen een open afwijking van het pad zonder categorie A kan worden verhoogd.")
    on = data.get("on") or today()
    if on < finding.found_on or on > today():
        raise DomainError("on", "Verhogen kan niet vóór de bevinding zelf of in de toekomst.")
    principal = current_principal()
    a_code = next(c["code"] for c in load_scheme(finding.certificate.scheme, on).param("finding_categories")
                  if c["procedure"] == "category_a")
    raised = Finding(cki_id=finding.cki_id, certificate_id=finding.certificate_id, company_id=finding.company_id,
                     audit_id=finding.audit_id, item_key=finding.item_key, clause=finding.clause, text=finding.text,
                     category=a_code, evidence=finding.evidence, found_on=on, procedure="category_a",
                     status=rules.FindingStatus.OPEN.value, raised_reason=data["reason"],
                     raised_by=by or _actor(principal))
    db.session.add(raised)
    db.session.flush()
    finding.status, finding.raised_to_id = rules.FindingStatus.RAISED.value, raised.id
    finding.raised_reason, finding.raised_by = data["reason"], raised.raised_by
    db.session.flush()
    log_event(finding, "finding.raised", before={"category": finding.category},
              after={"raised_to_id": raised.id, "category": a_code, "by": raised.raised_by}, note=data["reason"])
    return raised


def decide(finding: Finding, data: dict) -> FindingDecision:
    """Record a staff decision on what the annex leaves open, with its reasons."""
    principal = current_principal()
    decision = FindingDecision(cki_id=finding.cki_id, about=data["about"], decision=data["decision"],
                               decided_on=today(), decided_by=_actor(principal))
    finding.decisions.append(decision)
    db.session.flush()
    log_event(finding, "finding.decision", after={"about": data["about"]}, note=data["decision"])
    return decision


def view(finding: Finding, on: date | None = None) -> dict:
    """The finding with its timeline, flags and the outcomes of its next step."""
    day = on or today()
    out = {"timeline": [], "flags": [], "next_step": None, "outcomes": {}}
    if finding.procedure is None:
        return out
    state = state_of(finding)
    views = rules.timeline(state, day)
    out["timeline"] = [v.to_dict() for v in views]
    out["flags"] = rules.flags(state, day)
    nxt = next((v for v in views if v.completed_on is None and v.reached), None)
    if nxt is not None and state.status == rules.FindingStatus.OPEN:
        out["next_step"] = {"step": nxt.step, "actor": nxt.actor,
                            "due": nxt.deadline.due.date.isoformat() if nxt.deadline.due else None}
    out["outcomes"] = rules.describe_outcomes(state.scheme, state.procedure, finding.found_on)
    out["overdue_b"] = rules.overdue_b(state, day)
    return out


# -- sanctions by the inspectorate and other authorities (A §4.2) --------------------------------


def record_notice(cki_id: int, data: dict) -> SanctionNotice:
    """A written notice received (with its receipt date) about a holder's certificate or a
    candidate's application."""
    certificate = db.session.get(Certificate, data["certificate_id"]) if data.get("certificate_id") else None
    dossier = db.session.get(Dossier, data["dossier_id"]) if data.get("dossier_id") else None
    if (certificate is None) == (dossier is None):
        raise DomainError("certificate_id", "Geef het certificaat van een houder of het dossier van een kandidaat.")
    subject = certificate or dossier
    if subject.cki_id != cki_id:
        raise DomainError("certificate_id" if certificate else "dossier_id", "Onbekend certificaat of dossier.")
    if data["received_on"] > today():
        raise DomainError("received_on", "De ontvangstdatum ligt in de toekomst.")
    notice = SanctionNotice(cki_id=cki_id, company_id=subject.company_id,
                            certificate_id=certificate.id if certificate else None,
                            dossier_id=dossier.id if dossier else None, authority=data["authority"],
                            kind=data["kind"], received_on=data["received_on"], description=data["description"])
    db.session.add(notice)
    db.session.flush()
    log_event(notice, "sanction_notice.received", after={"authority": notice.authority, "kind": notice.kind,
                                                          "received_on": notice.received_on.isoformat()})
    return notice


def determine(notice: SanctionNotice, data: dict) -> SanctionNotice:
    """The CKI's determination: does the fact deviate from the scheme, and if so was it an incident
    or is there another reason not to withdraw (or reject), or neither."""
    if notice.outcome is not None:
        raise DomainError("notice_id", "Over deze melding is al beslist.")
    if data["deviation"] and data.get("assessment") is None:
        raise DomainError("assessment", "Bij een afwijking: incident, een andere reden, of geen van beide.")
    notice.deviation = data["deviation"]
    notice.assessment = data.get("assessment") if data["deviation"] else None
    notice.determination, notice.determined_on = data["determination"], today()
    db.session.flush()
    log_event(notice, "sanction_notice.determined", after={"deviation": notice.deviation,
                                                           "assessment": notice.assessment},
              note=data["determination"])
    return notice


def decide_notice(notice: SanctionNotice, data: dict) -> SanctionNotice:
    """The outcome the determination allows, motivated where a certificate is kept (or an
    application weighed on) after a deviation: then listed for the annual report, and for a kept
    certificate the §8.2 procedure starts as a finding of the category the scheme gives."""
    if notice.outcome is not None:
        raise DomainError("notice_id", "Over deze melding is al beslist.")
    subject = "certificate" if notice.certificate_id else "application"
    allowed = sanctions.allowed_outcomes(subject, notice.deviation, notice.assessment)
    if not allowed:
        raise DomainError("outcome", "Stel eerst vast of het feit van het schema afwijkt.")
    if data["outcome"] not in allowed:
        raise DomainError("outcome", f"Na deze vaststelling kan alleen: {', '.join(allowed)}.")
    if sanctions.needs_motivation(notice.deviation, data["outcome"]) and not (data.get("motivation") or "").strip():
        raise DomainError("motivation", "Motiveer waarom na deze sanctie niet wordt ingetrokken of afgewezen; de "
                                        "motivering komt in het jaarverslag.")
    notice.outcome, notice.motivation, notice.decided_on = data["outcome"], data.get("motivation"), today()
    notice.annual_report = sanctions.needs_motivation(notice.deviation, notice.outcome)
    db.session.flush()
    if notice.certificate_id and notice.deviation and notice.outcome == sanctions.Outcome.KEEP:
        certificate = notice.certificate
        item = {"key": f"notice-{notice.id}",
                "clause": load_scheme(certificate.scheme, notice.decided_on).source("sanction_category_a"),
                "text": f"{sanctions.KIND_LABELS[sanctions.NoticeKind(notice.kind)].capitalize()} door "
                        f"{sanctions.AUTHORITY_LABELS[sanctions.Authority(notice.authority)]}"}
        record(certificate, item=item, evidence=notice.description, found_on=notice.decided_on,
               category=sanctions.finding_category(certificate.scheme, notice.authority, notice.kind,
                                                   on=notice.decided_on), notice_id=notice.id)
    log_event(notice, "sanction_notice.decided", after={"outcome": notice.outcome,
                                                        "annual_report": notice.annual_report},
              note=notice.motivation)
    return notice
