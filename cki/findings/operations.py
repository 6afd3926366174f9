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
from cki.core.pdf import dutch_date
from cki.deadlines import operations as deadlines
from cki.dossiers.models import Dossier
from cki.events.operations import log_event
from cki.findings.models import Finding, FindingDecision, FindingStep, SanctionNotice
from cki.letters import operations as letters
from cki.letters.models import Channel, IncomingKind
from workflows import findings as rules
from workflows import sanctions
from workflows.schemes import load_scheme
from workflows.text import Message


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
    _track(finding)
    return finding


def _spec(finding: Finding, step: str | None = None, *, index: int | None = None) -> dict | None:
    specs = load_scheme(finding.certificate.scheme, finding.found_on).param(rules.PROCEDURES[finding.procedure])
    if index is not None:
        return specs[index] if index < len(specs) else None
    return next((s for s in specs if s["step"] == step), None)


def _company_term(finding: Finding, after: str) -> str:
    """What the company must do after a CKI step's letter, with its term from the scheme data."""
    specs = load_scheme(finding.certificate.scheme, finding.found_on).param(rules.PROCEDURES[finding.procedure])
    index = next(i for i, s in enumerate(specs) if s["step"] == after)
    nxt = specs[index + 1] if index + 1 < len(specs) else None
    if nxt is None or nxt["actor"] != "company":
        return ""
    if nxt["working_days"] is None:
        return f"{nxt['description']} ({nxt['source']}): {nxt.get('note', '')}".strip()
    days = nxt["working_days"]
    return (f"{nxt['description']}: uiterlijk {days} {'werkdag' if days == 1 else 'werkdagen'} na de datum van "
            f"deze brief ({nxt['source']}).")


def _due_text(finding: Finding) -> str:
    """The company's next step with its actual last day (it runs from the step just done)."""
    nxt = view(finding)["next_step"]
    if not nxt or nxt["actor"] != "company":
        return ""
    spec = _spec(finding, nxt["step"])
    due = f" uiterlijk op {dutch_date(date.fromisoformat(nxt['due']))}" if nxt["due"] else ""
    return f"{spec['description']}{due} ({spec['source']})."


def _finding_fields(finding: Finding) -> dict:
    label = next((c["label"] for c in load_scheme(finding.certificate.scheme, finding.found_on).param(
        "finding_categories") if c["code"] == finding.category), finding.category)
    return {"categorie": label, "clausule": finding.clause, "tekst": finding.text, "bewijs": finding.evidence,
            "gevonden_op": dutch_date(finding.found_on)}


def _first_due(findings: list[Finding]) -> date | None:
    """The earliest deadline of the findings' next steps: the letter that does them must go by then."""
    steps = (view(f)["next_step"] for f in findings)  # one view per finding
    return min((date.fromisoformat(s["due"]) for s in steps if s and s["due"]), default=None)


def write_result(certificate, found: list[Finding], *, audit: tuple[int, str] | None = None) -> None:
    """The letter with the result and the findings to the company's management: an audit's report
    (``audit``: its id and what it was) with all its findings, or one finding's result (from a
    notice, or a B raised to an A). Its dispatch date is the day the first step of exactly the
    findings it reports is done; it must go by that step's deadline."""
    with_steps = [f for f in found if f.procedure]
    if audit is not None:
        terms = {}
        for finding in with_steps:  # one line per procedure: an A and a B have different terms
            terms.setdefault(finding.procedure, f"Bij {_finding_fields(finding)['categorie']}: "
                                                f"{_company_term(finding, _spec(finding, index=0)['step'])}")
        letters.compose(company=certificate.company, kind="audit_report", scheme=certificate.scheme,
                        certificate=certificate, regarding=("audit", audit[0]), due_on=_first_due(with_steps),
                        context={"beoordeling": audit[1], "bevindingen": [_finding_fields(f) for f in found],
                                 "termijn": "\n".join(terms.values()), "finding_ids": [f.id for f in with_steps]})
        return
    for finding in with_steps:
        letters.compose(company=certificate.company, kind="finding_result", scheme=certificate.scheme,
                        certificate=certificate, regarding=("finding", finding.id), due_on=_first_due([finding]),
                        context={"bevinding": _finding_fields(finding), "finding_ids": [finding.id],
                                 "termijn": _company_term(finding, _spec(finding, index=0)["step"])})


