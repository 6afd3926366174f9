"""indexes for the staff pages at national scale: calendar, late/calamity filters, parked LAVS

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 13:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.create_index('ix_meldingen_cki_end', ['cki_id', 'planned_end'], unique=False)
        batch_op.create_index('ix_meldingen_cki_timeliness_start', ['cki_id', 'timeliness', 'planned_start'],
                              unique=False)
    with op.batch_alter_table('lavs_messages', schema=None) as batch_op:
        batch_op.create_index('ix_lavs_messages_cki_status', ['cki_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('lavs_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_lavs_messages_cki_status')
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.drop_index('ix_meldingen_cki_timeliness_start')
        batch_op.drop_index('ix_meldingen_cki_end')
