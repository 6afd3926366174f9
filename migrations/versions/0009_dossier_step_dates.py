"""dossier steps carry the day they were recorded (nothing is dated before what it follows); a
decision recorded after its letter deadline is marked late; a project location its request date

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('documentation_reviewed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('assessment_completed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('advised_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decision_recorded_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decision_late', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('project_locations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_on', sa.Date(), nullable=True))
    op.execute("UPDATE project_locations SET requested_on = CAST(created_at AS DATE)")
    with op.batch_alter_table('project_locations', schema=None) as batch_op:
        batch_op.alter_column('requested_on', existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.alter_column('decision_late', server_default=None)


def downgrade():
    with op.batch_alter_table('project_locations', schema=None) as batch_op:
        batch_op.drop_column('requested_on')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('decision_late')
        batch_op.drop_column('decision_recorded_on')
        batch_op.drop_column('advised_on')
        batch_op.drop_column('assessment_completed_on')
        batch_op.drop_column('documentation_reviewed_on')
