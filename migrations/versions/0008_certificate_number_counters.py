"""certificate numbers from a counter per CKI, scheme and year (an atomic upsert), not count + 1

Existing certificates set each counter to the highest number given out so far.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    counters = op.create_table(
        'certificate_number_counters',
        sa.Column('cki_id', sa.Integer(), nullable=False),
        sa.Column('scheme', sa.String(length=10), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['cki_id'], ['ckis.id'], name=op.f('fk_certificate_number_counters_cki_id_ckis')),
        sa.PrimaryKeyConstraint('cki_id', 'scheme', 'year', name=op.f('pk_certificate_number_counters')),
    )
    bind = op.get_bind()
    highest = {}
    for cki_id, number in bind.execute(sa.text("SELECT cki_id, number FROM certificates")):
        scheme, year, serial = number.rsplit("/", 2)
        if year.isdigit() and serial.isdigit():
            key = (cki_id, scheme, int(year))
            highest[key] = max(highest.get(key, 0), int(serial))
    if highest:
        op.bulk_insert(counters, [{"cki_id": c, "scheme": s, "year": y, "last_number": n}
                                  for (c, s, y), n in highest.items()])


def downgrade():
    op.drop_table('certificate_number_counters')
