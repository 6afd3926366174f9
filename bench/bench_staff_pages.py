"""Benchmark: staff pages on national-scale data and on 1/100 of it, side by side (PostgreSQL).

    python bench/bench_staff_pages.py [--years 10] [--per-year 150000] [--companies 1000] [--repeat 15]

Builds two databases on the local PostgreSQL (dropped and recreated): ``cki_bench_pages`` with one
CKI, 1,000 certificate holders and 150,000 meldingen a year for 10 years (each with its first
revision and its event-log entry), a LAVS message for most of the last year's, and an application
dossier per company; ``cki_bench_pages_small`` with the same holders, the same meldingen a day and the
same coming weeks, but 1/100 of the history (36 days back instead of 10 years): so every page has the
same work to do, and only the history behind it differs. In a fresh process per database a planner logs in and every staff page is fetched
``--repeat`` times in-process (server time, without the network). Targets: every fetch under 200 ms
on national-scale data, and each page's median within 1.5x of the same page on 1/100 of the data
(absolute times differ threefold between machines; the ratio shows whether a page's cost grows with
the history). The rows
are written by SQL (``generate_series``), which is why this runs on PostgreSQL only."""
import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pg import SERVER, fresh_database  # noqa: E402

DB = "cki_bench_pages"
SMALL_DB = "cki_bench_pages_small"
PASSWORD = "bench-wachtwoord"
TARGET_MS = 200
TARGET_RATIO = 1.5

