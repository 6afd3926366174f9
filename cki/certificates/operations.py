"""State-changing verbs on certificates: issue, expire, record that the holder will not continue.
Each changes, flushes and writes the event log; what the SCA register must receive goes through
``register``'s operations in the same transaction."""
from datetime import date

from blinker import Namespace
from sqlalchemy.dialects import postgresql, sqlite

from cki.certificates.models import (
    Certificate,
    CertificateNumberCounter,
    CertificateStatus,
    DecisionKind,
    IntendedDecision,
    Suspension,
)
from cki.certificates.pdf import render_certificate
from cki.companies.operations import holder_changed
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.pdf import dutch_date
from cki.deadlines import operations as deadlines
from cki.events.operations import log_event
from cki.letters import operations as letters
from cki.letters.models import Channel, IncomingKind
from cki.register import operations as register
from cki.tenants.models import Cki
from workflows import rules
from workflows.schemes import SchemeVersion, load_scheme
from workflows.text import Message, nl_date, sentence

#: Sent with the certificate after each change of its life (issue, notice of not continuing,
#: withdrawal, expiry, holder data), in its transaction: what depends on it follows (the programme).
#: A suspension leaves the programme as it is.
changed = Namespace().signal("certificate-changed")


def next_number(cki_id: int, scheme: str, issued_on: date) -> str:
    """The next number of the CKI's series for this scheme and year (``SC-540/2026/0001``), taken
    with one atomic upsert: the counter row is locked until this transaction ends, so a second
    grant at the same moment waits and takes the next number."""
    dialect = db.session.connection().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    table = CertificateNumberCounter.__table__
    stmt = insert(table).values(cki_id=cki_id, scheme=scheme, year=issued_on.year, last_number=1)
    stmt = stmt.on_conflict_do_update(index_elements=["cki_id", "scheme", "year"],
                                      set_={"last_number": table.c.last_number + 1}).returning(table.c.last_number)
    number = db.session.execute(stmt).scalar_one()
    return f"{scheme}/{issued_on.year}/{number:04d}"


def issue(*, dossier, company, branches, scheme: SchemeVersion, issued_on: date) -> Certificate:
    """On a grant: number, holder (name, place, KvK), every branch (A §5, §3.1.3), validity
    (``(issued_on − 1 day) + 3 years``) and the PDF. ``branches`` are the company's branch rows
    the decision covers. :func:`send_grant` tells the register."""
    valid_until = rules.certificate_valid_until(scheme, issued_on).date
    printed = [{"branch_id": b.id, "is_head_office": b.is_head_office, "name": b.name, "address": b.address,
                "kvk_number": b.kvk_number} for b in sorted(branches, key=lambda b: (not b.is_head_office, b.id))]
    number = next_number(dossier.cki_id, scheme.scheme, issued_on)
    certificate = Certificate(cki_id=dossier.cki_id, company_id=company.id, dossier=dossier, scheme=scheme.scheme,
                              number=number, holder_name=company.name, holder_place=company.place,
                              holder_kvk=company.kvk_number, branches=printed, issued_on=issued_on,
                              valid_until=valid_until)
    certificate.pdf = _render(certificate, scheme)
    db.session.add(certificate)
    db.session.flush()
    log_event(certificate, "certificate.issued", after={
        "number": number, "issued_on": issued_on.isoformat(), "valid_until": valid_until.isoformat(),
        "dossier_id": dossier.id})
    _track(certificate)
    return certificate


def _render(certificate: Certificate, scheme: SchemeVersion, changed_on: date | None = None) -> bytes:
    with db.session.no_autoflush:  # a new certificate gets its PDF before it is written
        cki = db.session.get(Cki, certificate.cki_id)
    return render_certificate(
        cki_name=cki.name, number=certificate.number, scheme=scheme.scheme, scheme_title=scheme.title,
        scheme_version=scheme.display_name, holder_name=certificate.holder_name, holder_place=certificate.holder_place,
        holder_kvk=certificate.holder_kvk, branches=certificate.branches, issued_on=certificate.issued_on,
        valid_until=certificate.valid_until, validity=rules.describe(scheme.param("certificate_validity")),
        objection_term=rules.describe(scheme.param("objection_term")), changed_on=changed_on)


