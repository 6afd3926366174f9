"""logs sealed after the write: an entry is written with the change it records and chained by the
sealer afterwards; the database lets an unsealed entry be sealed, once, and refuses every other change

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 19:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

CHAIN = ('chain_seq', 'prev_hash', 'entry_hash')
CONTENT = {
    "event_log": ("id", "cki_id", "subject_type", "subject_id", "action", "actor_user_id", "actor_client_id",
                  "actor_label", "before", "after", "note", "created_at"),
    "data_access_log": ("id", "cki_id", "actor_label", "actor_user_id", "what", "company_id", "detail", "read_at"),
}
UNSEALED = "chain_seq IS NULL"


def _sqlite_guard(table: str) -> str:
    """SQLite: an UPDATE passes only when it seals an unsealed entry and leaves its content alone."""
    same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT[table])
    sealing = " AND ".join(f"NEW.{c} IS NOT NULL" for c in CHAIN)
    return f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
               WHEN NOT (OLD.chain_seq IS NULL AND {sealing} AND {same})
               BEGIN SELECT RAISE(ABORT, '{table} is append-only (only an unsealed entry may be sealed)'); END"""


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if not postgres:  # the table is rebuilt below, its triggers with it
        for table in CONTENT:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    for table in CONTENT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in CHAIN:
                batch_op.alter_column(name, existing_type=sa.Integer() if name == 'chain_seq' else sa.String(64),
                                      nullable=True)
        op.create_index(f'ix_{table}_unsealed', table, ['cki_id', 'id'], unique=False,
                        postgresql_where=sa.text(UNSEALED), sqlite_where=sa.text(UNSEALED))
    if postgres:
        op.execute("""
            CREATE FUNCTION log_seal_only() RETURNS trigger AS $$
            BEGIN
              IF OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL AND NEW.prev_hash IS NOT NULL
                 AND NEW.entry_hash IS NOT NULL
                 AND to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'entry_hash'
                     = to_jsonb(OLD) - 'chain_seq' - 'prev_hash' - 'entry_hash' THEN
                RETURN NEW;
              END IF;
              RAISE EXCEPTION '% is append-only (only an unsealed entry may be sealed)', TG_TABLE_NAME;
            END; $$ LANGUAGE plpgsql""")
        op.execute("DROP TRIGGER event_log_no_rewrite ON event_log")
        op.execute("DROP TRIGGER data_access_log_no_rewrite ON data_access_log")
        for table, refuse in (("event_log", "event_log_append_only"), ("data_access_log", "log_append_only")):
            op.execute(f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                           FOR EACH ROW EXECUTE FUNCTION {refuse}()""")
            op.execute(f"""CREATE TRIGGER {table}_seal_only BEFORE UPDATE ON {table}
                           FOR EACH ROW EXECUTE FUNCTION log_seal_only()""")
    else:
        for table in CONTENT:
            op.execute(_sqlite_guard(table))


def downgrade():
    """Back to sealing at the write: the sealer must have sealed every entry first."""
    postgres = op.get_bind().dialect.name == "postgresql"
    bind = op.get_bind()
    for table in CONTENT:
        if bind.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {UNSEALED}")).scalar():
            raise RuntimeError(f"{table} has unsealed entries: run `flask events seal` first")
    if postgres:
        for table, refuse in (("event_log", "event_log_append_only"), ("data_access_log", "log_append_only")):
            op.execute(f"DROP TRIGGER {table}_seal_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_delete ON {table}")
            op.execute(f"""CREATE TRIGGER {table}_no_rewrite BEFORE UPDATE OR DELETE ON {table}
                           FOR EACH ROW EXECUTE FUNCTION {refuse}()""")
        op.execute("DROP FUNCTION log_seal_only()")
    else:
        for table in CONTENT:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    for table in CONTENT:
        op.drop_index(f'ix_{table}_unsealed', table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in CHAIN:
                batch_op.alter_column(name, existing_type=sa.Integer() if name == 'chain_seq' else sa.String(64),
                                      nullable=False)
    if not postgres:
        for table in CONTENT:
            op.execute(f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                           BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""")
