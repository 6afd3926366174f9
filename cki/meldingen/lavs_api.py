import marshmallow as ma
from flask import request
from flask_smorest import abort
from marshmallow import fields, validate

from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.db import db
from cki.core.schemas import StrictSchema, not_blank
from cki.core.tenancy import get_or_404, scoped_select
from cki.meldingen import intake
from cki.meldingen.lavs import MAX_MESSAGE_BYTES
from cki.meldingen.models import InboundLavsMessage
from cki.meldingen.permissions import STAFF_EDITORS

blp = Blueprint("lavs_api", __name__, tag="LAVS", url_prefix="/api/v1",
                description="LAVS-berichten: upload door de staf, geparkeerde berichten, opnieuw verwerken.")


class LavsMessageSchema(ma.Schema):
    id = fields.Int()
    message_key = fields.Str()
    source = fields.Str()
    filename = fields.Str(allow_none=True)
    status = fields.Str(metadata={"description": "processed (verwerkt), parked (geparkeerd, zie reason), "
                                                 "received (ontvangen, nog niet verwerkt), "
                                                 "discarded (door de staf terzijde gelegd, zie reason)"})
    kind = fields.Str(allow_none=True)
    reason = fields.Str(allow_none=True)
    melding_id = fields.Int(allow_none=True)
    created_at = fields.DateTime()


class LavsQuerySchema(ma.Schema):
    status = fields.Str(validate=validate.OneOf(("processed", "parked", "received", "discarded")))


class LavsContentSchema(LavsMessageSchema):
    mapped = fields.Dict(allow_none=True, data_key="fields",
                         metadata={"description": "De velden van het bericht zoals de veldkoppeling ze leest"})
    unreadable = fields.Str(allow_none=True, metadata={
        "description": "Waarom het bericht niet te lezen is (als dat zo is)"})
    raw = fields.Str(metadata={"description": "Het bericht zoals het binnenkwam (tekst)"})


class DiscardSchema(StrictSchema):
    reason = fields.Str(required=True, validate=[not_blank, validate.Length(max=2000)])


@blp.route("/lavs/messages", methods=["POST"])
@require(*STAFF_EDITORS)
@blp.doc(requestBody={"content": {
    "application/xml": {"schema": {"type": "string"}},
    "message/rfc822": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}})
@blp.response(201, LavsMessageSchema(many=True))
def upload():
    """Een LAVS-bericht uploaden

    De XML zelf, de e-mail (.eml) waarin hij zit, of een bestand via een formulier. Elk bericht wordt
    bewaard; een bericht dat niet te plaatsen is, wordt geparkeerd met de reden."""
    if "file" in request.files:
        upload_file = request.files["file"]
        raw, filename = upload_file.read(MAX_MESSAGE_BYTES * 5 + 1), upload_file.filename
    else:
        raw, filename = request.get_data(cache=False), None
    if not raw:
        abort(422, errors={"json": {"file": ["Leeg bericht."]}})
    if len(raw) > MAX_MESSAGE_BYTES * 5:
        abort(413, message="Bericht te groot.")
    cki_id = current_principal().cki_id
    return [intake.ingest(cki_id, xml, source="upload", filename=name) for name, xml in intake.upload_parts(raw, filename)]


@blp.route("/lavs/messages", methods=["GET"])
@require(staff=True)
@blp.arguments(LavsQuerySchema, location="query")
@blp.response(200, LavsMessageSchema(many=True))
def list_messages(args):
    """LAVS-berichten van uw CKI, de nieuwste eerst

    `status=parked` voor de werklijst."""
    stmt = scoped_select(InboundLavsMessage).order_by(InboundLavsMessage.id.desc())
    if "status" in args:
        stmt = stmt.where(InboundLavsMessage.status == args["status"])
    return db.session.scalars(stmt.limit(500)).all()


@blp.route("/lavs/messages/<int:message_id>")
@require(staff=True)
@blp.response(200, LavsContentSchema)
def get_message(message_id):
    """Eén LAVS-bericht en wat erin staat

    De velden zoals de koppeling ze leest, en het bericht zoals ontvangen."""
    message = get_or_404(InboundLavsMessage, message_id)
    found = intake.content(message)
    return {**{name: getattr(message, name) for name in LavsMessageSchema().fields}, "mapped": found["fields"],
            "unreadable": found["unreadable"], "raw": found["raw"]}


@blp.route("/lavs/messages/<int:message_id>/discard", methods=["POST"])
@require(*STAFF_EDITORS)
@blp.arguments(DiscardSchema)
@blp.response(200, LavsMessageSchema)
def discard(data, message_id):
    """Een geparkeerd LAVS-bericht terzijde leggen

    Met een reden (er komt geen melding); het bericht blijft bewaard en de stap komt in het logboek."""
    message = intake.discard(get_or_404(InboundLavsMessage, message_id), data["reason"])
    db.session.commit()
    return message


@blp.route("/lavs/messages/<int:message_id>/retry", methods=["POST"])
@require(*STAFF_EDITORS)
@blp.response(200, LavsMessageSchema)
def retry(message_id):
    """Een geparkeerd LAVS-bericht opnieuw verwerken

    Bijvoorbeeld nadat het bedrijf is geregistreerd."""
    message = intake.retry(get_or_404(InboundLavsMessage, message_id))
    db.session.commit()
    return message
