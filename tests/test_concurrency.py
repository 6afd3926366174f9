"""Exactly once under load, against a real multi-worker server (gunicorn, 4 workers) on the
suite's database: on PostgreSQL each request is its own process and connection; on SQLite the
file is shared by the workers. Requests are fired together from threads behind a barrier."""
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from cki.core.db import db
from cki.events.chain import verify
from cki.meldingen.models import Melding
from workflows.calendar import legal_calendar

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(app):
    """gunicorn with several workers on the suite's database, as production serves the app."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "test-secret",
           "SCHEDULER_ENABLED": "0", "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024",
           "LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute"}
    process = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-w", str(WORKERS),
                                "--no-control-socket", "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode()[-2000:]) from None
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=30)


def _call(method: str, url: str, token: str, body=None, content_type="application/json") -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _all_at_once(calls) -> list[tuple[int, dict]]:
    """Run the calls in threads that start together."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _start(weeks: int = 6) -> date:
    """A start date comfortably after the lead time, counted from the real today (the server's)."""
    return legal_calendar().add(date.today() + timedelta(weeks=weeks), 1)


def _job(n: int, start: date) -> dict:
    return {"scheme": "SC-530", "street": f"Concurrentielaan {n}", "postcode": "3511 AB", "place": "Utrecht",
            "planned_start": start.isoformat(), "planned_end": (start + timedelta(days=2)).isoformat()}


def test_ten_concurrent_submissions_of_one_job_register_one_melding(app, server, tenant):
    start, token = _start(), tenant.tokens["company1"]
    for n in range(5):  # five jobs, each sent ten times at once (street spelled differently too)
        job = _job(n, start)
        variants = [{**job, "street": job["street"].upper() if i % 2 else job["street"]} for i in range(10)]
        results = _all_at_once([lambda body=body: _call("POST", f"{server}/api/v1/meldingen", token, body)
                                for body in variants])
        codes = sorted(code for code, _ in results)
        assert codes == [200] * 9 + [201], codes
        assert len({answer["id"] for _, answer in results}) == 1
    with app.app_context():
        rows = db.session.scalars(sa.select(Melding).where(Melding.company_id == tenant.ids["company1"])).all()
        assert len(rows) == 5 and len({(m.street_key, m.planned_start) for m in rows}) == 5
        assert all(report.broken is None for report in verify())  # the log's chain stayed whole


def test_two_concurrent_bulk_uploads_of_the_same_200_jobs_register_200(app, server, tenant):
    start, token = _start(8), tenant.tokens["company1"]
    jobs = [_job(100 + n, start) for n in range(200)]
    forward, backward = {"meldingen": jobs}, {"meldingen": list(reversed(jobs))}
    results = _all_at_once([lambda: _call("POST", f"{server}/api/v1/meldingen/bulk", token, forward),
                            lambda: _call("POST", f"{server}/api/v1/meldingen/bulk", token, backward)])
    assert [code for code, _ in results] == [200, 200], results
    reports = [answer for _, answer in results]
    assert sum(r["accepted"] for r in reports) == 200 and all(r["refused"] == 0 for r in reports)
    assert all(r["accepted"] + r["repeats"] == 200 for r in reports)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Melding.id)).where(
            Melding.company_id == tenant.ids["company1"])) == 200
        assert all(report.broken is None for report in verify())


# -- dossiers ----------------------------------------------------------------------------------

