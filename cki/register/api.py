"""The outbox for the SCA register (B/C §10): every grant with its certificate PDF and every
withdrawal, written in the decision's own transaction. The register job delivers them through the
configured transport (``cki.register.transports``); without one, the register's client polls the
pending messages, downloads the PDF and acknowledges each. Staff follow every message's delivery
and retry a parked one."""
from flask import Response, abort
from marshmallow import Schema, fields, validate

from cki.certificates.pdf import certificate_response
from cki.core.api import Blueprint
from cki.core.auth import require
from cki.core.db import db
from cki.core.schemas import StrictSchema
from cki.core.tenancy import get_or_404, scoped_select
from cki.register import operations
from cki.register.models import RegisterMessage
from cki.register.permissions import REGISTER, STAFF
from cki.users.models import Role

blp = Blueprint("register_api", __name__, tag="SCA-register", url_prefix="/api/v1",
                description="SCA-certificatenregister: verleende en ingetrokken certificaten ophalen en bevestigen.")



class RegisterQuerySchema(StrictSchema):
    pending = fields.Bool(load_default=True, metadata={"description": "Alleen nog niet bevestigde berichten."})


class PermissionSchema(StrictSchema):
    granted = fields.Bool(required=True, metadata={"description": "true: toestemming verleend; false: geweigerd"})
    on = fields.Date(required=True, metadata={"description": "De datum van het antwoord van SCA"})


class ConfirmSchema(StrictSchema):
    reference = fields.Str(required=True, validate=validate.Length(min=1, max=100), metadata={
        "description": "Het kenmerk waaronder het register de registratie vastlegde"})


class RegisterMessageSchema(Schema):
    id = fields.Int()
    kind = fields.Str(metadata={"description": "granted (verleend) of withdrawn (ingetrokken)"})
    created_at = fields.DateTime()
    acknowledged_at = fields.DateTime(allow_none=True)
    status = fields.Str(metadata={"description": "queued (te bezorgen), delivered (bezorgd), parked (geparkeerd na "
                                                 "te veel mislukte pogingen; opnieuw te versturen)"})
    attempts = fields.Int()
    next_attempt_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    transport = fields.Str(allow_none=True, metadata={"description": "email, https, of api (opgehaald)"})
    last_error = fields.Str(allow_none=True)
    register_reference = fields.Str(allow_none=True, metadata={"description": "Kenmerk van het register (bevestiging)"})
    confirmed_at = fields.DateTime(allow_none=True)
    certificate = fields.Dict(attribute="payload")
    pdf_url = fields.Method("_pdf_url")

    def _pdf_url(self, message):
        return f"/api/v1/register/messages/{message.id}/certificate.pdf" if message.certificate_id else None


@blp.route("/register/messages")
@require(*STAFF, client_kinds=REGISTER)
@blp.arguments(RegisterQuerySchema, location="query")
@blp.response(200, RegisterMessageSchema(many=True))
def list_messages(args):
    """Berichten voor het SCA-register, het oudste eerst

    Standaard alleen de berichten die nog niet zijn bevestigd."""
    stmt = scoped_select(RegisterMessage).order_by(RegisterMessage.id)
    if args["pending"]:
        stmt = stmt.where(RegisterMessage.acknowledged_at.is_(None))
    return db.session.scalars(stmt).all()


@blp.route("/register/messages/<int:register_message_id>/certificate.pdf")
@require(*STAFF, client_kinds=REGISTER)
@blp.response(200, content_type="application/pdf")
def message_pdf(register_message_id):
    """De pdf van het certificaat waar het bericht over gaat"""
    message = get_or_404(RegisterMessage, register_message_id)
    if message.certificate is None:
        abort(404)  # a message about an application has no certificate
    return certificate_response(message.certificate)


@blp.route("/register/messages/<int:register_message_id>/acknowledge", methods=["POST"])
@require(client_kinds=REGISTER)
@blp.response(200, RegisterMessageSchema)
def acknowledge(register_message_id):
    """Bevestigen dat het register het bericht verwerkte

    Het bericht staat daarna niet meer bij de openstaande berichten."""
    message = operations.acknowledge(get_or_404(RegisterMessage, register_message_id))
    db.session.commit()
    return message


@blp.route("/register/messages/<int:register_message_id>/retry", methods=["POST"])
@require(Role.OFFICE, Role.ADMIN)
@blp.response(200, RegisterMessageSchema)
def retry(register_message_id):
    """Een geparkeerd registerbericht opnieuw versturen

    De latere berichten over hetzelfde certificaat volgen het."""
    message = operations.retry(get_or_404(RegisterMessage, register_message_id))
    db.session.commit()
    return message


@blp.route("/register/messages/<int:register_message_id>/confirm", methods=["POST"])
@require(Role.OFFICE)
@blp.arguments(ConfirmSchema)
@blp.response(200, RegisterMessageSchema)
def confirm(data, register_message_id):
    """Een bezorgde registratie bevestigen

    Het secretariaat bevestigt met het kenmerk van het register."""
    message = operations.confirm(get_or_404(RegisterMessage, register_message_id), data["reference"])
    db.session.commit()
    return message


@blp.route("/register/summary.csv")
@require(Role.OFFICE, Role.ADMIN, Role.QUALITY_MANAGER)
@blp.response(200, content_type="text/csv")
def summary():
    """De actuele certificaten als CSV-bestand

    Geldige en geschorste certificaten; het secretariaat stuurt dit bestand elke maand naar het register."""
    from cki.core.auth import current_principal

    return Response(operations.current_certificates_csv(current_principal().cki_id), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="certificaten.csv"'})


@blp.route("/register/messages/<int:register_message_id>/permission", methods=["POST"])
@require(client_kinds=REGISTER)
@blp.arguments(PermissionSchema)
@blp.response(200, RegisterMessageSchema)
def permission(data, register_message_id):
    """Het antwoord van SCA op een aanvraag voor een projectlocatie

    Wordt op het dossier vastgelegd precies zoals wanneer de staf het vastlegt (de voorwaarden gelden: 422
    met de redenen)."""
    message = get_or_404(RegisterMessage, register_message_id)
    operations.record_permission(message, data)
    db.session.commit()
    return message
