"""Today's date in the Netherlands. Deadlines are dates in Europe/Amsterdam (RULES.md §1).

Tests freeze it with the ``CLOCK_TODAY`` setting (honoured only when ``TESTING``), so a
4-month window can expire without waiting four months."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    if has_app_context() and current_app.testing and current_app.config.get("CLOCK_TODAY"):
        return date.fromisoformat(str(current_app.config["CLOCK_TODAY"]))
    return datetime.now(AMSTERDAM).date()
