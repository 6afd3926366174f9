"""the work lists read partial indexes: a planner's planned beoordelingen behind a melding (the
meldingen that changed under them), an assessor's unfinished reports; neither grows with the history;
the postcode index of meldingen also orders by start (the search shows the latest of a postcode's
ten years)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 18:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

PLANNED = sa.text("status = 'planned' AND melding_id IS NOT NULL")
UNFINISHED = sa.text("status IN ('draft', 'returned')")


def upgrade():
    with op.batch_alter_table('audit_reports', schema=None) as batch_op:
        batch_op.create_index('ix_audit_reports_unfinished', ['audit_id'], unique=False, postgresql_where=UNFINISHED,
                              sqlite_where=UNFINISHED)
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.create_index('ix_audits_planned_with_melding', ['cki_id', 'planned_on'], unique=False,
                              postgresql_where=PLANNED, sqlite_where=PLANNED)
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.drop_index('ix_meldingen_cki_postcode')
        batch_op.create_index('ix_meldingen_cki_postcode', ['cki_id', 'postcode', 'planned_start'], unique=False)


def downgrade():
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.drop_index('ix_meldingen_cki_postcode')
        batch_op.create_index('ix_meldingen_cki_postcode', ['cki_id', 'postcode'], unique=False)
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.drop_index('ix_audits_planned_with_melding')
    with op.batch_alter_table('audit_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_reports_unfinished')
