"""Writing the logs. Every state-changing operation ends with :func:`log_event`; every read of
personal or exposure data, and every read of the read-only reviewer, with :func:`log_read`.
Both are rows of the operation's own transaction, hash-chained afterwards (:mod:`cki.events.chain`)."""
import sqlalchemy as sa
import sqlalchemy.orm

from cki.core.auth import current_principal
from cki.core.db import insert_loaded
from cki.events.chain import storable
from cki.events.models import DataAccessLog, EventLogEntry


class AppendOnlyError(RuntimeError):
    pass


def log_event(subject, action: str, *, before=None, after=None, note=None, principal=None,
              subject_type: str | None = None) -> EventLogEntry:
    """Append who did ``action`` to ``subject`` now, with its state before and after."""
    # Written at once with one prebuilt INSERT: every change writes an entry, on the hottest paths too
    return insert_loaded(storable(event_entry(subject, action, before=before, after=after, note=note,
                                              principal=principal, subject_type=subject_type)))


def new_subject_entry(subject, action: str, *, after=None, note=None) -> EventLogEntry:
    """The entry of a subject not written yet, for its writer to write with it (its ``subject_id``
    is filled in then: ``insert_loaded(subject, children=[(entry, "subject_id")])``)."""
    return storable(event_entry(subject, action, after=after, note=note))


def event_entry(subject, action: str, *, before=None, after=None, note=None, principal=None,
                subject_type: str | None = None) -> EventLogEntry:
    """The entry :func:`log_event` appends."""
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


def log_read(what: str, *, company_id: int | None = None, detail: str | None = None,
             principal=None) -> DataAccessLog:
    """Append that the principal read ``what`` (of ``company_id``), with a detail (AVG, RULES.md §7-§8)."""
    p = principal or current_principal()
    return insert_loaded(DataAccessLog(cki_id=p.cki_id, actor_label=p.label, actor_user_id=p.user_id, what=what,
                                       company_id=company_id, detail=detail))


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _refuse_rewrites(session, _ctx, _instances):
    # The logs are evidence for the accreditation body: entries are never changed or removed.
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, EventLogEntry | DataAccessLog) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("het logboek is alleen aan te vullen (append-only)")
