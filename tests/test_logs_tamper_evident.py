"""The event log and the read log are evidence: the app's own database role cannot rewrite them
(it may only seal an entry not sealed yet), and a rewrite by anyone who can (the schema's owner)
shows as a broken link in the hash chain that ``flask events verify`` reports."""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from cki.core.db import db
from cki.events.chain import GENESIS, seal, verify
from cki.events.models import DataAccessLog, EventLogEntry
from tests.conftest import PG_URL, as_role, superuser_engine

LOGS = ("event_log", "data_access_log")


def _some_entries(client, tenant, other_tenant):
    for n in range(3):
        client.post("/api/v1/companies", json={"name": f"Nieuw {n}", "place": "Ede", "kvk_number": f"6666666{n}"},
                    headers=tenant.auth("planner"))
    client.post("/api/v1/companies", json={"name": "Elders", "place": "Ede", "kvk_number": "66666669"},
                headers=other_tenant.auth("planner"))
    client.get(f"/api/v1/companies/{tenant.ids['company1']}/project-days?from=2026-01-01",
               headers=tenant.auth("planner"))  # a read of logbook data: the read log


def _sealed_entries(app, client, tenant, other_tenant):
    _some_entries(client, tenant, other_tenant)
    with app.app_context():
        assert seal() > 0


def _fails(conn, statement) -> str:
    try:
        with conn.begin():
            conn.execute(sa.text(statement))
    except sa.exc.DBAPIError as error:
        return str(error.orig)
    raise AssertionError(f"the database accepted: {statement}")


@pytest.mark.parametrize("log", LOGS)
def test_the_apps_role_cannot_rewrite_or_empty_a_log(app, client, tenant, other_tenant, log):
    _sealed_entries(app, client, tenant, other_tenant)
    with app.app_context(), db.engine.connect() as conn:
        # what the role may update (the chain columns) it may not rewrite once sealed, nor unseal
        for statement in (f"UPDATE {log} SET chain_seq = chain_seq + 1000",
                          f"UPDATE {log} SET entry_hash = prev_hash",
                          f"UPDATE {log} SET chain_seq = NULL, prev_hash = NULL, entry_hash = NULL"):
            assert "append-only" in _fails(conn, statement), statement
        if not PG_URL:
            assert "append-only" in _fails(conn, f"UPDATE {log} SET cki_id = cki_id")
            return  # SQLite is one file of the app: its protection is the trigger and the chain
        for statement in (f"UPDATE {log} SET cki_id = cki_id", f"DELETE FROM {log}", f"TRUNCATE {log}",
                          f"ALTER TABLE {log} DISABLE TRIGGER ALL", "SET session_replication_role = replica",
                          f"DROP TABLE {log}",
                          f"INSERT INTO {log} (cki_id, chain_seq) SELECT cki_id, 999 FROM {log} LIMIT 1"):
            message = _fails(conn, statement)
            assert "permission denied" in message or "must be owner" in message, (statement, message)


@pytest.mark.parametrize("log", LOGS)
def test_an_unsealed_entry_may_be_sealed_but_not_changed_on_the_way(app, client, tenant, other_tenant, log):
    _some_entries(client, tenant, other_tenant)
    content = "note = 'vervalst'" if log == "event_log" else "detail = 'vervalst'"
    with app.app_context(), db.engine.connect() as conn:
        entry_id = conn.execute(sa.text(f"SELECT min(id) FROM {log} WHERE chain_seq IS NULL")).scalar()
        conn.rollback()
        sealing = "chain_seq = 99999, prev_hash = repeat('0', 64), entry_hash = repeat('1', 64)"
        if not PG_URL:
            sealing = sealing.replace("repeat('0', 64)", "'x'").replace("repeat('1', 64)", "'y'")
        message = _fails(conn, f"UPDATE {log} SET {sealing}, {content} WHERE id = {entry_id}")
        assert "append-only" in message or "permission denied" in message, message
        # all three chain columns or none
        assert "append-only" in _fails(conn, f"UPDATE {log} SET chain_seq = 99999 WHERE id = {entry_id}")
        transaction = conn.begin()  # the sealer's own change passes (rolled back: a test of the guard only)
        assert conn.execute(sa.text(f"UPDATE {log} SET {sealing} WHERE id = {entry_id}")).rowcount == 1
        transaction.rollback()


