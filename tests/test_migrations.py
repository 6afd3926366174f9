"""The Alembic migrations build the whole schema from zero, on SQLite and PostgreSQL."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from cki.core.db import db


def test_schema_from_zero_matches_models(app):
    with app.app_context():
        downgrade(revision="base")
        left = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"ckis", "companies", "branches", "users", "event_log", "api_clients"} <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"


def test_event_log_rows_cannot_be_rewritten_in_the_database(app, tenant):
    with app.app_context(), db.engine.connect() as conn:
        try:
            conn.execute(sa.text("UPDATE event_log SET action = 'forged'"))
            conn.commit()
        except sa.exc.DBAPIError as error:
            assert "append-only" in str(error)
        else:
            raise AssertionError("the database accepted a rewrite of the event log")