@holder_changed.connect
def _holder_changed(company, change: dict, **_):
    """The holder's name, place or KvK number, or a certified branch's data, changed: each live
    certificate of the company shows them as they are now (same number and validity, a new PDF
    dated with the change) and the register is told, with the PDF. A new branch is told to the
    register but not printed: a branch joins the certification only after its assessment (our
    reading, README)."""
    live = db.session.scalars(db.select(Certificate).where(
        Certificate.company_id == company.id,
        Certificate.status.in_((CertificateStatus.VALID.value, CertificateStatus.SUSPENDED.value)))).all()
    for certificate in live:
        before = {"holder_name": certificate.holder_name, "holder_place": certificate.holder_place,
                  "holder_kvk": certificate.holder_kvk, "branches": certificate.branches}
        printed = [dict(b) for b in certificate.branches]
        branch = (change.get("branch") or {}).get("after")
        for b in printed:
            if branch and b.get("branch_id") == branch["branch_id"]:
                b.update({k: branch[k] for k in ("name", "address", "kvk_number", "is_head_office")})
        certificate.holder_name, certificate.holder_place = company.name, company.place
        certificate.holder_kvk, certificate.branches = company.kvk_number, printed
        after = {"holder_name": certificate.holder_name, "holder_place": certificate.holder_place,
                 "holder_kvk": certificate.holder_kvk, "branches": printed}
        if after != before:
            scheme = load_scheme(certificate.scheme, certificate.dossier.applied_on)
            certificate.pdf = _render(certificate, scheme, changed_on=today())
        db.session.flush()
        log_event(certificate, "certificate.holder_changed", before=before, after=after)
        _track(certificate)  # its deadlines' labels carry the holder's name
        register.send(certificate, "holder_changed", changed_on=today().isoformat(), change=change,
                      printed_changed=after != before)


def track_open() -> int:
    """Write the deadlines of every live certificate (and, through :data:`changed`, its programme's),
    open intention and suspension with an end (after an upgrade: ``flask deadlines rebuild``)."""
    live = db.session.scalars(db.select(Certificate).where(Certificate.status.in_(
        (CertificateStatus.VALID.value, CertificateStatus.SUSPENDED.value)))).all()
    for certificate in live:
        _track(certificate)
    intentions = db.session.scalars(db.select(IntendedDecision).where(
        IntendedDecision.sent_on.is_not(None), IntendedDecision.weighed_on.is_(None))).all()
    for intended in intentions:
        _track_intention(intended)
    suspensions = db.session.scalars(db.select(Suspension).where(Suspension.lifted_on.is_(None))).all()
    for suspension in suspensions:
        _track_suspension(suspension)
    return len(live) + len(intentions) + len(suspensions)


def _track(certificate: Certificate) -> None:
    """The certificate's expiry in the deadline watch: its planners are reminded ahead, and the day
    after its last day the sweep sets it to expired (:func:`_validity_ended`). The recertification's
    audits are the last period's programme (surveillance); a certificate that ended has none."""
    items = []
    if certificate.status in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
        expiry = rules.certificate_valid_until(certificate.scheme, certificate.issued_on)
        items.append(deadlines.Item(kind="certificate_expiry", due_on=certificate.valid_until, role="planner",
                                    url=f"/certificaten/{certificate.id}", rule=expiry.rule,
                                    label=f"Certificaat {certificate.number} ({certificate.holder_name}): "
                                          "einde geldigheid"))
    deadlines.sync("certificate", certificate.id, cki_id=certificate.cki_id, company_id=certificate.company_id,
                   items=items, on=today())
    changed.send(certificate)


deadlines.CARRIED_OUT.add("certificate_expiry")


@deadlines.overdue.connect
def _validity_ended(deadline, on, **_):
    """The day after its last valid day the sweep sets the certificate to expired and tells the
    register; an ended certificate is left alone."""
    if deadline.subject_type == "certificate" and deadline.kind == "certificate_expiry":
        expire(db.session.get(Certificate, deadline.subject_id, with_for_update=True), on)


