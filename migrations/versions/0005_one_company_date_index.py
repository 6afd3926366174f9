"""one index for a company's meldingen by date and for the one-job-once match

(company_id, planned_start, postcode, street_key) serves both the company's list by planned
start and the match on company, address and start date. Two indexes with the same leading
column let the planner, on fresh statistics, read a company's whole history through the
two-column one to find one job; and every melding paid for both.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 23:55:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.drop_index('ix_meldingen_match')
        batch_op.drop_index('ix_meldingen_company_start')
        batch_op.create_index('ix_meldingen_company_start_address',
                              ['company_id', 'planned_start', 'postcode', 'street_key'], unique=False)


def downgrade():
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.drop_index('ix_meldingen_company_start_address')
        batch_op.create_index('ix_meldingen_company_start', ['company_id', 'planned_start'], unique=False)
        batch_op.create_index('ix_meldingen_match', ['company_id', 'postcode', 'planned_start', 'street_key'],
                              unique=False)
