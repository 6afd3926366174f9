"""The event log and the read log are evidence: the app's own database role cannot rewrite them,
and a rewrite by anyone who can (the schema's owner) shows as a broken link in the hash chain
that ``flask events verify`` reports."""
import pytest
import sqlalchemy as sa

from cki.core.db import db
from cki.events.chain import GENESIS, verify
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


def _fails(conn, statement) -> str:
    try:
        with conn.begin():
            conn.execute(sa.text(statement))
    except sa.exc.DBAPIError as error:
        return str(error.orig)
    raise AssertionError(f"the database accepted: {statement}")


@pytest.mark.parametrize("log", LOGS)
def test_the_apps_role_cannot_rewrite_or_empty_a_log(app, client, tenant, other_tenant, log):
    _some_entries(client, tenant, other_tenant)
    with app.app_context(), db.engine.connect() as conn:
        assert "append-only" in _fails(conn, f"UPDATE {log} SET cki_id = cki_id") or PG_URL
        if not PG_URL:
            return  # SQLite is one file of the app: its protection is the trigger and the chain
        for statement in (f"UPDATE {log} SET cki_id = cki_id", f"DELETE FROM {log}", f"TRUNCATE {log}",
                          f"ALTER TABLE {log} DISABLE TRIGGER ALL", "SET session_replication_role = replica",
                          f"DROP TABLE {log}"):
            message = _fails(conn, statement)
            assert "permission denied" in message or "must be owner" in message, (statement, message)


@pytest.mark.skipif(not PG_URL, reason="roles exist on PostgreSQL")
def test_even_the_owner_cannot_rewrite_or_truncate_a_log_without_lifting_its_triggers(app, client, tenant,
                                                                                      other_tenant):
    _some_entries(client, tenant, other_tenant)
    owner = sa.create_engine(as_role(PG_URL, "cki_owner"), poolclass=sa.pool.NullPool)
    with owner.connect() as conn:
        for log in LOGS:
            for statement in (f"UPDATE {log} SET cki_id = cki_id", f"DELETE FROM {log}", f"TRUNCATE {log}"):
                assert "append-only" in _fails(conn, statement)


def test_every_entry_is_chained_per_cki_and_the_chain_verifies(app, client, tenant, other_tenant):
    _some_entries(client, tenant, other_tenant)
    with app.app_context():
        reports = verify()
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
    result = app.test_cli_runner().invoke(args=["events", "verify"])
    assert result.exit_code == 0 and "in orde: event_log" in result.output


def _as_owner(statement: str, log: str):
    """What a database owner (or anyone past the app's role) could do: lift the guard, rewrite."""
    if PG_URL:
        with superuser_engine().begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.text(statement))
    else:
        from flask import current_app

        with current_app.app_context(), db.engine.begin() as conn:
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {log}_no_update"))
            conn.execute(sa.text(statement))
            conn.execute(sa.text(f"CREATE TRIGGER {log}_no_update BEFORE UPDATE ON {log} "
                                 f"BEGIN SELECT RAISE(ABORT, '{log} is append-only'); END"))


@pytest.mark.parametrize(("log", "tamper", "reason"), [
    ("event_log", "UPDATE event_log SET note = 'vervalst' WHERE id = {id}", "na het schrijven gewijzigd"),
    ("event_log", "DELETE FROM event_log WHERE id = {id}", "ontbreekt"),
    ("data_access_log", "UPDATE data_access_log SET detail = 'niets gelezen' WHERE id = {id}",
     "na het schrijven gewijzigd"),
])
def test_verify_reports_the_first_broken_link(app, client, tenant, other_tenant, log, tamper, reason):
    _some_entries(client, tenant, other_tenant)
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
        reads = db.session.scalars(sa.select(DataAccessLog).order_by(DataAccessLog.chain_seq)).all()
        assert [(r.what, r.detail, r.company_id) for r in reads] == [
            ("toezicht: api", "GET /api/v1/companies -> 200", None),
            ("toezicht: api", f"GET /api/v1/companies/{tenant.ids['company1']} -> 200", tenant.ids["company1"]),
            ("toezicht: pagina", "GET /dossiers/ -> 200", None),
        ]
        assert {r.actor_label for r in reads} == {"reviewer X"}
