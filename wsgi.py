"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""
import gc

from cki import create_app
from workflows.calendar import common_practice_calendar, legal_calendar

app = create_app()
# Build now what each worker would otherwise build on its first request, while other requests
# queue behind it: the werkdagen calendars (about 0.2 s).
legal_calendar()
common_practice_calendar()
# What start-up built lives as long as the process: keep it out of the garbage collector's
# full passes, which otherwise stall a request now and then (about 80 ms on 185,000 objects).
gc.freeze()