def send_grant(certificate: Certificate) -> None:
    """Each grant goes to the SCA register with the PDF of the certificate (B/C §10)."""
    register.send(certificate, "granted")


def record_not_continuing(certificate: Certificate, data: dict) -> Certificate:
    """The holder said in writing it will not continue (§5): no recertification is planned; the
    certificate still ends by expiry. The letter is recorded with its date of receipt."""
    if certificate.status not in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
        raise DomainError("status", Message("Het certificaat is %(status)s.",
                                            status=Message.known(certificate.status_label)))
    if not certificate.issued_on <= data["received_on"] <= certificate.valid_until:
        raise DomainError("received_on", "De datum van ontvangst ligt buiten de geldigheid van het certificaat.")
    before = {"not_continuing_on": certificate.not_continuing_on.isoformat() if certificate.not_continuing_on else None}
    certificate.not_continuing_on = data["received_on"]
    certificate.not_continuing_document = data["document"]
    db.session.flush()
    log_event(certificate, "certificate.not_continuing", before=before,
              after={"not_continuing_on": data["received_on"].isoformat(), "document": data["document"]})
    _track(certificate)
    return certificate


def expire(certificate: Certificate, on: date) -> bool:
    """Set a certificate whose validity ended before ``on`` to expired and tell the register.
    Once: an expired, withdrawn or still valid certificate is left alone (returns False)."""
    if certificate.status not in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
        return False
    if certificate.valid_until >= on:
        return False
    before = certificate.status
    certificate.status = CertificateStatus.EXPIRED.value
    certificate.expired_on = certificate.valid_until
    for suspension in _open_suspensions(certificate):  # it ends with the certificate: nothing left to lift
        suspension.lifted_on = certificate.valid_until
    db.session.flush()
    log_event(certificate, "certificate.expired", before={"status": before},
              after={"status": certificate.status, "valid_until": certificate.valid_until.isoformat()},
              note="geldigheid verstreken")
    register.send(certificate, "expired", expired_after=certificate.valid_until.isoformat())
    _track(certificate)
    for suspension in _suspensions_of(certificate):
        _track_suspension(suspension)
    return True


def intend(certificate: Certificate, data: dict) -> IntendedDecision:
    """Write the holder a letter with the intended withdrawal or suspension, for its zienswijze. The
    term runs from the letter's dispatch date (scheme data, extended past a weekend or holiday):
    when the office sends it, or on ``sent_on`` when it went out by post before it was entered."""
    _running(certificate)
    if data.get("sent_on") is not None and (data["sent_on"] > today() or data["sent_on"] < certificate.issued_on):
        raise DomainError("sent_on", "De verzenddatum ligt in de toekomst of vóór de uitgifte van het certificaat.")
    intended = IntendedDecision(cki_id=certificate.cki_id, certificate_id=certificate.id,
                                company_id=certificate.company_id, kind=data["kind"], reason=data["reason"])
    db.session.add(intended)
    db.session.flush()
    version = load_scheme(certificate.scheme, today())
    letter = letters.compose(company=certificate.company, kind=f"intended_{DecisionKind(intended.kind).noun}",
                             scheme=certificate.scheme, certificate=certificate,
                             regarding=("intended_decision", intended.id),
                             context={"reden": intended.reason,
                                      "zienswijze_termijn": rules.describe(version.param("zienswijze_term"))})
    intended.letter_id = letter.id
    db.session.flush()
    log_event(certificate, "certificate.intended_decision", after={
        "intended_id": intended.id, "kind": intended.kind, "letter_id": letter.id}, note=data["reason"])
    if data.get("sent_on") is not None:
        letters.dispatch(letter, {"sent_on": data["sent_on"], "channel": "post"}, sent_before_recorded=True)
    return intended