@letters.dispatched.connect
def _result_sent(letter, **_):
    """A CKI step done by sending a letter (scheme data: the step's ``letter``) is done on the
    letter's dispatch date, for the open findings the letter reports (as written: a B raised
    since is no longer open, and its A has its own letter)."""
    if letter.kind not in ("audit_report", "finding_result"):
        return
    for finding_id in (letter.context or {}).get("finding_ids", []):
        finding = db.session.get(Finding, finding_id)
        if finding.procedure is None or finding.status != rules.FindingStatus.OPEN:
            continue
        spec = _spec(finding, index=len(finding.steps))
        if spec is None or spec.get("letter") != "finding_result":
            continue
        complete_step(finding, {"step": spec["step"], "completed_on": letter.sent_on,
                                "lock_version": finding.lock_version,
                                "text": f"Brief {letter.reference}, verzonden per {letter.channel_label}."},
                      by_letter=True)


def _track(finding: Finding) -> None:
    """The finding's next deadline in the deadline watch: the company's step for the company, the
    CKI's steps for its team leaders; a step done by sending a letter is the letter's deadline (the
    office's). SC-530 T3 is due at its limit (past the target is a warning on the page)."""
    items = []
    v = view(finding)
    nxt = v["next_step"]
    spec = _spec(finding, nxt["step"]) if nxt else None
    if nxt and nxt["due"] and finding.status == rules.FindingStatus.OPEN and not spec.get("letter"):
        line = next(t for t in v["timeline"] if t["step"] == nxt["step"])
        due = (line.get("limit") or line["due"])
        company = spec["actor"] == "company"
        items.append(deadlines.Item(
            kind="finding_step", due_on=date.fromisoformat(due["date"]), rule=due.get("rule"),
            label=f"Bevinding {finding.clause} ({finding.category}), {nxt['step']}: {spec['description']}",
            url=f"/bevindingen/{finding.id}", role="team_leader", for_company=company, step=nxt["step"]))
    deadlines.sync("finding", finding.id, cki_id=finding.cki_id, company_id=finding.company_id, items=items,
                   on=today())


def track_open() -> int:
    """Write the deadlines of every open finding (after an upgrade: ``flask deadlines rebuild``)."""
    found = db.session.scalars(db.select(Finding).where(Finding.status == rules.FindingStatus.OPEN.value)).all()
    for finding in found:
        _track(finding)
    return len(found)


@deadlines.overdue.connect
def _b_past_its_term(deadline, on, **_):
    """A B not handled in its term becomes an A (B/C §8.1.1): raised by the sweep, dated the day
    after the term, recorded as raised by the system."""
    if deadline.subject_type != "finding" or deadline.kind != "finding_step":
        return
    finding = db.session.get(Finding, deadline.subject_id)
    if finding.procedure != "non_a" or finding.status != rules.FindingStatus.OPEN or not view(finding, on)["overdue_b"]:
        return
    spec = _spec(finding, view(finding, on)["next_step"]["step"])
    raise_to_a(finding, {"on": on, "reason": f"Niet binnen de termijn afgehandeld: {spec['description']}, uiterlijk "
                                             f"{deadline.due_on:%d-%m-%Y} ({spec['source']})."},
               by="systeem (termijnbewaking)")


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


