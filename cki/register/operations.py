"""State-changing verbs on the register outbox: change, flush, write the event log."""
from cki.core.db import db, utcnow
from cki.events.operations import log_event
from cki.register.models import RegisterMessage


def certificate_data(certificate) -> dict:
    """What the register keeps of a certificate (B/C §10; A §5)."""
    return {"number": certificate.number, "scheme": certificate.scheme, "holder_name": certificate.holder_name,
            "holder_place": certificate.holder_place, "holder_kvk": certificate.holder_kvk,
            "branches": [{k: b.get(k) for k in ("name", "address", "kvk_number")} for b in certificate.branches],
            "issued_on": certificate.issued_on.isoformat(), "valid_until": certificate.valid_until.isoformat(),
            "status": certificate.status}


def send(certificate, kind: str, **extra) -> RegisterMessage:
    """Queue a message about ``certificate`` for the register, in the caller's transaction."""
    message = RegisterMessage(cki_id=certificate.cki_id, certificate=certificate, kind=kind,
                              payload={**certificate_data(certificate), **extra})
    db.session.add(message)
    db.session.flush()
    return message


def acknowledge(message: RegisterMessage) -> RegisterMessage:
    """The register confirms it has processed the message; a repeat is harmless (idempotent)."""
    if message.acknowledged_at is None:
        message.acknowledged_at = utcnow()
        db.session.flush()
        log_event(message, "register_acknowledged", before={"acknowledged": False},
                  after={"acknowledged": True}, note=f"{message.kind} {message.payload.get('number')}")
    return message
