"""Writing the event log. Every state-changing operation ends with :func:`log_event`."""
import sqlalchemy as sa
import sqlalchemy.orm

from cki.core.auth import current_principal
from cki.core.db import db
from cki.events.models import EventLogEntry


class AppendOnlyError(RuntimeError):
    pass


def log_event(subject, action: str, *, before=None, after=None, note=None, principal=None,
              subject_type: str | None = None) -> EventLogEntry:
    """Append who did ``action`` to ``subject`` now, with its state before and after."""
    entry = event_entry(subject, action, before=before, after=after, note=note, principal=principal,
                        subject_type=subject_type)
    db.session.add(entry)
    return entry


def event_entry(subject, action: str, *, before=None, after=None, note=None, principal=None,
                subject_type: str | None = None) -> EventLogEntry:
    """The entry :func:`log_event` appends, not yet in the session (for ``insert_loaded``)."""
    principal = principal or current_principal()
    return EventLogEntry(
        cki_id=subject.cki_id,
        subject_type=subject_type or subject.__tablename__,
        subject_id=subject.id,
        action=action,
        actor_user_id=principal.user_id if principal else None,
        actor_client_id=principal.client_id if principal else None,
        actor_label=principal.label if principal else "systeem",
        before=before,
        after=after,
        note=note,
    )


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _refuse_rewrites(session, _ctx, _instances):
    # The log is evidence for the accreditation body: entries are never changed or removed.
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, EventLogEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("het logboek is alleen aan te vullen (append-only)")