def complete_step(finding: Finding, data: dict, *, by_letter: bool = False) -> Finding:
    """Record a step: the CKI's steps by staff, the company's answer (its corrective measures) by
    the company itself, dated the day it arrives, or by the office from a letter with its receipt
    date. A T6 that does not establish effectiveness sends a withdrawal proposal to a decider."""
    if finding.procedure is None:
        raise DomainError("step", "Een opmerking heeft geen procedure.")
    if finding.lock_version != data["lock_version"]:
        raise Conflict("lock_version", "De bevinding is intussen gewijzigd; laad haar opnieuw.")
    principal = current_principal()
    spec = _spec(finding, data["step"])
    if spec is None:
        raise DomainError("step", Message("Onbekende stap %(step)s.", step=data["step"]))
    if spec.get("letter") and not by_letter:
        raise DomainError("step", Message("Stap %(step)s is gezet op de dag dat de brief met het resultaat is "
                                          "verzonden: het secretariaat verzendt haar in het postregister.",
                                          step=spec["step"]))
    by_company = principal is not None and principal.company_id is not None and not by_letter
    if by_company:
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
    if spec["actor"] == "company":  # the answer is an incoming document, received on ``on``
        document = letters.register_incoming(
            cki_id=finding.cki_id, company_id=finding.company_id, kind=IncomingKind.CORRECTIVE_MEASURES,
            received_on=on, channel=Channel.PORTAL if by_company else Channel(data.get("channel") or Channel.POST),
            description=f"corrigerende maatregelen, bevinding {finding.id} stap {data['step']}",
            regarding=("finding", finding.id))
        log_event(finding, "finding.answer_received", after={"incoming_id": document.id, "step": data["step"]})
    letter = (spec.get("outcomes") or {}).get(data.get("outcome") or "", {}).get("letter")
    if letter:
        certificate = finding.certificate
        # to go out at once: the company's next term runs from this step, not from the letter
        letters.compose(company=certificate.company, kind=letter, scheme=certificate.scheme, certificate=certificate,
                        regarding=("finding", finding.id), due_on=on,
                        context={"bevinding": _finding_fields(finding), "termijn": _due_text(finding)})
    _track(finding)
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
    several B's that together weigh as an A (``together``: the others, same certificate; only where
    the scheme data allows it), by staff with reasons. The B's are closed as raised; the one new A
    starts its own procedure on ``on``, and its result letter waits for the office."""
    others = [db.session.get(Finding, i) for i in dict.fromkeys(data.get("together") or ()) if i != finding.id]
    group = [finding, *others]
    for b in group:
        if (b is None or b.cki_id != finding.cki_id or b.certificate_id != finding.certificate_id
                or b.procedure != "non_a" or b.status != rules.FindingStatus.OPEN):
            raise DomainError("together" if b is not finding else "finding_id",
                              "Alleen open afwijkingen van het pad zonder categorie A van hetzelfde certificaat kunnen "
                              "worden verhoogd.")
    on = data.get("on") or today()
    if on < max(b.found_on for b in group) or on > today():
        raise DomainError("on", "Verhogen kan niet vóór de bevinding zelf of in de toekomst.")
    scheme = load_scheme(finding.certificate.scheme, on)
    if others and not scheme.param("several_b_make_a"):
        raise DomainError("together", Message("Dit schema kent het samen wegen van meerdere afwijkingen niet "
                                              "(%(source)s).", source=scheme.source("several_b_make_a")))
    principal = current_principal()
    a_code = next(c["code"] for c in scheme.param("finding_categories") if c["procedure"] == "category_a")
    raised = Finding(cki_id=finding.cki_id, certificate_id=finding.certificate_id, company_id=finding.company_id,
                     audit_id=finding.audit_id, item_key=finding.item_key,
                     clause=", ".join(dict.fromkeys(b.clause for b in group))[:60],
                     text="\n".join(b.text for b in group), category=a_code,
                     evidence="\n".join(b.evidence for b in group), found_on=on, procedure="category_a",
                     status=rules.FindingStatus.OPEN.value, raised_reason=data["reason"],
                     raised_by=by or _actor(principal))
    db.session.add(raised)
    db.session.flush()
    for b in group:
        b.status, b.raised_to_id = rules.FindingStatus.RAISED.value, raised.id
        b.raised_reason, b.raised_by = data["reason"], raised.raised_by
        db.session.flush()
        log_event(b, "finding.raised", before={"category": b.category},
                  after={"raised_to_id": raised.id, "category": a_code, "by": raised.raised_by,
                         "together": [o.id for o in group if o is not b]}, note=data["reason"])
        _track(b)
    _track(raised)
    write_result(finding.certificate, [raised])
    return raised


def remind(finding: Finding) -> None:
    """A reminder letter of the company's next step and its last day (an interim letter)."""
    nxt = view(finding)["next_step"]
    if finding.status != rules.FindingStatus.OPEN or not nxt or nxt["actor"] != "company":
        raise DomainError("finding_id", "Er staat geen stap van het bedrijf open om aan te herinneren.")
    spec = _spec(finding, nxt["step"])
    certificate = finding.certificate
    letters.compose(company=certificate.company, kind="reminder", scheme=certificate.scheme, certificate=certificate,
                    regarding=("finding", finding.id),
                    context={"waarover": f"bevinding {finding.clause} van {dutch_date(finding.found_on)}",
                             "wat": spec["description"].removeprefix("Bedrijf ").rstrip("."),
                             "uiterlijk": dutch_date(date.fromisoformat(nxt["due"])) if nxt["due"] else
                             spec.get("note", "")})
    log_event(finding, "finding.reminded", after={"step": nxt["step"]})


