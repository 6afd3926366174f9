"""Benchmark: the 4-month lapse, carried out by the deadline sweep, does not grow with history
(PostgreSQL).

    python bench/bench_sweeps.py [--due 200] [--history 1000] [--repeat 3]

Builds its own database ``cki_bench_sweeps``: ``--due`` dossiers walked through the API to the
assessment, each with a location assessed on 2026-01-06, so their 4-month window has passed
on 2026-06-01. The deadline sweep runs on that day and declares each lapsed (a full dossier event:
guards, state, log, deadlines, a notification to the planner) with 1×, 10× and 100× history
(``--history`` closed dossiers and 20× as many done deadlines with their actions per 1×), the due
dossiers and their deadlines reset between runs. Target: 100× within 1.2× of 1×."""
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

DB = "cki_bench_sweeps"
URL = SERVER + DB
ASSESSED_ON = "2026-01-06"
SWEEP_DAY = "2026-06-01"

#: Closed dossiers of earlier years: what a sweep must never read.
HISTORY_SQL = """
    INSERT INTO dossiers (cki_id, company_id, scheme, scheme_version, state, lock_version, applied_on,
                          prior_withdrawals, informed_of_rules, decision_late, created_at)
    SELECT :cki, :company, CASE WHEN n % 3 = 0 THEN 'SC-540' ELSE 'SC-530' END, '2007',
           (ARRAY['granted', 'granted', 'refused', 'aborted', 'rejected', 'lapsed'])[1 + n % 6], 1,
           DATE '2016-01-01' + (n % 3650), '[]', true, false, now()
    FROM generate_series(1, :n) AS n"""


