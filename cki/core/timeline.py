"""What the timelines drawn on pages share (server-rendered SVG): the days from a start to an end,
with the non-working days among them and today, each as an offset in days from the start."""
from datetime import date

from cki.core.clock import today
from workflows.calendar import legal_calendar


def frame(start: date, end: date) -> dict:
    """``start``, ``end``, ``days`` (both ends included), ``closed`` (offsets of the non-working
    days) and ``today`` (its offset); a picture adds its own rows to it."""
    return {"start": start, "end": end, "days": (end - start).days + 1,
            "closed": [(d.date - start).days for d in legal_calendar().non_working_days(start, end)],
            "today": (today() - start).days}
