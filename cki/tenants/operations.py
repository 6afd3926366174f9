"""State-changing verbs on the tenant itself."""
from cki.core.db import db
from cki.events.operations import log_event
from cki.tenants.models import Cki


def _days(rows):
    return [{"date": r["date"].isoformat(), "reason": r["reason"]} for r in sorted(rows, key=lambda r: r["date"])]


def set_calendar_adjustments(cki: Cki, closed: list, opened: list) -> Cki:
    before = {"calendar_closed": cki.calendar_closed, "calendar_open": cki.calendar_open}
    cki.calendar_closed = _days(closed)
    cki.calendar_open = _days(opened)
    db.session.flush()
    log_event(cki, "cki.calendar_changed", before=before,
              after={"calendar_closed": cki.calendar_closed, "calendar_open": cki.calendar_open})
    return cki
