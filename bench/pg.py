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
