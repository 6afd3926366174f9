"""the head of each log's chain per CKI: locked to add to the chain, checked by the verification

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 16:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    heads = op.create_table(
        'log_chain_heads',
        sa.Column('log', sa.String(length=40), nullable=False),
        sa.Column('cki_id', sa.Integer(), nullable=False),
        sa.Column('chain_seq', sa.Integer(), nullable=False),
        sa.Column('entry_hash', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['cki_id'], ['ckis.id'], name=op.f('fk_log_chain_heads_cki_id_ckis')),
        sa.PrimaryKeyConstraint('log', 'cki_id', name=op.f('pk_log_chain_heads')),
    )
    bind = op.get_bind()
    rows = []
    for log in ("event_log", "data_access_log"):
        for cki_id, seq, entry_hash in bind.execute(sa.text(
                f"SELECT l.cki_id, l.chain_seq, l.entry_hash FROM {log} l JOIN (SELECT cki_id, max(chain_seq) AS s "
                f"FROM {log} GROUP BY cki_id) m ON m.cki_id = l.cki_id AND m.s = l.chain_seq")):
            rows.append({"log": log, "cki_id": cki_id, "chain_seq": seq, "entry_hash": entry_hash})
    if rows:
        op.bulk_insert(heads, rows)


def downgrade():
    op.drop_table('log_chain_heads')