@pytest.mark.skipif(not PG_URL, reason="roles exist on PostgreSQL")
def test_even_the_owner_cannot_rewrite_or_truncate_a_log_without_lifting_its_triggers(app, client, tenant,
                                                                                      other_tenant):
    _sealed_entries(app, client, tenant, other_tenant)
    owner = sa.create_engine(as_role(PG_URL, "cki_owner"), poolclass=sa.pool.NullPool)
    with owner.connect() as conn:
        for log in LOGS:
            for statement in (f"UPDATE {log} SET cki_id = cki_id", f"DELETE FROM {log}", f"TRUNCATE {log}"):
                assert "append-only" in _fails(conn, statement)


def test_every_entry_is_chained_per_cki_and_the_chain_verifies(app, client, tenant, other_tenant):
    _some_entries(client, tenant, other_tenant)
    result = app.test_cli_runner().invoke(args=["events", "verify"])
    assert result.exit_code == 0 and f"nog niet verzegeld: event_log, CKI {tenant.cki_id}: " in result.output
    assert app.test_cli_runner().invoke(args=["events", "seal"]).output.startswith("verzegeld: ")
    with app.app_context():
        assert seal() == 0  # nothing twice
        reports = verify()
        assert all(r.unsealed == 0 for r in reports)
        assert {(r.log, r.cki_id) for r in reports} >= {("event_log", tenant.cki_id),
                                                        ("event_log", other_tenant.cki_id),
                                                        ("data_access_log", tenant.cki_id)}
        assert all(r.broken is None for r in reports)
        for model in (EventLogEntry, DataAccessLog):
            rows = db.session.scalars(sa.select(model).where(model.cki_id == tenant.cki_id)
                                      .order_by(model.chain_seq)).all()
            assert [r.chain_seq for r in rows] == list(range(1, len(rows) + 1))
            assert rows[0].prev_hash == GENESIS
            assert all(b.prev_hash == a.entry_hash for a, b in zip(rows, rows[1:], strict=False))
            assert [r.id for r in rows] == sorted(r.id for r in rows)  # in the order written
    result = app.test_cli_runner().invoke(args=["events", "verify"])
    assert result.exit_code == 0 and "in orde: event_log" in result.output and "nog niet" not in result.output


def test_a_chain_goes_on_from_its_head_over_later_seals(app, client, tenant, other_tenant):
    _sealed_entries(app, client, tenant, other_tenant)
    _write_entries(app, tenant.cki_id, 5)
    with app.app_context():
        assert seal(batch=2) == 5  # in three batches, each committed
        assert all(r.broken is None and r.unsealed == 0 for r in verify())
        seqs = db.session.scalars(sa.select(DataAccessLog.chain_seq).where(DataAccessLog.cki_id == tenant.cki_id)
                                  .order_by(DataAccessLog.id)).all()
        assert seqs == list(range(1, 7))  # the read before, then the five in the order written


def _as_owner(statement: str, log: str):
    """What a database owner (or anyone past the app's role) could do: lift the guard, rewrite."""
    if PG_URL:
        with superuser_engine().begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.text(statement))
    else:
        from flask import current_app

        with current_app.app_context(), db.engine.begin() as conn:
            guard = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"),
                                 {"n": f"{log}_no_update"}).scalar_one()
            conn.execute(sa.text(f"DROP TRIGGER {log}_no_update"))
            conn.execute(sa.text(statement))
            conn.execute(sa.text(guard))


@pytest.mark.parametrize(("log", "tamper", "reason"), [
    ("event_log", "UPDATE event_log SET note = 'vervalst' WHERE id = {id}", "na het schrijven gewijzigd"),
    ("event_log", "DELETE FROM event_log WHERE id = {id}", "ontbreekt"),
    ("data_access_log", "UPDATE data_access_log SET detail = 'niets gelezen' WHERE id = {id}",
     "na het schrijven gewijzigd"),
])
def test_verify_reports_the_first_broken_link(app, client, tenant, other_tenant, log, tamper, reason):
    _sealed_entries(app, client, tenant, other_tenant)
    model = EventLogEntry if log == "event_log" else DataAccessLog
    with app.app_context():
        victim = db.session.scalars(sa.select(model).where(model.cki_id == tenant.cki_id)
                                    .order_by(model.chain_seq)).all()[-1 if log == "data_access_log" else 1]
        victim_id, victim_seq = victim.id, victim.chain_seq
        db.session.remove()
        _as_owner(tamper.format(id=victim_id), log)
    result = app.test_cli_runner().invoke(args=["events", "verify"])
    assert result.exit_code == 1
    assert f"GEBROKEN: {log}, CKI {tenant.cki_id}, schakel {victim_seq}" in result.output and reason in result.output
    assert f"in orde: event_log, CKI {other_tenant.cki_id}" in result.output  # other chains stand