SEED_SQL = [
    # 1,000 certificate holders, each with its head office.
    """INSERT INTO companies (cki_id, name, place, kvk_number, created_at)
       SELECT :cki, 'Asbest ' || n || ' B.V.', 'Plaats ' || (n % 300), lpad((10000000 + n)::text, 8, '0'), now()
       FROM generate_series(1, :companies) AS n""",
    """INSERT INTO branches (cki_id, company_id, address, is_head_office, created_at)
       SELECT cki_id, id, 'Hoofdstraat ' || id, true, now() FROM companies WHERE cki_id = :cki""",
    # Meldingen spread evenly over the years, 1-10 days long; 1% late by Atw-only days, 0.2% calamity.
    """INSERT INTO meldingen (cki_id, company_id, scheme, channel, status, street, street_key, job_key, postcode, place,
                              client, planned_start, planned_end, submitted_at, submitted_on, timeliness,
                              lavs_project_id, created_at)
       SELECT :cki, c.first_id + (n % :companies), CASE WHEN n % 4 = 0 THEN 'SC-540' ELSE 'SC-530' END,
              (ARRAY['lavs','lavs','lavs','portal','api','email','fax'])[1 + n % 7],
              CASE WHEN n % 97 = 0 THEN 'cancelled' ELSE 'registered' END,
              'Werkstraat ' || n, 'werkstraat ' || n,
              lpad((1000 + n % 8999)::text, 4, '0') || 'AB|werkstraat ' || n || '|' || s.day,
              lpad((1000 + n % 8999)::text, 4, '0') || 'AB',
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
    # The event log's chain: numbered in order, with stand-in hashes (the bench verifies nothing) and
    # the chain's head after them, so the app's own entries go on from there.
    """INSERT INTO event_log (cki_id, subject_type, subject_id, action, actor_label, after, created_at,
                             chain_seq, prev_hash, entry_hash)
       SELECT cki_id, 'meldingen', id, 'melding.submitted', 'LAVS', json_build_object('channel', channel),
              created_at, 1000 + row_number() OVER (ORDER BY id), repeat('0', 64), md5(id::text) || md5(id::text)
       FROM meldingen WHERE cki_id = :cki""",
    """INSERT INTO log_chain_heads (log, cki_id, chain_seq, entry_hash)
       SELECT 'event_log', :cki, max(chain_seq), repeat('0', 64) FROM event_log WHERE cki_id = :cki
       ON CONFLICT (log, cki_id) DO UPDATE SET chain_seq = excluded.chain_seq""",
    # Raw LAVS messages for the last year's LAVS meldingen, a few parked.
    """INSERT INTO lavs_messages (cki_id, message_key, source, raw, status, kind, reason, melding_id, created_at,
                                 received_on)
       SELECT cki_id, 'msg-' || id, 'imap', convert_to('<melding id="' || id || '"/>', 'UTF8'),
              CASE WHEN id % 1000 = 0 THEN 'parked' ELSE 'processed' END, 'new',
              CASE WHEN id % 1000 = 0 THEN 'Onbekend bedrijf' END, id, created_at, created_at::date
       FROM meldingen WHERE cki_id = :cki AND channel = 'lavs' AND planned_start >= :last_year""",
    # Auditors (never log in: a stand-in password hash).
    """INSERT INTO users (cki_id, email, name, password_hash, kind, active, outsourced, created_at)
       SELECT :cki, 'auditor' || n || '@bench.test', 'Auditor ' || n, 'x', 'staff', true, false, now()
       FROM generate_series(1, 20) AS n""",
    """INSERT INTO user_roles (user_id, role) SELECT id, 'assessor' FROM users WHERE email LIKE 'auditor%@bench.test'""",
    # Certificates (SC-530): each holder's current one, issued on the same day in both databases (within
    # the last 3 years), and before it one every 3 years as far back as the history goes (expired).
    """INSERT INTO dossiers (cki_id, company_id, scheme, scheme_version, state, lock_version, applied_on,
                             decided_on, prior_withdrawals, informed_of_rules, decision_late, created_at)
       SELECT :cki, c.id, 'SC-530', 'bench', 'granted', 1, g.issued - 90, g.issued, '[]', true, false, now()
       FROM companies c
       CROSS JOIN LATERAL (SELECT (:today - ((c.id * 7) % 1095) - k * 1095) AS issued
                           FROM generate_series(0, 5) AS k) AS g
       WHERE c.cki_id = :cki AND g.issued >= :first_day - 1095""",
    """INSERT INTO certificates (cki_id, company_id, dossier_id, scheme, number, holder_name, holder_place, holder_kvk,
                                 branches, issued_on, valid_until, status, expired_on, false_information, pdf,
                                 created_at)
       SELECT d.cki_id, d.company_id, d.id, 'SC-530', 'SC-530/' || extract(year FROM d.decided_on) || '/' || d.id,
              c.name, c.place, c.kvk_number,
              json_build_array(json_build_object('branch_id', b.id, 'is_head_office', true, 'name', null,
                                                 'address', b.address, 'kvk_number', null)),
              d.decided_on, (d.decided_on - 1 + interval '3 years')::date,
              CASE WHEN (d.decided_on - 1 + interval '3 years')::date >= :today THEN 'valid' ELSE 'expired' END,
              CASE WHEN (d.decided_on - 1 + interval '3 years')::date < :today
                   THEN (d.decided_on - 1 + interval '3 years')::date END,
              false, convert_to('%PDF', 'UTF8'), now()
       FROM dossiers d JOIN companies c ON c.id = d.company_id
       JOIN branches b ON b.company_id = c.id AND b.is_head_office
       WHERE d.cki_id = :cki AND d.state = 'granted'""",
    # The figures behind each current certificate's programme.
    """INSERT INTO period_figures (cki_id, certificate_id, company_id, branch_id, period_index, figures, works,
                                   declared_on, created_at)
       SELECT c.cki_id, c.id, c.company_id, (c.branches -> 0 ->> 'branch_id')::int, p, '{"project_days": 300}', 9,
              c.issued_on, now()
       FROM certificates c CROSS JOIN generate_series(0, 2) AS p WHERE c.cki_id = :cki AND c.status = 'valid'""",
    # Ten audits a year per certificate (one at the branch), done before today, planned after; only those
    # within the history of this database.
    """INSERT INTO audits (cki_id, certificate_id, company_id, branch_id, kind, period_index, planned_on, unannounced,
                           close_locations, status, done_on, lock_version, created_at)
       SELECT c.cki_id, c.id, c.company_id, (c.branches -> 0 ->> 'branch_id')::int,
              CASE WHEN j % 10 = 0 THEN 'branch' ELSE 'total' END, 1 + (j * 36) / 366, c.issued_on + j * 36,
              j % 10 <> 0, false,
              CASE WHEN c.issued_on + j * 36 < :today THEN 'done' ELSE 'planned' END,
              CASE WHEN c.issued_on + j * 36 < :today THEN c.issued_on + j * 36 END, 1, now()
       FROM certificates c CROSS JOIN generate_series(0, 29) AS j
       WHERE c.cki_id = :cki AND c.issued_on + j * 36 <= least(c.valid_until, :today + 60)
         AND c.issued_on + j * 36 >= :first_day""",
    """INSERT INTO audit_auditors (cki_id, audit_id, user_id)
       SELECT a.cki_id, a.id, u.first_id + a.id % 20
       FROM audits a CROSS JOIN (SELECT min(id) AS first_id FROM users WHERE email LIKE 'auditor%@bench.test') AS u
       WHERE a.cki_id = :cki""",
    """INSERT INTO checklists (cki_id, scheme, kind, version, items, created_at)
       VALUES (:cki, 'SC-530', 'total', 1, '[{"key": "total-1", "clause": "C §7", "text": "Melding"}]', now()),
              (:cki, 'SC-530', 'branch', 1, '[{"key": "branch-1", "clause": "C §4.2", "text": "Dossiers"}]', now())""",
    """INSERT INTO audit_reports (cki_id, audit_id, company_id, checklist_id, status, answers, lock_version, final_on,
                                  created_at)
       SELECT a.cki_id, a.id, a.company_id, k.id, 'final',
              json_build_object(k.items -> 0 ->> 'key', json_build_object('outcome', 'conform')), 1, a.done_on, now()
       FROM audits a JOIN checklists k ON k.cki_id = a.cki_id AND k.kind = a.kind
       WHERE a.cki_id = :cki AND a.status = 'done'""",
    # A finding in one audit in five.
    """INSERT INTO findings (cki_id, certificate_id, company_id, audit_id, item_key, clause, text, category, evidence,
                             found_on, procedure, status, lock_version, created_at)
       SELECT a.cki_id, a.certificate_id, a.company_id, a.id, 'total-1', 'C §7', 'Melding',
              (ARRAY['A', 'B', 'B', 'remark'])[1 + a.id % 4], 'Bevinding ' || a.id, a.done_on,
              (ARRAY['category_a', 'non_a', 'non_a', NULL])[1 + a.id % 4], 'closed', 1, now()
       FROM audits a WHERE a.cki_id = :cki AND a.status = 'done' AND a.id % 5 = 0""",
    # The deadline watch: a deadline per audit, done for those of the past (the history a work list must
    # never read), open for those to come, the planners'.
    """INSERT INTO deadlines (cki_id, company_id, subject_type, subject_id, kind, label, due_on, remind_on, state,
                              role, for_company, passive, url, next_action_on, done_on, created_at)
       SELECT a.cki_id, a.company_id, 'programme', a.id, 'audit_quota', 'Beoordeling ' || a.id, a.planned_on,
              a.planned_on - 2, CASE WHEN a.planned_on < :today THEN 'done' ELSE 'open' END, 'planner', false, false,
              '/planning/', CASE WHEN a.planned_on >= :today THEN a.planned_on - 2 END,
              CASE WHEN a.planned_on < :today THEN a.planned_on END, now()
       FROM audits a WHERE a.cki_id = :cki""",
]


def build(args, db_name: str) -> dict:
    url = fresh_database(db_name)
    os.environ["DATABASE_URL"] = url
    from flask import g
    from flask_migrate import upgrade

    from cki import create_app
    from cki.core.auth import Principal
    from cki.core.db import db
    from cki.dossiers.operations import create_dossier
    from cki.tenants.models import Cki
    from cki.users import operations as users

    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    last_day = date(date.today().year, 12, 31)
    first_day = date.today().replace(month=1, day=1, year=date.today().year - args.years + 1)
    span = (last_day - first_day).days
    if args.history != 1:  # the same days to come, 1/history of the days past
        first_day = last_day - timedelta(days=round(span / args.history))
    params = {"companies": args.companies, "total": round(args.per_year * args.years * (last_day - first_day).days / span),
              "first_day": first_day, "span": (last_day - first_day).days, "last_year": date(last_day.year, 1, 1),
              "today": date.today()}
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
        dossier_ids = [create_dossier(cki.id, {"company_id": cid, "scheme": "SC-540", "applied_on": date.today()}).id
                       for cid in company_ids]
        db.session.commit()
        melding_id = db.session.scalar(sa.text("SELECT max(id) FROM meldingen"))
        # one holder's current certificate: the same in both databases (the same holders and current
        # certificates), with ten years of earlier certificates, audits and findings behind it in one
        certificate_id = db.session.scalar(sa.text(
            "SELECT id FROM certificates WHERE status = 'valid' AND company_id = :company "
            "ORDER BY issued_on DESC LIMIT 1"), {"company": company_ids[len(company_ids) // 2]})
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("companies", "meldingen", "melding_revisions", "event_log", "lavs_messages", "dossiers",
                            "certificates", "audits", "audit_reports", "findings", "deadlines")}
    engine.dispose()
    return {"company": company_ids[len(company_ids) // 2], "dossier": dossier_ids[-1], "melding": melding_id,
            "certificate": certificate_id, "counts": counts}


def pages(built) -> list[tuple[str, str]]:
    today = date.today()
    month = today - timedelta(days=30)  # within the history of both databases: the same rows to show
    return [
        ("meldingen: list (from today)", "/meldingen/"),
        ("meldingen: week calendar", f"/meldingen/?view=week&day={today}"),
        ("meldingen: day calendar", f"/meldingen/?view=day&day={today}"),
        ("meldingen: one company, 30 days", f"/meldingen/?company_id={built['company']}&from={month}"),
        ("meldingen: late, 30 days", f"/meldingen/?flag=late&from={month}"),
        ("meldingen: calamities, 30 days", f"/meldingen/?flag=calamity&from={month}"),
        ("meldingen: fax, 30 days", f"/meldingen/?channel=fax&from={month}"),
        ("melding: one, with history", f"/meldingen/{built['melding']}"),
        ("LAVS inbox", "/meldingen/lavs"),
        ("companies: list", "/bedrijven/"),
        ("company: one", f"/bedrijven/{built['company']}"),
        ("dossiers: list", "/dossiers/"),
        ("dossier: one", f"/dossiers/{built['dossier']}"),
        ("API: meldingen from today", f"/api/v1/meldingen?from={today}&limit=500"),
        ("planning board (this week)", "/planning/"),
        ("certificate: one, programme and audits", f"/certificaten/{built['certificate']}"),
        ("certificates: search by name", "/certificaten/?q=Asbest%2055"),
        ("certificates: search by KvK", "/certificaten/?q=10000555"),
        ("search box: a postcode", "/zoeken/?q=3511AB"),
        ("search box: a company name", "/zoeken/?q=Asbest%2055"),
        ("API: planning board", "/api/v1/planning/board"),
        ("work list: planner (start page)", "/start"),
        ("deadlines: overdue in the CKI", "/termijnen/?scope=overdue"),
        ("API: my deadlines", "/api/v1/deadlines"),
    ]


def measure(built, repeat: int) -> dict:
    """Every page ``repeat`` times (after one warm-up fetch) in this process: label -> (status, timings).
    A reused database is first brought to the code's schema (no-op when it is)."""
    from flask_migrate import upgrade

    from wsgi import app
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    client = app.test_client()
    r = client.post("/api/v1/auth/tokens", json={"email": "planner@bench.test", "password": PASSWORD})
    api = {"Authorization": f"Bearer {r.json['token']}"}
    form = client.get("/login").text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    client.post("/login", data={"email": "planner@bench.test", "password": PASSWORD, "csrf_token": csrf})
    found = {}
    for label, url in pages(built):
        gc.collect()  # each page from a clean heap: the garbage of the page before is not its cost
        headers = api if url.startswith("/api/") else {}
        timings, status = [], None
        for _ in range(repeat + 1):
            started = time.perf_counter()
            status = client.get(url, headers=headers).status_code
            timings.append((time.perf_counter() - started) * 1000)
        found[label] = (status, timings[1:])  # the first fetch warms caches
    return found


def _in_a_fresh_process(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--per-year", type=int, default=150_000)
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", default=DB, help=argparse.SUPPRESS)
    parser.add_argument("--history", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--reuse", action="store_true", help="time the pages on the databases of the last run")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        print(json.dumps(build(args, args.db)))
        return
    if args.measure:  # a fresh process, like a server worker, on the database named in DATABASE_URL
        print(json.dumps(measure(json.loads(args.measure), args.repeat)))
        return
    sizes = {"1/100": (SMALL_DB, 100), "national": (DB, 1)}
    results = {}
    for name, (db_name, history) in sizes.items():
        print(f"building {name}: {args.per_year:,} meldingen a year for {args.companies:,} companies, "
              f"{args.years} years of history{' / 100' if history != 1 else ''} ...", flush=True)
        saved = ROOT / "bench" / "results" / f"{db_name}.json"
        if args.reuse and saved.exists():
            built = json.loads(saved.read_text())
        else:
            built = _in_a_fresh_process("--seed-only", "--db", db_name, "--years", str(args.years), "--per-year",
                                        str(args.per_year), "--companies", str(args.companies), "--history",
                                        str(history))
            saved.parent.mkdir(exist_ok=True)
            saved.write_text(json.dumps(built))
        print("  rows: " + ", ".join(f"{t} {n:,}" for t, n in built["counts"].items()), flush=True)
        os.environ["DATABASE_URL"] = SERVER + db_name
        results[name] = _in_a_fresh_process("--measure", json.dumps(built), "--repeat", str(args.repeat))
    print(f"{'page':<36} {'1/100 median':>12} {'national median':>16} {'national max':>13} {'ratio':>6}  status")
    worst, worst_ratio = 0.0, 0.0
    failed = [label for label, (status, _) in results["national"].items() if status != 200]
    failed += [label for label, (status, _) in results["1/100"].items() if status != 200]
    if failed:
        raise SystemExit(f"pages that did not answer 200: {sorted(set(failed))}")
    for label, (status, timings) in results["national"].items():
        small = statistics.median(results["1/100"][label][1])
        big = statistics.median(timings)
        ratio = big / small
        worst, worst_ratio = max(worst, max(timings)), max(worst_ratio, ratio)
        print(f"{label:<36} {small:>12.1f} {big:>16.1f} {max(timings):>13.1f} {ratio:>6.2f}  {status}")
    print(f"slowest fetch on national-scale data {worst:.1f} ms (target < {TARGET_MS} ms: "
          f"{'met' if worst < TARGET_MS else 'NOT met'}); highest ratio national/(1/100) {worst_ratio:.2f} "
          f"(target <= {TARGET_RATIO}: {'met' if worst_ratio <= TARGET_RATIO else 'NOT met'})")


if __name__ == "__main__":
    main()
