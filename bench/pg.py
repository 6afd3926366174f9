"""The benchmarks' own databases on the local PostgreSQL (trust auth, as on the CI machine)."""
import sqlalchemy as sa

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"


def fresh_database(name: str) -> str:
    """Drop and recreate database ``name``; returns its URL."""
    admin = sa.create_engine(SERVER + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return SERVER + name


#: Done deadlines of earlier years and the two actions the sweep took on each: what a sweep must
#: never read. Parameters: cki, n, start (subject ids after those already made), kind.
DEADLINE_HISTORY_SQL = sa.text("""
    WITH made AS (
        INSERT INTO deadlines (cki_id, company_id, subject_type, subject_id, kind, label, due_on, remind_on, state,
                               role, for_company, passive, url, next_action_on, overdue_since, done_on, created_at)
        SELECT :cki, NULL, 'history', :start + n, :kind, 'Oude termijn', DATE '2016-01-04' + (n % 3650),
               DATE '2016-01-01' + (n % 3650), 'done', 'planner', false, false, '/start', NULL, NULL,
               DATE '2016-01-05' + (n % 3650), now()
        FROM generate_series(1, :n) AS n
        RETURNING id, due_on, remind_on)
    INSERT INTO deadline_actions (cki_id, deadline_id, action, for_due_on, acted_on, swept_on, created_at)
    SELECT :cki, id, a.action, due_on, remind_on, remind_on, now()
    FROM made CROSS JOIN (VALUES ('remind'), ('overdue')) AS a(action)""")