def walk_to_assessment(client, auth, company_id: int, branch_id: int, assessor_id: int) -> int:
    """One dossier through the API, as staff would: declaration to a first location assessment."""
    d = client.post("/api/v1/dossiers", json={"company_id": company_id, "scheme": "SC-530",
                                              "applied_on": "2026-01-05"}, headers=auth("planner")).json

    def post(path, who, **body):
        nonlocal d
        r = client.post(f"/api/v1/dossiers/{d['id']}/{path}", headers=auth(who),
                        json={"lock_version": d["lock_version"], **body})
        assert r.status_code == 200, (path, r.json)
        d = r.json

    post("declaration", "planner", declared_on="2026-01-05", held_or_applied_elsewhere=False, informed_of_rules=True)
    post("take-into-treatment", "planner")
    post("assessors", "planner", user_id=assessor_id)
    post("complete-documentation-review", "assessor", passed=True)
    post("request-location", "planner", branch_id=branch_id, address="Project 1, Utrecht")
    location = d["locations"][-1]["id"]
    post("record-sca-permission", "planner", location_id=location, granted=True)
    post("record-location-assessment", "assessor", location_id=location, passed=True, on=ASSESSED_ON,
         complete_result=True, containment=True, representative_reason="Gangbaar project")
    assert d["state"] == "assessment"
    return d["id"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--history", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fresh_database(DB)
    os.environ["DATABASE_URL"] = URL
    from flask import g
    from flask_migrate import upgrade

    from cki import create_app
    from cki.companies import operations as companies
    from cki.core.auth import Principal
    from cki.core.db import db
    from cki.jobs.tasks import sweep_deadlines
    from cki.tenants.models import Cki
    from cki.users import operations as users

    # TESTING only so that the frozen date (CLOCK_TODAY) is honoured.
    app = create_app({"DATABASE_URL": URL, "TESTING": True, "CLOCK_TODAY": "2026-01-06"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    tokens = {}
    with app.test_request_context():
        cki = Cki(name="Bench CKI", kvk_number="99999999")
        db.session.add(cki)
        db.session.flush()
        g.principal = Principal(cki_id=cki.id, label="bench")
        for role in ("planner", "assessor"):
            user = users.create_user(cki.id, {"email": f"{role}@bench.test", "name": role, "kind": "staff",
                                              "roles": [role], "password": "bench-wachtwoord"})
            tokens[role] = users.issue_token(user)[0]
            if role == "assessor":
                users.add_qualification(user, {"scheme": "SC-530", "function": "assessor",
                                               "valid_from": date(2020, 1, 1), "valid_to": None})
                assessor_id = user.id
        applicants = []  # one running application per company and scheme
        for n in range(args.due):
            company = companies.create_company(cki.id, {"name": f"Sanering {n} B.V.", "place": "Utrecht",
                                                        "kvk_number": f"{12000000 + n:08d}"})
            branch = companies.create_branch(company, {"address": "Hoofdstraat 1, Utrecht", "name": None,
                                                       "kvk_number": None, "is_head_office": True})
            applicants.append((company, branch))
        db.session.commit()
        ids = {"cki": cki.id, "company": applicants[0][0].id}
        applicants = [(company.id, branch.id) for company, branch in applicants]

    client = app.test_client()
    auth = lambda who: {"Authorization": f"Bearer {tokens[who]}"}  # noqa: E731
    started = time.perf_counter()
    due = [walk_to_assessment(client, auth, company_id, branch_id, assessor_id) for company_id, branch_id in applicants]
    print(f"{args.due} due dossiers walked through the API in {time.perf_counter() - started:.1f} s", flush=True)
    app.config["CLOCK_TODAY"] = SWEEP_DAY

    engine = sa.create_engine(URL)

    made = 0

    def add_history(n):
        nonlocal made
        with engine.begin() as conn:
            conn.execute(sa.text(HISTORY_SQL), {"cki": ids["cki"], "company": ids["company"], "n": n})
            conn.execute(DEADLINE_HISTORY_SQL, {"cki": ids["cki"], "n": n * 20, "start": made * 20,
                                                "kind": "window_end"})
        made += n
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))

    def sweep() -> float:
        best = None
        for _ in range(args.repeat):
            with engine.begin() as conn:  # the due dossiers are open again, their windows not yet acted on
                conn.execute(sa.text("UPDATE dossiers SET state = 'assessment' WHERE id = ANY(:ids)"), {"ids": due})
                window = "subject_type = 'dossier' AND kind = 'window_end' AND subject_id = ANY(:ids)"
                conn.execute(sa.text(f"DELETE FROM deadline_actions WHERE deadline_id IN "
                                     f"(SELECT id FROM deadlines WHERE {window})"), {"ids": due})
                conn.execute(sa.text(f"UPDATE deadlines SET state = 'open', done_on = NULL, overdue_since = NULL, "
                                     f"next_action_on = COALESCE(remind_on, due_on + 1) WHERE {window}"), {"ids": due})
                conn.execute(sa.text("DELETE FROM notifications"))
                conn.execute(sa.text("DELETE FROM outgoing_mail"))
            started = time.perf_counter()
            result = sweep_deadlines(app, on=date.fromisoformat(SWEEP_DAY))
            elapsed = time.perf_counter() - started
            with engine.connect() as conn:
                lapsed = conn.execute(sa.text("SELECT count(*) FROM dossiers WHERE state = 'lapsed' AND id = ANY(:ids)"),
                                      {"ids": due}).scalar()
            assert lapsed == args.due and result.failed == 0, (lapsed, result)
            best = elapsed if best is None else min(best, elapsed)
        return best

    times = {}
    for factor in (1, 10, 100):
        add_history(args.history * factor - made)
        times[factor] = sweep()
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM dossiers")).scalar()
        deadlines = conn.execute(sa.text("SELECT count(*) FROM deadlines")).scalar()
    engine.dispose()
    print(f"lapse by the deadline sweep, {args.due} due dossiers, best of {args.repeat}:")
    for factor, elapsed in times.items():
        print(f"  {factor:>3}x history ({args.history * factor:>7,} closed dossiers, "
              f"{args.history * factor * 20:>9,} done deadlines): {elapsed * 1000:8.1f} ms")
    print(f"  (at 100x: {total:,} dossiers, {deadlines:,} deadlines)")
    ratio = times[100] / times[1]
    print(f"ratio 100x/1x: {ratio:.2f} (target <= 1.2: {'met' if ratio <= 1.2 else 'NOT met'}); "
          f"10x/1x: {times[10] / times[1]:.2f}")


if __name__ == "__main__":
    main()
