"""Benchmark: staff pages on national-scale data (PostgreSQL).

    python bench/bench_staff_pages.py [--years 10] [--per-year 150000] [--companies 1000] [--repeat 15]

Builds its own database ``cki_bench_pages`` on the local PostgreSQL (dropped and recreated):
one CKI with 1,000 certificate holders and 150,000 meldingen a year for 10 years (each with
its first revision and its event-log entry), a LAVS message for most of the last year's, and
an application dossier per company. Then a planner logs in and every staff page is fetched
``--repeat`` times in-process (server time, without the network); target: under 200 ms.
The rows are written by SQL (``generate_series``), which is why this runs on PostgreSQL only."""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pg import SERVER, fresh_database  # noqa: E402

DB = "cki_bench_pages"
URL = SERVER + DB
PASSWORD = "bench-wachtwoord"
TARGET_MS = 200

SEED_SQL = [
    # 1,000 certificate holders, each with its head office.
    """INSERT INTO companies (cki_id, name, place, kvk_number, created_at)
       SELECT :cki, 'Asbest ' || n || ' B.V.', 'Plaats ' || (n % 300), lpad((10000000 + n)::text, 8, '0'), now()
       FROM generate_series(1, :companies) AS n""",
    """INSERT INTO branches (cki_id, company_id, address, is_head_office, created_at)
       SELECT cki_id, id, 'Hoofdstraat ' || id, true, now() FROM companies WHERE cki_id = :cki""",
    # Meldingen spread evenly over the years, 1-10 days long; 1% late by Atw-only days, 0.2% calamity.
    """INSERT INTO meldingen (cki_id, company_id, scheme, channel, status, street, street_key, postcode, place,
                              client, planned_start, planned_end, submitted_at, submitted_on, timeliness,
                              lavs_project_id, created_at)
       SELECT :cki, c.first_id + (n % :companies), CASE WHEN n % 4 = 0 THEN 'SC-540' ELSE 'SC-530' END,
              (ARRAY['lavs','lavs','lavs','portal','api','email','fax'])[1 + n % 7],
              CASE WHEN n % 97 = 0 THEN 'cancelled' ELSE 'registered' END,
              'Werkstraat ' || n, 'werkstraat ' || n, lpad((1000 + n % 8999)::text, 4, '0') || 'AB',
              'Plaats ' || (n % 300), 'Opdrachtgever ' || (n % 5000), s.day, s.day + (n % 10),
              s.day - 5 + interval '9 hours', s.day - 5,
              CASE WHEN n % 100 = 0 THEN 'late_atw_only' WHEN n % 500 = 1 THEN 'calamity' ELSE 'on_time' END,
              CASE WHEN n % 7 < 3 THEN 'LAVS-' || n END, now()
       FROM generate_series(1, :total) AS n
       CROSS JOIN (SELECT min(id) AS first_id FROM companies WHERE cki_id = :cki) AS c
       CROSS JOIN LATERAL (SELECT (:first_day + ((n::bigint * :span) / :total)::int) AS day) AS s""",
    """INSERT INTO melding_revisions (cki_id, melding_id, number, source, kind, data, created_at)
       SELECT cki_id, id, 1, channel, 'new', json_build_object('street', street, 'postcode', postcode,
              'planned_start', planned_start, 'planned_end', planned_end), created_at
       FROM meldingen WHERE cki_id = :cki""",
    """INSERT INTO event_log (cki_id, subject_type, subject_id, action, actor_label, after, created_at)
       SELECT cki_id, 'meldingen', id, 'melding.submitted', 'LAVS', json_build_object('channel', channel),
              created_at FROM meldingen WHERE cki_id = :cki""",
    # Raw LAVS messages for the last year's LAVS meldingen, a few parked.
    """INSERT INTO lavs_messages (cki_id, message_key, source, raw, status, kind, reason, melding_id, created_at)
       SELECT cki_id, 'msg-' || id, 'imap', convert_to('<melding id="' || id || '"/>', 'UTF8'),
              CASE WHEN id % 1000 = 0 THEN 'parked' ELSE 'processed' END, 'new',
              CASE WHEN id % 1000 = 0 THEN 'Onbekend bedrijf' END, id, created_at
       FROM meldingen WHERE cki_id = :cki AND channel = 'lavs' AND planned_start >= :last_year""",
]