def _dossier_in_decision(client, tenant) -> dict:
    """A new company's dossier walked (in-process) to the decision. The server counts with the real
    today, so every step is dated today (none may be dated before the step it follows)."""
    today = date.today().isoformat()
    applied = legal_calendar().subtract(date.today(), 10).isoformat()
    auth = tenant.auth
    n = len(client.get("/api/v1/companies", headers=auth("planner")).json)
    company = client.post("/api/v1/companies", json={"name": f"Kandidaat {n}", "place": "Ede",
                                                     "kvk_number": f"{40000000 + n}"}, headers=auth("planner")).json
    client.post(f"/api/v1/companies/{company['id']}/branches", json={"address": "Ede 1", "is_head_office": True},
                headers=auth("planner"))

    def post(path, who, **body):
        r = client.post(f"/api/v1/dossiers/{d['id']}/{path}", headers=auth(who),
                        json={"lock_version": d["lock_version"], **body})
        assert r.status_code == 200, (path, r.json)
        return r.json

    r = client.post("/api/v1/dossiers", json={"company_id": company["id"], "scheme": "SC-540",
                                              "applied_on": applied}, headers=auth("planner"))
    assert r.status_code == 201, r.json
    d = r.json
    d = post("declaration", "planner", declared_on=applied, held_or_applied_elsewhere=False, informed_of_rules=True)
    d = post("take-into-treatment", "planner")
    d = post("assessors", "planner", user_id=tenant.ids["user_assessor"])
    d = post("complete-documentation-review", "assessor", passed=True)
    branch = d["branches"][0]["branch_id"]
    d = post("record-branch-assessment", "assessor", branch_id=branch, passed=True, on=today)
    for n in (2, 3):
        d = post("request-location", "planner", branch_id=branch, address=f"Project {n}")
        loc = d["locations"][-1]["id"]
        d = post("record-sca-permission", "planner", location_id=loc, granted=True, on=today)
        d = post("record-location-assessment", "assessor", location_id=loc, passed=True, complete_result=True,
                 on=today, representative_reason="Gangbaar project")
    d = post("complete-assessment", "team_leader")
    return post("record-advice", "team_leader", advice="Positief advies.")


PAIRS = [  # (event, who, body) twice: two different steps a colleague might take at the same moment
    (("record-advice", "team_leader", {"advice": "Toch een ander advies."}),
     ("abort", "planner", {"reason": "Kandidaat trekt zich terug."})),
    (("decide", "decider", {"grant": True, "motivation": "Voldoet."}),
     ("abort", "planner", {"reason": "Kandidaat trekt zich terug."})),
    (("decide", "decider", {"grant": False, "motivation": "Voldoet niet."}),
     ("record-advice", "team_leader", {"advice": "Aangevuld advies."})),
]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: f"{pair[0][0]}+{pair[1][0]}")
def test_two_different_events_with_the_same_lock_version_give_one_200_and_one_409(app, client, server, tenant, pair):
    for _ in range(2):
        d = _dossier_in_decision(client, tenant)
        version, url = d["lock_version"], f"{server}/api/v1/dossiers/{d['id']}"
        calls = []
        for event, who, body in pair:
            body = {"lock_version": version, **body, **({"on": date.today().isoformat()} if event == "decide" else {})}
            calls.append(lambda url=f"{url}/{event}", token=tenant.tokens[who], body=body: _call("POST", url, token, body))
        results = _all_at_once(calls)
        assert sorted(code for code, _ in results) == [200, 409], results
        winner = next(answer for code, answer in results if code == 200)
        now = client.get(f"/api/v1/dossiers/{d['id']}", headers=tenant.auth("planner")).json
        assert now["lock_version"] == winner["lock_version"] > version and now["state"] == winner["state"]
        events = [e["action"] for e in client.get(f"/api/v1/events?subject_type=dossiers&subject_id={d['id']}",
                                                   headers=tenant.auth("planner")).json]
        assert sum(events.count(f"dossier.{event.replace('-', '_')}") for event, _, _ in pair) == (
            2 if "record-advice" in (pair[0][0], pair[1][0]) else 1)  # the loser wrote nothing


def test_two_grants_at_once_get_different_certificate_numbers(app, client, server, tenant):
    dossiers = [_dossier_in_decision(client, tenant) for _ in range(2)]
    decided_on = date.today().isoformat()
    results = _all_at_once([
        lambda d=d: _call("POST", f"{server}/api/v1/dossiers/{d['id']}/decide", tenant.tokens["decider"],
                          {"lock_version": d["lock_version"], "grant": True, "on": decided_on,
                           "motivation": "Voldoet aan alle eisen."}) for d in dossiers])
    assert [code for code, _ in results] == [200, 200], results
    numbers = sorted(answer["certificate"]["number"] for _, answer in results)
    year = date.today().year
    assert numbers == [f"SC-540/{year}/0001", f"SC-540/{year}/0002"]
