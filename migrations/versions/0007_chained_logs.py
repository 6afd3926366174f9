"""tamper-evident logs: the event log and the read log hash-chained per CKI, append-only in the
database (no UPDATE, DELETE or TRUNCATE, also not of the read log)

Existing entries are chained in the order they were written (by id), with the same hash the app
computes (cki.events.chain.digest, copied here as it is at this revision).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:00:00

"""
import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
LOGS = {
    "event_log": ("created_at", ("cki_id", "subject_type", "subject_id", "action", "actor_user_id", "actor_client_id",
                                 "actor_label", "before", "after", "note", "created_at")),
    "data_access_log": ("read_at", ("cki_id", "actor_label", "actor_user_id", "what", "company_id", "detail",
                                    "read_at")),
}


def _plain(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:  # SQLite gives naive UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def _digest(table, row, seq, prev):
    content = {name: _plain(row[name]) for name in LOGS[table][1]}
    content.update(log=table, chain_seq=seq, prev_hash=prev)
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chain_existing(table):
    bind = op.get_bind()
    meta = sa.MetaData()
    t = sa.Table(table, meta, autoload_with=bind)
    json_columns = [c.name for c in t.c if isinstance(c.type, sa.JSON)]
    heads = {}
    for row in bind.execute(sa.select(t).order_by(t.c.id)).mappings().all():
        row = dict(row)
        for name in json_columns:  # as the app reads it back
            if isinstance(row[name], str):
                row[name] = json.loads(row[name])
        seq, prev = heads.get(row["cki_id"], (0, GENESIS))
        seq += 1
        new = _digest(table, row, seq, prev)
        bind.execute(t.update().where(t.c.id == row["id"]).values(chain_seq=seq, prev_hash=prev, entry_hash=new))
        heads[row["cki_id"]] = (seq, new)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:  # the existing rows get their chain first: lift the guard for this one update
        op.execute("ALTER TABLE event_log DISABLE TRIGGER event_log_no_rewrite")
    else:
        op.execute("DROP TRIGGER IF EXISTS event_log_no_update")
    for table in LOGS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))
            if table == "data_access_log":
                batch_op.alter_column('company_id', existing_type=sa.Integer(), nullable=True)
        _chain_existing(table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in ('chain_seq', 'prev_hash', 'entry_hash'):
                batch_op.alter_column(name, nullable=False)
            batch_op.create_unique_constraint(f'uq_{table}_chain', ['cki_id', 'chain_seq'])
    if postgres:
        op.execute("ALTER TABLE event_log ENABLE TRIGGER event_log_no_rewrite")
        op.execute("""
            CREATE FUNCTION log_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER data_access_log_no_rewrite BEFORE UPDATE OR DELETE ON data_access_log
                      FOR EACH ROW EXECUTE FUNCTION log_append_only()""")
        for table in LOGS:  # a row trigger does not fire on TRUNCATE; a statement trigger does
            op.execute(f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                           FOR EACH STATEMENT EXECUTE FUNCTION log_append_only()""")
    else:
        for table in LOGS:
            op.execute(f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                           BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for table in LOGS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS data_access_log_no_rewrite ON data_access_log")
        op.execute("DROP FUNCTION IF EXISTS log_append_only()")
    else:
        for table in LOGS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    for table in LOGS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_chain', type_='unique')
            batch_op.drop_column('entry_hash')
            batch_op.drop_column('prev_hash')
            batch_op.drop_column('chain_seq')
    if not postgres:
        op.execute("""CREATE TRIGGER event_log_no_update BEFORE UPDATE ON event_log
                      BEGIN SELECT RAISE(ABORT, 'event_log is append-only'); END""")
