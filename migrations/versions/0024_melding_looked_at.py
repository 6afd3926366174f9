"""a melding records the first time a planner or team leader looked at it (who and when): one that
starts soon and that no one looked at is a deadline on the planners' work list

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.add_column(sa.Column('looked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('looked_at_by', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.drop_column('looked_at_by')
        batch_op.drop_column('looked_at')