@letters.dispatched.connect
def _intention_sent(letter, **_):
    """The zienswijze term runs from the day after the letter with the intention went out."""
    if letter.regarding_type != "intended_decision":
        return
    intended = db.session.get(IntendedDecision, letter.regarding_id)
    due = rules.zienswijze_deadline(intended.certificate.scheme, letter.sent_on)
    intended.sent_on, intended.answer_due = letter.sent_on, due.date
    db.session.flush()
    log_event(intended.certificate, "certificate.intended_decision_sent", after={
        "intended_id": intended.id, "sent_on": letter.sent_on.isoformat(), "answer_due": due.date.isoformat(),
        "rule": due.rule})
    _track_intention(intended, due.rule)


def _track_intention(intended: IntendedDecision, rule: str | None = None) -> None:
    """The zienswijze term in the deadline watch, for the company, until it answered or the
    decider weighed."""
    items = []
    if intended.sent_on and intended.answered_on is None and intended.weighed_on is None:
        items.append(deadlines.Item(kind="zienswijze", due_on=intended.answer_due, for_company=True, rule=rule,
                                    role="decider",
                                    url=f"/certificaten/{intended.certificate_id}/besluiten",
                                    label=f"Zienswijze op het voornemen tot "
                                          f"{'intrekking' if intended.kind == DecisionKind.WITHDRAW else 'schorsing'}"))
    deadlines.sync("intended_decision", intended.id, cki_id=intended.cki_id, company_id=intended.company_id,
                   items=items, on=today())


def _not_sent(intended: IntendedDecision) -> None:
    if intended.sent_on is None:
        raise DomainError("intended_id", "De brief met het voornemen is nog niet verzonden; de termijn voor de "
                                         "zienswijze is nog niet begonnen.")


def answer_intended(intended: IntendedDecision, data: dict, *, by_company: bool) -> IntendedDecision:
    """The holder's zienswijze: through the portal it counts from the day it arrives; the office
    records one received by letter with its receipt date."""
    if intended.answered_on is not None:
        raise DomainError("intended_id", "De zienswijze is al vastgelegd.")
    _not_sent(intended)
    received = today() if by_company else (data.get("received_on") or today())
    if received < intended.sent_on or received > today():
        raise DomainError("received_on", "De ontvangstdatum ligt vóór de verzending of in de toekomst.")
    if intended.weighed_on is not None:
        # a zienswijze that arrived in time counts even if it was entered after a weighing without it
        if intended.used or received > intended.answer_due:
            raise DomainError("intended_id", "De zienswijze is al gewogen en het besluit genomen, of kwam na de "
                                             "termijn binnen.")
        intended.weighed_on = intended.weighing = None
    intended.answered_on, intended.answer = received, data["text"]
    db.session.flush()
    letters.register_incoming(cki_id=intended.cki_id, company_id=intended.company_id, kind=IncomingKind.ZIENSWIJZE,
                              received_on=received, channel=Channel.PORTAL if by_company else Channel(
                                  data.get("channel") or Channel.POST),
                              description=f"zienswijze op het voornemen ({intended.reason[:100]})",
                              regarding=("intended_decision", intended.id), letter_id=intended.letter_id)
    _track_intention(intended)
    log_event(intended.certificate, "certificate.zienswijze_received",
              after={"intended_id": intended.id, "received_on": received.isoformat(),
                     "late": received > intended.answer_due}, note=data["text"])
    return intended


def weigh(intended: IntendedDecision, data: dict) -> IntendedDecision:
    """A decider weighs the zienswijze (or its absence once the term has passed) before deciding."""
    if intended.weighed_on is not None:
        raise DomainError("intended_id", "De zienswijze is al gewogen.")
    _not_sent(intended)
    if intended.answered_on is None and today() <= intended.answer_due:
        raise DomainError("intended_id", Message("De termijn voor de zienswijze loopt tot en met %(due)s; er is nog "
                                                 "geen antwoord.", due=nl_date(intended.answer_due)))
    intended.weighed_on, intended.weighing = today(), data["weighing"]
    db.session.flush()
    _track_intention(intended)
    log_event(intended.certificate, "certificate.zienswijze_weighed", after={"intended_id": intended.id},
              note=data["weighing"])
    return intended


