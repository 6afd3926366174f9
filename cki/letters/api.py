import io

from flask import abort, request, send_file
from flask.views import MethodView

from cki.companies.models import Company
from cki.core.api import Blueprint
from cki.core.auth import admits, current_principal, require
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.tenancy import get_or_404
from cki.letters import operations
from cki.letters.models import Attachment, IncomingDocument, IncomingKind, Letter, LetterTemplate, Objection
from cki.letters.pdf import letter_response
from cki.letters.permissions import (
    DECIDERS,
    OFFICE,
    READERS,
    TEMPLATE_KEEPERS,
    letter_visible,
    visible_incoming,
    visible_letters,
    visible_objections,
)
from cki.letters.schemas import (
    AttachmentSchema,
    DispatchSchema,
    HearingSchema,
    IncomingQuerySchema,
    IncomingSchema,
    KindSchema,
    LetterQuerySchema,
    LetterSchema,
    ObjectionDecisionSchema,
    ObjectionInSchema,
    ObjectionSchema,
    TemplateQuerySchema,
    TemplateSchema,
)
from workflows import letters as texts

blp = Blueprint("letters_api", __name__, tag="Post, besluiten en bezwaar", url_prefix="/api/v1",
                description="Brieven en postregister: uitgaande brieven met verzenddatum en kanaal, inkomende stukken "
                            "met ontvangstdatum, bezwaar en beroep, en de briefsjablonen van de kwaliteitsmanager.")


def load_letter(letter_id: int) -> Letter:
    """A letter the principal may see, else 404 (a company: only those sent to it)."""
    letter = db.session.get(Letter, letter_id)
    if letter is None or not letter_visible(letter):
        abort(404)
    return letter


def _office_or_company(principal) -> None:
    """The company acts on its own papers; of the staff only the office keeps the post register."""
    if principal.company_id is None and not admits(principal, OFFICE):
        abort(403)


@blp.route("/letters")
@require()
@blp.arguments(LetterQuerySchema, location="query")
@blp.response(200, LetterSchema(many=True))
def list_letters(args):
    """Brieven die u mag zien, de nieuwste eerst

    Een bedrijf ziet de brieven die aan hem zijn gestuurd. `status=waiting` is de lijst van het secretariaat
    met wat nog verstuurd moet worden, de oudste eerst."""
    stmt = visible_letters()
    for key in ("company_id", "certificate_id", "dossier_id"):
        if args[key]:
            stmt = stmt.where(getattr(Letter, key) == args[key])
    if args["status"] == "waiting":
        stmt = stmt.where(Letter.status == "waiting").order_by(Letter.due_on.is_(None), Letter.due_on, Letter.id)
    else:
        if args["status"]:
            stmt = stmt.where(Letter.status == args["status"])
        stmt = stmt.order_by(Letter.id.desc())
    return db.session.scalars(stmt.limit(args["limit"])).all()


@blp.route("/letters/<int:letter_id>")
@require()
@blp.response(200, LetterSchema)
def get_letter(letter_id):
    """Eén brief

    Met de tekst, de verzending en de bezwaartermijn."""
    return load_letter(letter_id)


@blp.route("/letters/<int:letter_id>/letter.pdf")
@require()
@blp.response(200, content_type="application/pdf")
def letter_pdf(letter_id):
    """De brief als pdf

    Zoals verzonden, of voor de staf het concept van een brief die nog wacht."""
    letter = load_letter(letter_id)
    return letter_response(operations.preview_pdf(letter), letter.reference or str(letter.id))


@blp.route("/letters/<int:letter_id>/dispatch", methods=["POST"])
@require(*OFFICE)
@blp.arguments(DispatchSchema)
@blp.response(200, LetterSchema)
def dispatch(data, letter_id):
    """Een brief versturen of als gepost vastleggen

    Per e-mail: nu, met de pdf als bijlage; per post: vastgelegd met de verzenddatum. De termijnen die vanaf
    de verzending lopen, beginnen de dag erna."""
    letter = operations.dispatch(load_letter(letter_id), data)
    db.session.commit()
    return letter