def test_an_entry_of_a_rolled_back_savepoint_is_not_written(app, client, tenant, clock):
    from tests.test_meldingen import MELDING

    rows = [{**MELDING, "street": "Goed 1"}, {**MELDING, "street": "Te laat 1", "planned_start": "2026-11-24",
                                               "planned_end": "2026-11-25"}]
    r = client.post("/api/v1/meldingen/bulk", json={"meldingen": rows}, headers=tenant.auth("company1"))
    assert (r.json["accepted"], r.json["refused"]) == (1, 1)
    with app.app_context():
        actions = db.session.scalars(sa.select(EventLogEntry.action).where(
            EventLogEntry.subject_type == "meldingen")).all()
        assert actions == ["melding.submitted"]
        seal()
        assert all(report.broken is None for report in verify())


def test_every_read_of_the_reviewer_is_logged(app, client, tenant):
    from tests.test_web import login

    reviewer = tenant.auth("reviewer")
    client.get("/api/v1/companies", headers=reviewer)
    client.get(f"/api/v1/companies/{tenant.ids['company1']}", headers=reviewer)
    client.get("/api/v1/companies", headers=tenant.auth("planner"))  # not a reviewer: not logged here
    login(client, tenant.emails["reviewer"])
    client.get("/dossiers/")
    with app.app_context():
        reads = db.session.scalars(sa.select(DataAccessLog).order_by(DataAccessLog.id)).all()
        assert [(r.what, r.detail, r.company_id) for r in reads] == [
            ("toezicht: api", "GET /api/v1/companies -> 200", None),
            ("toezicht: api", f"GET /api/v1/companies/{tenant.ids['company1']} -> 200", tenant.ids["company1"]),
            ("toezicht: pagina", "GET /dossiers/ -> 200", None),
        ]
        assert {r.actor_label for r in reads} == {"reviewer X"}


def _write_entries(app, cki_id: int, count: int) -> None:
    from flask import g

    from cki.core.auth import Principal
    from cki.events.operations import log_read

    with app.test_request_context():
        g.principal = Principal(cki_id=cki_id, label="test")
        for n in range(count):
            log_read("test", detail=f"regel {n}")
        db.session.commit()


@pytest.mark.skipif(not PG_URL, reason="two sealers at once need PostgreSQL")
def test_two_sealers_at_once_seal_each_entry_once(app, tenant):
    with app.app_context():
        seal()  # the tenant's own entries
    _write_entries(app, tenant.cki_id, 3000)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(seal(batch=500))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sum(results) == 3000
    with app.app_context():
        assert all(r.broken is None and r.unsealed == 0 for r in verify())


def test_a_sealer_killed_midway_loses_nothing(app, tenant):
    """``flask events seal`` killed while it seals a backlog: what it committed stays sealed, the rest
    is sealed by the next run, and the chain verifies."""
    backlog = 20000
    # A plain reader beside the app (the app's SQLite transactions wait for the write lock, so
    # its reads would wait for the sealer to finish)
    reader = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)

    def sealed() -> int:
        with reader.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).where(DataAccessLog.chain_seq.is_not(None))).scalar()

    with app.app_context():
        seal()  # the tenant's own entries
        before = sealed()
    _write_entries(app, tenant.cki_id, backlog)
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SCHEDULER_ENABLED": "0"}
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "events", "seal"], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with app.app_context():
        for _ in range(1200):  # until its first batch is committed, then kill
            if sealed() > before:
                break
            time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with app.app_context():
        by_the_killed = sealed() - before
        assert 0 < by_the_killed < backlog, by_the_killed  # killed in the middle
        assert seal() == backlog - by_the_killed
        reports = verify()
        assert all(r.broken is None and r.unsealed == 0 for r in reports)
        assert sum(r.entries for r in reports if r.log == "data_access_log") == before + backlog


def test_the_scheduler_seals_the_logs(app, tenant):
    from cki.jobs import scheduler, tasks

    assert any(job[0] is tasks.seal_logs for job in scheduler.JOBS)
    assert tasks.seal_logs(app) > 0  # the tenant's entries
    with app.app_context():
        assert all(r.unsealed == 0 and r.broken is None for r in verify())
