"""State-changing verbs on the register outbox: change, flush, write the event log; and the
delivery job that sends each message through the configured transport."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context

from cki.core.clock import today
from cki.core.db import before_slow_io, db, utcnow
from cki.core.errors import Conflict
from cki.deadlines import operations as deadlines
from cki.events.operations import log_event
from cki.register.models import RegisterMessage
from workflows.calendar import legal_calendar
from workflows.text import Message, nl_date

#: Kinds the register answers otherwise than by registering (SCA's permission comes back through
#: ``record_permission``): no reference for the office to confirm.
_NOT_CONFIRMED = frozenset({"location_request"})


def _track(message: RegisterMessage, delivered_on=None) -> None:
    """A delivered registration is confirmed by the office with the register's reference within
    ``REGISTER_CONFIRM_WORKDAYS`` werkdagen of its delivery (today, when called on delivery): a
    deadline on its work list until it is done."""
    items = []
    if message.status == "delivered" and message.confirmed_at is None and message.kind not in _NOT_CONFIRMED:
        days = int(current_app.config["REGISTER_CONFIRM_WORKDAYS"])
        delivered = delivered_on or today()
        subject = message.payload.get("number") or message.payload.get("address") or f"bericht {message.id}"
        items.append(deadlines.Item(
            kind="register_confirmation", due_on=legal_calendar().add(delivered, days), role="office",
            url="/post/register/", label=f"Registratie bevestigen: {message.kind} {subject}",
            rule=f"{days} werkdagen na bezorging op {nl_date(delivered)} (REGISTER_CONFIRM_WORKDAYS: de eigen "
                 "termijn van de CKI; de bijlage noemt er geen)"))
    deadlines.sync("register_message", message.id, cki_id=message.cki_id,
                   company_id=message.certificate.company_id if message.certificate else None, items=items,
                   on=today())


def certificate_data(certificate) -> dict:
    """What the register keeps of a certificate (B/C §10; A §5)."""
    return {"number": certificate.number, "scheme": certificate.scheme, "holder_name": certificate.holder_name,
            "holder_place": certificate.holder_place, "holder_kvk": certificate.holder_kvk,
            "branches": [{k: b.get(k) for k in ("name", "address", "kvk_number")} for b in certificate.branches],
            "issued_on": certificate.issued_on.isoformat(), "valid_until": certificate.valid_until.isoformat(),
            "status": certificate.status}


#: Kinds that carry the certificate's PDF: the grant, and a change of the data printed on it.
WITH_PDF = frozenset({"granted", "holder_changed"})
#: Kinds sent at once, as the request that made them ends (after its commit), not with the job's
#: next round: the register must not show a withdrawn or suspended certificate as valid a minute longer.
AT_ONCE = frozenset({"withdrawn", "suspended"})


def send(certificate, kind: str, **extra) -> RegisterMessage:
    """Queue a message about ``certificate`` for the register, in the caller's transaction."""
    message = RegisterMessage(cki_id=certificate.cki_id, certificate=certificate, kind=kind,
                              payload={**certificate_data(certificate), **extra}, status="queued",
                              next_attempt_at=utcnow())
    if kind in WITH_PDF and extra.get("printed_changed", True):
        message.pdf = certificate.pdf  # as it reads now: a later change does not alter what this one says
    db.session.add(message)
    db.session.flush()
    if kind in AT_ONCE and has_request_context():
        g.setdefault("register_at_once", set()).add(certificate.id)
    return message


def deliver_at_once(response):
    """After a request that withdrew or suspended a certificate (and committed it): deliver that
    certificate's queued messages now, in order. A failure leaves them queued for the job's retry."""
    certificate_ids = g.pop("register_at_once", None)
    if certificate_ids and response.status_code < 400:
        db.session.rollback()  # only what the request committed goes out
        try:
            deliver(certificate_ids=certificate_ids)
        except Exception:  # the response stands; the job delivers them
            db.session.rollback()
            current_app.logger.exception("register: bericht niet meteen bezorgd; de taak probeert het opnieuw")
    return response


def _about_dossier(dossier, kind: str, payload: dict) -> RegisterMessage:
    company = dossier.company
    message = RegisterMessage(cki_id=dossier.cki_id, dossier_id=dossier.id, kind=kind, status="queued",
                              payload={"dossier_id": dossier.id, "scheme": dossier.scheme, "holder_name": company.name,
                                       "holder_kvk": company.kvk_number, "holder_place": company.place, **payload},
                              next_attempt_at=utcnow())
    db.session.add(message)
    db.session.flush()
    return message


def request_location_permission(dossier, location) -> RegisterMessage:
    """Ask SCA's permission to assess on a project location (RULES.md §2), in the caller's
    transaction; SCA answers through ``record_permission``."""
    return _about_dossier(dossier, "location_request", {
        "location_id": location.id, "address": location.address, "extra": location.extra,
        "requested_on": location.requested_on.isoformat()})


