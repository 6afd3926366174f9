"""one job once, enforced by the database: a job key per melding, unique among a company's open
meldingen, and a LAVS project unique among them too

Existing meldingen get their key; should two open ones already share a job (written before this
constraint), the later keeps an own key (its id added) so staff can still merge them; should two open
ones name the same LAVS project, the later one loses the project id (its messages stay kept).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 17:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('cancelled', 'merged')"


def upgrade():
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_key', sa.String(length=400), nullable=True))
    bind = op.get_bind()
    seen, lavs_seen = set(), set()
    rows = bind.execute(sa.text("SELECT id, company_id, postcode, street_key, planned_start, lavs_project_id, status "
                                "FROM meldingen ORDER BY id")).all()
    for row in rows:
        start = row.planned_start if isinstance(row.planned_start, str) else row.planned_start.isoformat()
        key = f"{row.postcode}|{row.street_key}|{start}"
        is_open = row.status not in ("cancelled", "merged")
        if is_open and (row.company_id, key) in seen:
            key = f"{key}|lavs:{row.lavs_project_id}" if row.lavs_project_id else f"{key}|melding:{row.id}"
            if (row.company_id, key) in seen:
                key = f"{key}|melding:{row.id}"
        if is_open:
            seen.add((row.company_id, key))
        bind.execute(sa.text("UPDATE meldingen SET job_key = :k WHERE id = :i"), {"k": key, "i": row.id})
        if is_open and row.lavs_project_id:
            if (row.company_id, row.lavs_project_id) in lavs_seen:  # a project twice: the later loses the id
                bind.execute(sa.text("UPDATE meldingen SET lavs_project_id = NULL WHERE id = :i"), {"i": row.id})
            lavs_seen.add((row.company_id, row.lavs_project_id))
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.alter_column('job_key', existing_type=sa.String(length=400), nullable=False)
        batch_op.create_index('uq_meldingen_open_job', ['company_id', 'job_key'], unique=True,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('uq_meldingen_open_lavs_project', ['company_id', 'lavs_project_id'], unique=True,
                              postgresql_where=sa.text(OPEN + " AND lavs_project_id IS NOT NULL"),
                              sqlite_where=sa.text(OPEN + " AND lavs_project_id IS NOT NULL"))


def downgrade():
    with op.batch_alter_table('meldingen', schema=None) as batch_op:
        batch_op.drop_index('uq_meldingen_open_lavs_project')
        batch_op.drop_index('uq_meldingen_open_job')
        batch_op.drop_column('job_key')
