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
