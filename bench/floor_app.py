"""The intake benchmark's reference: cki's own request stack inserting one row.

The same app as ``wsgi:app`` (flask-smorest, the Dutch marshmallow schemas, bearer-token
authentication through cki's principal resolver, the security headers, the read log's hook), with one
extra route that validates the body with the melding's own schema and inserts it as one row. What
cki's intake costs beyond this floor is its own work: the lead-time rules, idempotency, the one-job
lock and match, the melding, its revision and the hash-chained event-log entry."""
import sqlalchemy as sa
from marshmallow import Schema, fields

from cki.core.api import Blueprint, api
from cki.core.auth import require
from cki.core.db import db
from cki.core.web import csrf
from cki.meldingen.schemas import MeldingInSchema
from wsgi import app  # noqa: F401  (served by gunicorn as bench.floor_app:app)

rows = sa.Table("bench_bare", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("body", sa.JSON, nullable=False))
blp = Blueprint("bench_floor", __name__, url_prefix="/api/v1/bench")


class Created(Schema):
    id = fields.Int()


@blp.route("/floor", methods=["POST"])
@require()
@blp.arguments(MeldingInSchema)
@blp.response(201, Created)
def floor(data):
    body = {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in data.items()}
    new_id = db.session.execute(rows.insert().values(body=body).returning(rows.c.id)).scalar_one()
    db.session.commit()
    return {"id": new_id}


api.register_blueprint(blp)
csrf.exempt(blp)
