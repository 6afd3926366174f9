"""State-changing verbs on the register outbox: change, flush, write the event log."""
from cki.core.db import db, utcnow
from cki.dossiers.models import RegisterMessage
from cki.events.operations import log_event


def acknowledge(message: RegisterMessage) -> RegisterMessage:
    """The register confirms it has processed the message; a repeat is harmless (idempotent)."""
    if message.acknowledged_at is None:
        message.acknowledged_at = utcnow()
        db.session.flush()
        log_event(message, "register_acknowledged", before={"acknowledged": False},
                  after={"acknowledged": True}, note=f"{message.kind} {message.payload.get('number')}")
    return message
