"""the open deadlines have an index of their own (partial, on the CKI and the due date): the work
lists and the CKI-wide overdue list read only them, never the done history; a deadline keeps the
step of its subject it is about (a new step starts a round; a renamed holder does not); a register
message keeps the certificate PDF it was written with; meldingen an index on their postcode, for the
search box. Data: the sweep now carries out expiry and the lapse, so a certificate's expiry is no
longer only reminded of (reopened where its certificate is still live), and a running dossier's
window that an earlier sweep only flagged is acted on again

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 17:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'open'")


def upgrade():
    with op.batch_alter_table('register_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.String(length=40), nullable=True))
    day_after = "date(due_on, '+1 day')" if op.get_bind().dialect.name == "sqlite" else "due_on + 1"
    live = "SELECT id FROM certificates WHERE status IN ('valid', 'suspended')"
    op.execute(f"""UPDATE deadlines SET passive = false, state = 'open', done_on = NULL,
                   next_action_on = CASE WHEN EXISTS (SELECT 1 FROM deadline_actions a WHERE a.deadline_id = deadlines.id
                                                      AND a.action = 'overdue' AND a.for_due_on = deadlines.due_on)
                                         THEN NULL ELSE COALESCE(remind_on, {day_after}) END
                   WHERE kind = 'certificate_expiry' AND subject_id IN ({live})""")
    running = "SELECT id FROM dossiers WHERE state IN ('assessment', 'decision')"
    window = f"kind = 'window_end' AND state = 'open' AND subject_id IN ({running})"
    op.execute(f"""DELETE FROM deadline_actions WHERE action = 'overdue'
                   AND deadline_id IN (SELECT id FROM deadlines WHERE {window})""")
    op.execute(f"UPDATE deadlines SET next_action_on = {day_after}, overdue_since = NULL "
               f"WHERE {window} AND next_action_on IS NULL")
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_open_due')
        batch_op.create_index('ix_deadlines_open', ['cki_id', 'due_on'], unique=False, postgresql_where=OPEN,
                              sqlite_where=OPEN)
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.create_index('ix_meldingen_cki_postcode', ['cki_id', 'postcode'], unique=False)


def downgrade():
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_column('step')
    with op.batch_alter_table('register_messages', schema=None) as batch_op:
        batch_op.drop_column('pdf')
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.drop_index('ix_meldingen_cki_postcode')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_open')
        batch_op.create_index('ix_deadlines_open_due', ['cki_id', 'state', 'due_on'], unique=False)