@blp.route("/letters/<int:letter_id>/objections")
class LetterObjections(MethodView):
    @require()
    @blp.response(200, ObjectionSchema(many=True))
    def get(self, letter_id):
        """Bezwaren en beroepen tegen dit besluit"""
        letter = load_letter(letter_id)
        return db.session.scalars(visible_objections().where(Objection.letter_id == letter.id)
                                  .order_by(Objection.id)).all()

    @require()
    @blp.arguments(ObjectionInSchema)
    @blp.response(201, ObjectionSchema)
    def post(self, data, letter_id):
        """Een bezwaar tegen dit besluit indienen of vastleggen

        Het bedrijf dient het hier in (ontvangen vandaag), of het secretariaat legt een bezwaar vast dat per
        post of e-mail binnenkwam, met de ontvangstdatum; een beroep wordt vastgelegd met de rechtbank. Het
        bedrijf krijgt een ontvangstbevestiging."""
        principal = current_principal()
        _office_or_company(principal)
        objection = operations.file_objection(load_letter(letter_id), data,
                                              by_company=principal.company_id is not None)
        db.session.commit()
        return objection


@blp.route("/objections")
@require()
@blp.response(200, ObjectionSchema(many=True))
def list_objections():
    """Alle bezwaren en beroepen, de nieuwste eerst

    Een bedrijf ziet alleen de eigen. Voor het jaarverslag."""
    return db.session.scalars(visible_objections().order_by(Objection.id.desc()).limit(1000)).all()


@blp.route("/objections/<int:objection_id>")
@require()
@blp.response(200, ObjectionSchema)
def get_objection(objection_id):
    """Eén bezwaar of beroep"""
    return get_or_404(Objection, objection_id)


@blp.route("/objections/<int:objection_id>/hearing", methods=["POST"])
@require(*OFFICE, *DECIDERS)
@blp.arguments(HearingSchema)
@blp.response(200, ObjectionSchema)
def hearing(data, objection_id):
    """De hoorzitting vastleggen

    De hoorzitting (Awb 7:2) of de zitting van de rechtbank, met wat er gezegd is."""
    objection = operations.record_hearing(get_or_404(Objection, objection_id), data)
    db.session.commit()
    return objection


@blp.route("/objections/<int:objection_id>/decision", methods=["POST"])
@require(*DECIDERS)
@blp.arguments(ObjectionDecisionSchema)
@blp.response(200, ObjectionSchema)
def decide(data, objection_id):
    """De beslissing op bezwaar of de uitspraak op beroep vastleggen

    De beslissing op een bezwaar is een besluit: de brief wacht op het secretariaat. Bij een beroep: de
    uitspraak van de rechtbank."""
    objection = operations.decide_objection(get_or_404(Objection, objection_id), data)
    db.session.commit()
    return objection


@blp.route("/incoming-documents")
class IncomingDocuments(MethodView):
    @require()
    @blp.arguments(IncomingQuerySchema, location="query")
    @blp.response(200, IncomingSchema(many=True))
    def get(self, args):
        """Het postregister van inkomende stukken, de laatste ontvangst eerst

        Een bedrijf ziet wat het zelf stuurde."""
        stmt = visible_incoming()
        if args["company_id"]:
            stmt = stmt.where(IncomingDocument.company_id == args["company_id"])
        if args["kind"]:
            stmt = stmt.where(IncomingDocument.kind == args["kind"])
        return db.session.scalars(stmt.order_by(IncomingDocument.received_on.desc(), IncomingDocument.id.desc())
                                  .limit(args["limit"])).all()

    @require(*OFFICE)
    @blp.arguments(IncomingSchema)
    @blp.response(201, IncomingSchema)
    def post(self, data):
        """Een ander inkomend stuk registreren

        Met de ontvangstdatum. Corrigerende maatregelen, zienswijzen, bezwaren en meldingen van sancties
        worden geregistreerd waar ze worden behandeld (de bevinding, het voornemen, het besluit, de melding
        van de sanctie); zo komen ze ook in dit register."""
        company = get_or_404(Company, data["company_id"])
        letter = load_letter(data["letter_id"]) if data.get("letter_id") else None
        if letter is not None and letter.company_id != company.id:
            raise DomainError("letter_id", "Die brief ging aan een ander bedrijf.")
        document = operations.register_incoming(
            cki_id=company.cki_id, company_id=company.id, kind=IncomingKind.OTHER, received_on=data["received_on"],
            channel=data["channel"], description=data["description"], letter_id=letter.id if letter else None)
        db.session.commit()
        return document


