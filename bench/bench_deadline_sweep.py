"""Benchmark: the deadline sweep's time does not grow with history (PostgreSQL).

    python bench/bench_deadline_sweep.py [--due 200] [--history 20000] [--repeat 3]

Builds its own database ``cki_bench_deadlines``: ``--due`` open deadlines written through
``deadlines.sync`` (as the domains write them), each overdue on the sweep day, so each gets one
action, one notification and one queued e-mail. History is deadlines that are done, with the
actions the sweep took on them, inserted in bulk: 1x, 10x and 100x ``--history``. The sweep runs
on the same due items at each size (their actions reset between runs). Target: 100x within 1.2x
of 1x."""
import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pg import DEADLINE_HISTORY_SQL, SERVER, fresh_database  # noqa: E402

DB = "cki_bench_deadlines"
URL = SERVER + DB
DUE_ON = date(2026, 5, 1)
SWEEP_DAY = date(2026, 5, 4)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--history", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fresh_database(DB)
    os.environ["DATABASE_URL"] = URL
    from flask import g
    from flask_migrate import upgrade

    from cki import create_app
    from cki.core.auth import Principal
    from cki.core.db import db
    from cki.deadlines import operations
    from cki.tenants.models import Cki
    from cki.users import operations as users

    app = create_app({"DATABASE_URL": URL, "TESTING": True, "CLOCK_TODAY": SWEEP_DAY.isoformat()})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    with app.test_request_context():
        cki = Cki(name="Bench CKI", kvk_number="99999998")
        db.session.add(cki)
        db.session.flush()
        g.principal = Principal(cki_id=cki.id, label="bench")
        users.create_user(cki.id, {"email": "planner@bench.test", "name": "planner", "kind": "staff",
                                   "roles": ["planner"], "password": "bench-wachtwoord"})
        for n in range(args.due):
            operations.sync("bench", n + 1, cki_id=cki.id, company_id=None, on=date(2026, 4, 1), items=[
                operations.Item(kind="recertification", due_on=DUE_ON, label=f"Termijn {n}", url="/start",
                                role="planner")])
        db.session.commit()
        cki_id = cki.id

    engine = sa.create_engine(URL)
    made = 0

    def add_history(n):
        nonlocal made
        with engine.begin() as conn:
            conn.execute(DEADLINE_HISTORY_SQL, {"cki": cki_id, "n": n, "start": made, "kind": "finding_step"})
        made += n
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))

    def sweep() -> float:
        best = None
        for _ in range(args.repeat):
            with engine.begin() as conn:  # the due deadlines are due again, nothing done yet
                conn.execute(sa.text("DELETE FROM deadline_actions WHERE deadline_id IN "
                                     "(SELECT id FROM deadlines WHERE subject_type = 'bench')"))
                conn.execute(sa.text("DELETE FROM notifications"))
                conn.execute(sa.text("DELETE FROM outgoing_mail"))
                conn.execute(sa.text("UPDATE deadlines SET next_action_on = remind_on, overdue_since = NULL "
                                     "WHERE subject_type = 'bench'"))
            started = time.perf_counter()
            with app.app_context():
                result = operations.sweep(SWEEP_DAY)
            elapsed = time.perf_counter() - started
            assert result.flagged == args.due, result
            best = elapsed if best is None else min(best, elapsed)
        return best

    times = {}
    for factor in (1, 10, 100):
        add_history(args.history * factor - made)
        times[factor] = sweep()
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM deadlines")).scalar()
        actions = conn.execute(sa.text("SELECT count(*) FROM deadline_actions")).scalar()
    engine.dispose()
    print(f"deadline sweep, {args.due} overdue deadlines (each: action, notification, e-mail), best of {args.repeat}:")
    for factor, elapsed in times.items():
        print(f"  {factor:>3}x history ({args.history * factor:>9,} done deadlines): {elapsed * 1000:8.1f} ms")
    print(f"  (at 100x: {rows:,} deadlines, {actions:,} actions)")
    ratio = times[100] / times[1]
    print(f"ratio 100x/1x: {ratio:.2f} (target <= 1.2: {'met' if ratio <= 1.2 else 'NOT met'}); "
          f"10x/1x: {times[10] / times[1]:.2f}")


if __name__ == "__main__":
    main()
