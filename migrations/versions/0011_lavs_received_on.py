"""a LAVS message keeps the day it reached the CKI (a later "Verzonden" is not trusted beyond it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lavs_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_on', sa.Date(), nullable=True))
    op.execute("UPDATE lavs_messages SET received_on = CAST(created_at AS DATE)")
    with op.batch_alter_table('lavs_messages', schema=None) as batch_op:
        batch_op.alter_column('received_on', existing_type=sa.Date(), nullable=False)


def downgrade():
    with op.batch_alter_table('lavs_messages', schema=None) as batch_op:
        batch_op.drop_column('received_on')