@blp.route("/incoming-documents/<int:document_id>")
@require()
@blp.response(200, IncomingSchema)
def get_incoming(document_id):
    """Eén inkomend stuk"""
    return get_or_404(IncomingDocument, document_id)


@blp.route("/incoming-documents/<int:document_id>/attachments", methods=["POST"])
@require()
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"],
         "properties": {"file": {"type": "string", "format": "binary"}}}}}})
@blp.response(201, AttachmentSchema)
def add_attachment(document_id):
    """Een bestand bij een inkomend stuk voegen

    Bijvoorbeeld het bewijs van corrigerende maatregelen of een scan van een brief: het bedrijf bij de eigen
    antwoorden, het secretariaat bij elk stuk."""
    document = get_or_404(IncomingDocument, document_id)
    _office_or_company(current_principal())
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError("file", "Kies een bestand.", location="files")
    attachment = operations.attach_upload(document, upload)
    db.session.commit()
    return attachment


@blp.route("/incoming-documents/<int:document_id>/attachments/<int:attachment_id>")
@require()
@blp.response(200, content_type="application/octet-stream")
def get_attachment(document_id, attachment_id):
    """Eén bijlage, zoals ontvangen"""
    document = get_or_404(IncomingDocument, document_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.incoming_id != document.id:
        abort(404)
    return send_file(io.BytesIO(attachment.data), mimetype="application/octet-stream", as_attachment=True,
                     download_name=attachment.filename)  # the name encoded as RFC 6266 asks


@blp.route("/letter-kinds")
@require(*READERS)
@blp.response(200, KindSchema(many=True))
def letter_kinds():
    """Alle soorten brieven

    Per soort: of het een besluit is, de bron, en de velden die het sjabloon mag gebruiken naast de
    gemeenschappelijke (cki, bedrijf, plaats, kvk, kenmerk, datum, schema, certificaatnummer, ondertekenaar)."""
    return list(texts.kinds().values())


@blp.route("/letter-templates")
class Templates(MethodView):
    @require(*READERS)
    @blp.arguments(TemplateQuerySchema, location="query")
    @blp.response(200, TemplateSchema(many=True))
    def get(self, args):
        """Alle versies van de briefsjablonen van de CKI

        Concepten, goedgekeurde en vervangen versies; en per soort zonder eigen goedgekeurde versie het
        meegeleverde standaardsjabloon dat geldt (versie 0)."""
        return operations.template_overview(current_principal().cki_id, args["kind"])

    @require(*TEMPLATE_KEEPERS)
    @blp.arguments(TemplateSchema)
    @blp.response(201, TemplateSchema)
    def post(self, data):
        """Een nieuwe versie van een briefsjabloon, als concept

        Het sjabloon wordt gecontroleerd (het is leesbaar, gebruikt alleen de velden van de soort en werkt
        met voorbeeldgegevens) en geldt pas na goedkeuring."""
        template = operations.write_template(current_principal().cki_id, data)
        db.session.commit()
        return template


@blp.route("/letter-templates/<int:template_id>/approve", methods=["POST"])
@require(*TEMPLATE_KEEPERS)
@blp.response(200, TemplateSchema)
def approve_template(template_id):
    """Een conceptsjabloon goedkeuren

    Brieven die vanaf nu worden opgesteld, gebruiken het."""
    template = operations.approve_template(get_or_404(LetterTemplate, template_id))
    db.session.commit()
    return template
