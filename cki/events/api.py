import marshmallow as ma
from flask import abort
from marshmallow import fields

from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.db import db
from cki.core.tenancy import scoped_select
from cki.events.models import EventLogEntry
from cki.events.permissions import may_read_log_of

blp = Blueprint("events_api", __name__, tag="Logboek", url_prefix="/api/v1",
                description="Het logboek (append-only) per dossier of ander onderwerp.")


class EventQuerySchema(ma.Schema):
    subject_type = fields.Str(required=True)
    subject_id = fields.Int(required=True)


class EventSchema(ma.Schema):
    id = fields.Int()
    subject_type = fields.Str()
    subject_id = fields.Int()
    action = fields.Str()
    actor_label = fields.Str()
    actor_user_id = fields.Int(allow_none=True)
    actor_client_id = fields.Int(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    note = fields.Str(allow_none=True)
    created_at = fields.DateTime()


@blp.route("/events")
@require(staff=True, outsourced=True)
@blp.arguments(EventQuerySchema, location="query")
@blp.response(200, EventSchema(many=True))
def list_events(args):
    """Het logboek van één onderwerp, het oudste eerst

    Voor de staf; een ingehuurde beoordelaar alleen van de dossiers die aan hem zijn toegewezen."""
    if not may_read_log_of(current_principal(), args["subject_type"], args["subject_id"]):
        abort(404)
    stmt = scoped_select(EventLogEntry).where(
        EventLogEntry.subject_type == args["subject_type"],
        EventLogEntry.subject_id == args["subject_id"]).order_by(EventLogEntry.id)
    return db.session.scalars(stmt).all()