def _running(certificate: Certificate) -> None:
    if certificate.status not in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
        raise DomainError("status", Message("Het certificaat is %(status)s.",
                                            status=Message.known(certificate.status_label)))


def _weighed_intention(certificate: Certificate, kind: DecisionKind, intended_id, decided_on: date):
    """The weighed intention a decision the holder did not ask for needs (Awb 4:8)."""
    intended = db.session.get(IntendedDecision, intended_id) if intended_id else None
    if (intended is None or intended.certificate_id != certificate.id or intended.kind != kind
            or intended.weighed_on is None or intended.used):
        raise DomainError("intended_id", "Eerst het voornemen naar de houder voor zijn zienswijze, en die gewogen "
                                         "(Awb 4:8); een besluit op eigen verzoek of na valse informatie niet.")
    if decided_on < intended.weighed_on:
        raise DomainError("on", "Het besluit kan niet vóór de weging van de zienswijze zijn genomen.")
    intended.used = True
    return intended


def withdraw(certificate: Certificate, data: dict) -> Certificate:
    """Withdraw the certificate (a besluit) with its date and reason, and tell the register at once.
    At the holder's own request it is still a withdrawal (the 12-month block of A §4.1 b follows);
    after false information the 5-year block. Otherwise only after a weighed zienswijze."""
    _running(certificate)
    on = data["on"]
    if on > today() or on < certificate.issued_on:
        raise DomainError("on", "De datum van intrekking ligt in de toekomst of vóór de uitgifte.")
    intended = None
    if not (data.get("at_own_request") or data.get("false_information")):
        intended = _weighed_intention(certificate, DecisionKind.WITHDRAW, data.get("intended_id"), on)
    before = certificate.status
    certificate.status = CertificateStatus.WITHDRAWN.value
    certificate.withdrawn_on, certificate.withdrawal_reason = on, data["reason"]
    certificate.false_information = bool(data.get("false_information"))
    for suspension in _open_suspensions(certificate):
        suspension.lifted_on = on
    db.session.flush()
    log_event(certificate, "certificate.withdrawn", before={"status": before},
              after={"status": certificate.status, "withdrawn_on": on.isoformat(),
                     "at_own_request": bool(data.get("at_own_request")),
                     "false_information": certificate.false_information}, note=data["reason"])
    register.send(certificate, "withdrawn", withdrawn_on=on.isoformat(), reason=data["reason"])
    _track(certificate)
    for suspension in _suspensions_of(certificate):
        _track_suspension(suspension)
    block = rules.reapplication_allowed_from(certificate.scheme, on, false_information=certificate.false_information)
    letters.compose(company=certificate.company, kind="withdrawal", scheme=certificate.scheme, certificate=certificate,
                    regarding=("certificate", certificate.id),
                    context={"reden": data["reason"], "ingang": dutch_date(on),
                             "op_verzoek": bool(data.get("at_own_request")), "zienswijze": _weighed(intended),
                             "blokkade": f"Een nieuwe aanvraag kan in behandeling worden genomen vanaf "
                                         f"{dutch_date(block.date)} ({block.section})."})
    return certificate


def _weighed(intended: IntendedDecision | None) -> str:
    """The zienswijze and how it was weighed, for the besluit's reasons (Awb 3:46, 4:8)."""
    if intended is None:
        return ""
    answer = (f"ontvangen op {dutch_date(intended.answered_on)}: {intended.answer}" if intended.answered_on
              else "u gaf binnen de termijn geen zienswijze")
    return f"{sentence(answer)} Onze weging: {intended.weighing}"  # an answer ending in "." ends once


def _open_suspensions(certificate: Certificate) -> list[Suspension]:
    return db.session.scalars(db.select(Suspension).where(Suspension.certificate_id == certificate.id,
                                                          Suspension.lifted_on.is_(None))).all()