def decide(finding: Finding, data: dict) -> FindingDecision:
    """Record a staff decision on what the annex leaves open, with its reasons."""
    principal = current_principal()
    decision = FindingDecision(cki_id=finding.cki_id, about=data["about"], decision=data["decision"],
                               decided_on=today(), decided_by=_actor(principal))
    finding.decisions.append(decision)
    db.session.flush()
    log_event(finding, "finding.decision", after={"about": data["about"]}, note=data["decision"])
    return decision


def papers(finding: Finding) -> dict:
    """The finding's post: the company's answers (incoming, with attachments) and the letters about
    it or its audit's report (a company sees only those sent)."""
    answers = db.session.scalars(letters.incoming_about("finding", finding.id)).all()
    sent = letters.about([("finding", finding.id)] + ([("audit", finding.audit_id)] if finding.audit_id else []),
                         only_sent=current_principal() is not None and current_principal().company_id is not None)
    return {"answers": [{"id": d.id, "received_on": d.received_on.isoformat(), "channel": d.channel,
                         "kind": d.kind, "attachments": [{"id": a.id, "filename": a.filename, "size": a.size}
                                                         for a in d.attachments]} for d in answers],
            "letters": [{"id": x.id, "reference": x.reference, "kind": x.kind, "subject": x.subject,
                         "status": x.status, "sent_on": x.sent_on.isoformat() if x.sent_on else None}
                        for x in sent]}


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
    letters.register_incoming(cki_id=cki_id, company_id=notice.company_id, kind=IncomingKind.NOTICE,
                              received_on=notice.received_on, channel=Channel(data.get("channel") or Channel.POST),
                              description=f"{sanctions.KIND_LABELS[sanctions.NoticeKind(notice.kind)]} door "
                                          f"{sanctions.AUTHORITY_LABELS[sanctions.Authority(notice.authority)]}",
                              regarding=("sanction_notice", notice.id))
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
        raise DomainError("outcome", Message("Na deze vaststelling kan alleen: %(outcomes)s.",
                                             outcomes=", ".join(allowed)))
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
        found = record(certificate, item=item, evidence=notice.description, found_on=notice.decided_on,
                       category=sanctions.finding_category(certificate.scheme, notice.authority, notice.kind,
                                                           on=notice.decided_on), notice_id=notice.id)
        write_result(certificate, [found])
    log_event(notice, "sanction_notice.decided", after={"outcome": notice.outcome,
                                                        "annual_report": notice.annual_report},
              note=notice.motivation)
    return notice