def build(args) -> dict:
    fresh_database(DB)
    os.environ["DATABASE_URL"] = URL
    from flask import g
    from flask_migrate import upgrade

    from cki import create_app
    from cki.core.auth import Principal
    from cki.core.db import db
    from cki.dossiers.operations import create_dossier
    from cki.tenants.models import Cki
    from cki.users import operations as users

    app = create_app({"DATABASE_URL": URL})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    first_day = date.today().replace(month=1, day=1, year=date.today().year - args.years + 1)
    last_day = date(date.today().year, 12, 31)
    params = {"companies": args.companies, "total": args.per_year * args.years, "first_day": first_day,
              "span": (last_day - first_day).days, "last_year": date(last_day.year, 1, 1)}
    with app.test_request_context():
        cki = Cki(name="Bench CKI", kvk_number="99999999")
        db.session.add(cki)
        db.session.flush()
        g.principal = Principal(cki_id=cki.id, label="bench")
        users.create_user(cki.id, {"email": "planner@bench.test", "name": "Planner", "kind": "staff",
                                   "roles": ["planner"], "password": PASSWORD})
        params["cki"] = cki.id
        for sql in SEED_SQL:
            started = time.perf_counter()
            db.session.execute(sa.text(sql), params)
            print(f"  seeded {sql.split()[2]:<18} in {time.perf_counter() - started:5.1f} s", file=sys.stderr)
        company_ids = db.session.scalars(sa.text("SELECT id FROM companies WHERE cki_id = :cki ORDER BY id"),
                                         params).all()
        dossier_ids = [create_dossier(cki.id, {"company_id": cid, "scheme": "SC-530", "applied_on": date.today()}).id
                       for cid in company_ids]
        db.session.commit()
        melding_id = db.session.scalar(sa.text("SELECT max(id) FROM meldingen"))
    engine = sa.create_engine(URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("companies", "meldingen", "melding_revisions", "event_log", "lavs_messages", "dossiers")}
    engine.dispose()
    return {"company": company_ids[len(company_ids) // 2], "dossier": dossier_ids[-1], "melding": melding_id,
            "counts": counts}


def pages(built) -> list[tuple[str, str]]:
    today = date.today()
    return [
        ("meldingen: list (from today)", "/meldingen/"),
        ("meldingen: week calendar", f"/meldingen/?view=week&day={today}"),
        ("meldingen: day calendar", f"/meldingen/?view=day&day={today}"),
        ("meldingen: one company", f"/meldingen/?company_id={built['company']}&from=2017-01-01"),
        ("meldingen: late, all years", "/meldingen/?flag=late&from=2017-01-01"),
        ("meldingen: calamities, all years", "/meldingen/?flag=calamity&from=2017-01-01"),
        ("meldingen: fax, from a year ago", f"/meldingen/?channel=fax&from={today.replace(year=today.year - 1)}"),
        ("melding: one, with history", f"/meldingen/{built['melding']}"),
        ("LAVS inbox", "/meldingen/lavs"),
        ("companies: list", "/bedrijven/"),
        ("company: one", f"/bedrijven/{built['company']}"),
        ("dossiers: list", "/dossiers/"),
        ("dossier: one", f"/dossiers/{built['dossier']}"),
        ("API: meldingen from today", f"/api/v1/meldingen?from={today}&limit=500"),
    ]


def main():
    os.environ["DATABASE_URL"] = URL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--per-year", type=int, default=150_000)
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        print(json.dumps(build(args)))
        return
    print(f"building {args.years} years x {args.per_year} meldingen for {args.companies} companies ...", flush=True)
    # Seeded in a process of its own, so the pages are timed in a fresh one, like a server worker.
    seeded = subprocess.run([sys.executable, __file__, "--seed-only", *sys.argv[1:]], check=True,
                            stdout=subprocess.PIPE, text=True)
    built = json.loads(seeded.stdout.strip().splitlines()[-1])
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in built["counts"].items()))
    from wsgi import app
    client = app.test_client()
    r = client.post("/api/v1/auth/tokens", json={"email": "planner@bench.test", "password": PASSWORD})
    api = {"Authorization": f"Bearer {r.json['token']}"}
    form = client.get("/login").text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    client.post("/login", data={"email": "planner@bench.test", "password": PASSWORD, "csrf_token": csrf})
    print(f"{'page':<36} {'median ms':>9} {'max ms':>8}  status")
    worst = 0.0
    for label, url in pages(built):
        headers = api if url.startswith("/api/") else {}
        timings, status = [], None
        for _ in range(args.repeat + 1):
            started = time.perf_counter()
            status = client.get(url, headers=headers).status_code
            timings.append((time.perf_counter() - started) * 1000)
        timings = timings[1:]  # the first fetch warms caches
        worst = max(worst, max(timings))
        print(f"{label:<36} {statistics.median(timings):>9.1f} {max(timings):>8.1f}  {status}", flush=True)
    print(f"slowest fetch {worst:.1f} ms (target < {TARGET_MS} ms: {'met' if worst < TARGET_MS else 'NOT met'})")


if __name__ == "__main__":
    main()