def register_provisional_report(dossier, location, *, expires_on, text: str, source: str) -> RegisterMessage:
    """An SC-540 candidate's inventory on a project location made a provisional report: the project
    and the candidate's data go to SCA for registration (B §3.5), with the report's expiry date and
    the text it must carry."""
    return _about_dossier(dossier, "provisional", {
        "location_id": location.id, "address": location.address, "inventory_on": location.assessed_on.isoformat(),
        "expires_on": expires_on.isoformat() if expires_on else None, "report_text": text, "source": source})


def void_provisional_reports(dossier, *, reason: str, source: str) -> RegisterMessage | None:
    """The candidate's provisional reports lost their value (refused, aborted, lapsed: B §3.6.3):
    SCA is told, as the candidate is by letter; once, and only if any was registered since the last
    time they were voided (a restart after a lapse registers anew)."""
    kinds = db.session.scalars(sa.select(RegisterMessage.kind).where(
        RegisterMessage.dossier_id == dossier.id, RegisterMessage.kind.in_(("provisional", "provisional_void")))
        .order_by(RegisterMessage.id.desc()).limit(1)).all()
    if kinds != ["provisional"]:
        return None
    return _about_dossier(dossier, "provisional_void", {"state": dossier.state, "reason": reason, "source": source})


def track_open() -> int:
    """Write the confirmation deadline of every delivered, unconfirmed message (after an upgrade:
    ``flask deadlines rebuild``), due from the day it was delivered."""
    from cki.core.clock import AMSTERDAM

    waiting = db.session.scalars(sa.select(RegisterMessage).where(
        RegisterMessage.status == "delivered", RegisterMessage.confirmed_at.is_(None),
        RegisterMessage.kind.not_in(_NOT_CONFIRMED))).all()
    for message in waiting:
        _track(message, delivered_on=message.delivered_at.astimezone(AMSTERDAM).date())
    return len(waiting)


def record_permission(message: RegisterMessage, data: dict):
    """SCA's answer on a permission request, recorded on the dossier exactly as staff recording it
    would (the dossier's own event, its guards and log)."""
    from cki.dossiers import operations as dossiers
    from cki.dossiers.models import Dossier

    if message.kind != "location_request":
        raise Conflict("register_message_id", "Dit bericht is geen verzoek om toestemming voor een projectlocatie.")
    dossier = db.session.get(Dossier, message.dossier_id, with_for_update=True)
    dossiers.fire_event(dossier, "record_sca_permission", {"location_id": message.payload["location_id"],
                                                           "granted": data["granted"], "on": data["on"]},
                        expected_version=None)
    log_event(message, "register.permission_answered", after={"granted": data["granted"],
                                                                "on": data["on"].isoformat()})
    return dossier


def acknowledge(message: RegisterMessage) -> RegisterMessage:
    """The register confirms it has processed the message; a repeat is harmless (idempotent)."""
    if message.acknowledged_at is None:
        message.acknowledged_at = utcnow()
        if message.status != "delivered":  # fetched by the register's client: delivered that way
            message.status, message.delivered_at, message.transport = "delivered", message.acknowledged_at, "api"
            _track(message)
        db.session.flush()
        log_event(message, "register_acknowledged", before={"acknowledged": False},
                  after={"acknowledged": True}, note=f"{message.kind} {message.payload.get('number')}")
    return message


