"""a letter is a besluit (with how to object) or an interim letter

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_decision', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Decisions written before: the grant or refusal, the rejection, the abort
    op.execute("UPDATE letters SET is_decision = true WHERE kind IN ('result_granted', 'result_refused', "
               "'result_rejected', 'aborted')")
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.alter_column('is_decision', server_default=None)


def downgrade():
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_column('is_decision')
