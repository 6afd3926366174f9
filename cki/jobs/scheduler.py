"""Exactly one scheduler among all processes.

APScheduler has no coordination between processes. ``make run`` serves with a single
process that runs the scheduler itself; with gunicorn run ``flask scheduler`` as its own
process. On PostgreSQL a session-level advisory lock, held on a dedicated connection for
the scheduler's lifetime, makes a second scheduler stand down instead of doubling every job.
"""
import logging

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from cki.jobs import tasks

log = logging.getLogger(__name__)
LOCK_KEY = 0x6B6B6931  # "cki1"

#: (function, trigger, trigger arguments or a function of the config giving them).
JOBS = [
    (tasks.seal_logs, "interval", lambda cfg: {"seconds": cfg["LOG_SEAL_SECONDS"]}),
    (tasks.purge_expired_tokens, "interval", {"hours": 1}),
    (tasks.poll_lavs_mailbox, "interval", lambda cfg: {"minutes": cfg["LAVS_POLL_MINUTES"]}),
    # hourly, so a restart after downtime catches up within the hour; a rerun the same day does nothing.
    # It also carries out the 4-month lapse and certificate expiry (actions of their deadline rows).
    (tasks.sweep_deadlines, "interval", {"hours": 1}),
    (tasks.deliver_mail, "interval", {"minutes": 1}),
    (tasks.deliver_register, "interval", {"minutes": 1}),
]


def _hold_lock(app):
    """Return an open connection holding the scheduler lock, or None if another has it."""
    from cki.core.db import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return True  # SQLite: one machine, one process by construction (see module doc)
        conn = db.engine.connect()
        if conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
            conn.commit()
            return conn
        conn.close()
        return None


def _configure(scheduler, app):
    for func, trigger, args in JOBS:
        args = args(app.config) if callable(args) else args
        scheduler.add_job(func, trigger, args=[app], id=func.__name__, replace_existing=True,
                          coalesce=True, max_instances=1, **args)
    return scheduler


def start_scheduler(app):
    """Run the jobs in a background thread of this process (single-process serving)."""
    lock = _hold_lock(app)
    if lock is None:
        log.info("scheduler: another process holds the lock; not starting here")
        return None
    scheduler = _configure(BackgroundScheduler(timezone="Europe/Amsterdam"), app)
    scheduler.start()
    app.extensions["scheduler"] = (scheduler, lock)
    return scheduler


def run_blocking(app):
    """``flask scheduler``: run the jobs in the foreground, as the one scheduler process."""
    lock = _hold_lock(app)
    if lock is None:
        raise SystemExit("Er draait al een scheduler (advisory lock bezet).")
    _configure(BlockingScheduler(timezone="Europe/Amsterdam"), app).start()