def deliver(limit: int = 200, certificate_ids=None) -> tuple[int, int]:
    """Send what is queued and due through ``REGISTER_TRANSPORT``, oldest first, one message per
    transaction under a row lock. A message waits while an earlier one of its certificate is not
    delivered (order within a certificate: a withdrawal never arrives before its grant). A failure
    is tried again after a doubling backoff and parked after ``REGISTER_MAX_ATTEMPTS``, which
    holds up the certificate's later messages until staff retry it. ``certificate_ids``: only
    those certificates' messages (sent at once). Returns (delivered, failed)."""
    from cki.register.transports import TRANSPORTS, DeliveryError

    transport = current_app.config["REGISTER_TRANSPORT"]
    if transport not in TRANSPORTS:
        return 0, 0  # no transport: the register's API client fetches the messages
    delivered = failed = 0
    due = sa.select(RegisterMessage.id).where(RegisterMessage.status == "queued",
                                              RegisterMessage.next_attempt_at <= utcnow())
    if certificate_ids is not None:
        due = due.where(RegisterMessage.certificate_id.in_(certificate_ids))
    ids = db.session.scalars(due.order_by(RegisterMessage.id).limit(limit)).all()
    db.session.commit()
    for message_id in ids:
        message = db.session.scalar(sa.select(RegisterMessage).where(
            RegisterMessage.id == message_id, RegisterMessage.status == "queued").with_for_update(skip_locked=True))
        if message is None:
            db.session.rollback()
            continue
        same = (RegisterMessage.certificate_id == message.certificate_id if message.certificate_id is not None
                else RegisterMessage.dossier_id == message.dossier_id)  # in order per certificate or dossier
        earlier = db.session.scalar(sa.select(sa.func.count()).where(
            same, RegisterMessage.id < message.id, RegisterMessage.status != "delivered"))
        if earlier:
            db.session.rollback()
            continue
        message.attempts += 1
        pdf = message.pdf
        if pdf is None and message.kind == "granted" and message.certificate:  # queued before 0025
            pdf = message.certificate.pdf
        before_slow_io()
        try:
            TRANSPORTS[transport](message, pdf)
        except DeliveryError as error:
            message.last_error = str(error)[:2000]
            if message.attempts >= int(current_app.config["REGISTER_MAX_ATTEMPTS"]):
                message.status = "parked"
                log_event(message, "register.parked", after={"attempts": message.attempts}, note=message.last_error)
            else:
                message.next_attempt_at = utcnow() + timedelta(minutes=2 ** (message.attempts - 1))
            failed += 1
        else:
            message.status, message.delivered_at, message.transport = "delivered", utcnow(), transport
            message.last_error = None
            log_event(message, "register.delivered", after={"transport": transport, "attempts": message.attempts})
            _track(message)
            delivered += 1
        db.session.commit()
    return delivered, failed


def retry(message: RegisterMessage) -> RegisterMessage:
    """Staff send a parked message again (and with it the certificate's later ones)."""
    if message.status != "parked":
        raise Conflict("status", "Alleen een geparkeerd bericht wordt opnieuw verstuurd.")
    message.status, message.attempts, message.next_attempt_at = "queued", 0, utcnow()
    db.session.flush()
    log_event(message, "register.retried", after={"status": "queued"})
    return message


def confirm(message: RegisterMessage, reference: str) -> RegisterMessage:
    """The office confirms the registration with the register's reference (once delivered)."""
    from cki.core.auth import current_principal

    if message.status != "delivered":
        raise Conflict("status", "Alleen een bezorgd bericht wordt bevestigd.")
    if message.confirmed_at is not None:
        raise Conflict("status", Message("Al bevestigd met kenmerk %(reference)s.",
                                          reference=message.register_reference))
    principal = current_principal()
    message.register_reference, message.confirmed_at = reference, utcnow()
    message.confirmed_by = principal.label if principal else "systeem"
    db.session.flush()
    log_event(message, "register.confirmed", after={"reference": reference})
    _track(message)
    return message


def current_certificates_csv(cki_id: int) -> str:
    """The CKI's current certificates (valid or suspended) as CSV, for the monthly summary the later
    schemes ask CKIs to send the register."""
    import csv
    import io

    from cki.certificates.models import Certificate

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["certificaatnummer", "schema", "houder", "plaats", "kvk", "afgegeven", "geldig_tot", "status"])
    for c in db.session.scalars(sa.select(Certificate).where(
            Certificate.cki_id == cki_id, Certificate.status.in_(("valid", "suspended"))).order_by(Certificate.number)):
        writer.writerow([c.number, c.scheme, c.holder_name, c.holder_place, c.holder_kvk, c.issued_on.isoformat(),
                         c.valid_until.isoformat(), c.status])
    return out.getvalue()


def reconcile(cki_id: int, rows: list[dict]) -> list[str]:
    """Differences between our certificates and a list from the public register (certificate number,
    holder, status): each in Dutch, one line per difference."""
    from cki.certificates.models import Certificate

    ours = {c.number: c for c in db.session.scalars(sa.select(Certificate).where(Certificate.cki_id == cki_id))}
    theirs = {row["number"].strip(): row for row in rows if row.get("number", "").strip()}
    found = []
    for number, row in sorted(theirs.items()):
        certificate = ours.get(number)
        if certificate is None:
            found.append(f"{number}: staat in het register, niet bij ons")
            continue
        if row.get("holder", "").strip().lower() != certificate.holder_name.strip().lower():
            found.append(f"{number}: houder in het register '{row.get('holder', '').strip()}', bij ons "
                         f"'{certificate.holder_name}'")
        if row.get("status", "").strip().lower() != certificate.status:
            found.append(f"{number}: status in het register '{row.get('status', '').strip()}', bij ons "
                         f"'{certificate.status}'")
    for number, certificate in sorted(ours.items()):
        if number not in theirs and certificate.status in ("valid", "suspended"):
            found.append(f"{number}: bij ons {certificate.status}, niet in het register")
    return found