def suspend(certificate: Certificate, data: dict) -> Suspension:
    """Suspend the certificate (a besluit): from ``start``, until ``end`` or a condition, with a scope
    where the scheme allows one and its reason; the register is told."""
    if certificate.status != CertificateStatus.VALID:
        raise DomainError("status", Message("Het certificaat is %(status)s.",
                                            status=Message.known(certificate.status_label)))
    start = data["start"]
    if start < certificate.issued_on or start > certificate.valid_until:
        raise DomainError("start", "De schorsing begint buiten de geldigheid van het certificaat.")
    if start > today():  # the status and the register follow the day it takes effect
        raise DomainError("start", "Leg een schorsing vast op de dag dat zij ingaat, niet vooruit.")
    if data.get("end") is not None and data["end"] < start:
        raise DomainError("end", "De schorsing eindigt vóór haar begin.")
    if data.get("end") is None and not data.get("condition"):
        raise DomainError("end", "Geef een einddatum of de voorwaarde waaronder de schorsing eindigt.")
    intended = None
    if not data.get("at_own_request"):
        intended = _weighed_intention(certificate, DecisionKind.SUSPEND, data.get("intended_id"), min(start, today()))
    suspension = Suspension(cki_id=certificate.cki_id, certificate_id=certificate.id, start=start,
                            end=data.get("end"), condition=data.get("condition"), scope=data.get("scope"),
                            reason=data["reason"])
    db.session.add(suspension)
    certificate.status = CertificateStatus.SUSPENDED.value
    db.session.flush()
    log_event(certificate, "certificate.suspended", before={"status": "valid"}, after={
        "status": certificate.status, "start": start.isoformat(),
        "end": suspension.end.isoformat() if suspension.end else None, "condition": suspension.condition,
        "scope": suspension.scope}, note=data["reason"])
    register.send(certificate, "suspended", start=start.isoformat(),
                  end=suspension.end.isoformat() if suspension.end else None, reason=data["reason"])
    _track_suspension(suspension)
    letters.compose(company=certificate.company, kind="suspension", scheme=certificate.scheme, certificate=certificate,
                    regarding=("certificate", certificate.id),
                    context={"reden": data["reason"], "ingang": dutch_date(start),
                             "einde": dutch_date(suspension.end) if suspension.end else "",
                             "voorwaarde": suspension.condition or "", "reikwijdte": suspension.scope or "",
                             "zienswijze": _weighed(intended)})
    return suspension


def lift_suspension(certificate: Certificate, data: dict) -> Certificate:
    """End the suspension on ``on``: the certificate is valid again and the register is told."""
    if certificate.status != CertificateStatus.SUSPENDED:
        raise DomainError("status", "Het certificaat is niet geschorst.")
    open_ = _open_suspensions(certificate)
    on = data["on"]
    if any(on < s.start for s in open_) or on > today():
        raise DomainError("on", "De schorsing kan niet vóór haar begin of in de toekomst eindigen.")
    for suspension in open_:
        suspension.lifted_on = on
    certificate.status = CertificateStatus.VALID.value
    db.session.flush()
    log_event(certificate, "certificate.suspension_lifted", before={"status": "suspended"},
              after={"status": certificate.status, "on": on.isoformat()}, note=data.get("reason"))
    register.send(certificate, "suspension_lifted", on=on.isoformat())
    for suspension in open_:
        _track_suspension(suspension)
    return certificate


def _suspensions_of(certificate: Certificate) -> list[Suspension]:
    return db.session.scalars(db.select(Suspension).where(Suspension.certificate_id == certificate.id)).all()


def _track_suspension(suspension: Suspension) -> None:
    """A suspension with an end date: the decider lifts it then (it does not end by itself: the
    register must be told, and the company's status shown, on the day)."""
    items = []
    if suspension.lifted_on is None and suspension.end is not None:
        items.append(deadlines.Item(kind="suspension_end", due_on=suspension.end, role="decider",
                                    url=f"/certificaten/{suspension.certificate_id}/besluiten",
                                    label=f"Schorsing loopt af op {suspension.end:%d-%m-%Y}: opheffen"))
    deadlines.sync("suspension", suspension.id, cki_id=suspension.cki_id, company_id=None, items=items, on=today())
