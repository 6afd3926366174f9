"""Benchmark: melding intake through the API (gunicorn, PostgreSQL) side by side, in one run, with
the same request stack inserting one row (the floor: bench/floor_app.py) and, for scale, a bare
Flask endpoint inserting one row. Loopback only, bounded in time.

    python bench/bench_intake.py [--seconds 6] [--rounds 5] [--connections 16] [--workers 2]

The three servers run side by side and are loaded in turn, round after round, so a slow moment of
the machine falls on all three alike; each figure is the median over the rounds, the ratio the
median of the rounds' ratios.

Uses its own database ``cki_bench`` on the local PostgreSQL (created if missing)."""
import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pg import SERVER, fresh_database  # noqa: E402

DB = "cki_bench"
URL = SERVER + DB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database() -> str:
    fresh_database(DB)
    env = {**os.environ, "DATABASE_URL": URL}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    # one CKI, one company and its portal user with a bearer token
    code = """
from flask import g
from cki import create_app
from cki.core.auth import Principal
from cki.core.db import db
from cki.tenants.models import Cki
from cki.companies import operations as companies
from cki.users import operations as users
import sqlalchemy as sa
app = create_app()
with app.test_request_context():
    cki = Cki(name="Bench CKI", kvk_number="99999999"); db.session.add(cki); db.session.flush()
    g.principal = Principal(cki_id=cki.id, label="bench")
    company = companies.create_company(cki.id, {"name": "Bench B.V.", "place": "Utrecht", "kvk_number": "99999998"})
    user = users.create_user(cki.id, {"email": "bench@bench.test", "name": "Bench", "kind": "company",
                                      "company_id": company.id, "roles": [], "password": "bench-wachtwoord"})
    token, _ = users.issue_token(user)
    db.session.execute(sa.text("CREATE TABLE bench_bare (id serial PRIMARY KEY, body json NOT NULL)"))
    db.session.commit()
    print(token)
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def serve(app_spec: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": URL, "SCHEDULER_ENABLED": "0", "PYTHONPATH": str(ROOT)}
    # --preload: the app is loaded once, before the workers fork, so none of them is still
    # starting (about 0.7 s each) while the load runs; the scheduler is off, as in production.
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--no-control-socket", "--preload", "-w", str(workers),
                             "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
                            cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{app_spec} did not start")


def load(url: str, seconds: int, connections: int, token: str) -> dict:
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_RUN": str(time.monotonic_ns())}
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s",
                          "-s", str(ROOT / "bench" / "intake.lua"), url], env=env, check=True,
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    fields = dict(re.findall(r"(\w+)=(\d+)", out.split("RESULT", 1)[1]))
    result = {k: int(v) for k, v in fields.items()}
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


ENDPOINTS = (("bare Flask, insert one row (scale)", "bench.bare_app:app", "/insert"),
             ("cki stack, insert one row (floor)", "bench.floor_app:app", "/api/v1/bench/floor"),
             ("cki POST /api/v1/meldingen", "wsgi:app", "/api/v1/meldingen"))


def median(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    token = prepare_database()
    urls, servers = [], []
    try:
        for _, app_spec, path in ENDPOINTS:
            port = free_port()
            servers.append(serve(app_spec, port, args.workers))
            urls.append(f"http://127.0.0.1:{port}{path}")
        for url in urls:
            load(url, 2, args.connections, token)  # warm-up
        runs = [[load(url, args.seconds, args.connections, token) for url in urls] for _ in range(args.rounds)]
    finally:
        for proc in servers:
            proc.send_signal(signal.SIGTERM)
        for proc in servers:
            proc.wait(timeout=30)
    engine = sa.create_engine(URL)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM meldingen")).scalar()
    engine.dispose()
    print(f"gunicorn {args.workers} workers each, wrk 2 threads {args.connections} connections, "
          f"{args.rounds} rounds of {args.seconds} s per endpoint in turn, PostgreSQL on 127.0.0.1; medians")
    print(f"{'endpoint':<44} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'non-2xx':>7}")
    for i, (label, _, _) in enumerate(ENDPOINTS):
        rs = [run[i] for run in runs]
        print(f"{label:<44} {median([r['rps'] for r in rs]):>8.0f} {median([r['p50_us'] for r in rs]) / 1000:>7.1f} "
              f"{median([r['p99_us'] for r in rs]) / 1000:>7.1f} {sum(r['errors'] for r in rs):>6} "
              f"{sum(r['non2xx'] for r in rs):>7}")
    ratios = [run[2]["rps"] / run[1]["rps"] for run in runs]
    ratio = median(ratios)
    p99 = max(run[2]["p99_us"] for run in runs) / 1000
    print(f"ratio cki/floor per round: {' '.join(f'{r:.2f}' for r in ratios)}")
    print(f"ratio cki/floor: {ratio:.2f} (target >= 0.70: {'met' if ratio >= 0.7 else 'NOT met'}); "
          f"cki/bare {median([run[2]['rps'] / run[0]['rps'] for run in runs]):.2f} (scale); "
          f"cki p99 worst round {p99:.1f} ms (target < 100 ms: {'met' if p99 < 100 else 'NOT met'}); "
          f"{stored} meldingen stored")


if __name__ == "__main__":
    main()
