"""credentials that can be ended: server-side login sessions, API clients that expire and rotate

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_reason', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash')),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)
    # Existing clients get a year from now, as a new one does by default.
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text("UPDATE api_clients SET expires_at = :at").bindparams(at=_a_year_from_now()))
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.alter_column('expires_at', nullable=False)


def _a_year_from_now():
    from datetime import datetime, timedelta, timezone

    value = datetime.now(timezone.utc) + timedelta(days=365)
    return value if op.get_bind().dialect.name == "postgresql" else value.replace(tzinfo=None)


def downgrade():
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.drop_column('rotated_at')
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
