import marshmallow as ma
from marshmallow import fields, validate

from cki.core import schemas as _dutch  # noqa: F401  (Dutch messages before any field is declared)
from cki.core.schemas import MAX_INT, StrictSchema
from workflows import letters as texts

ID = validate.Range(1, MAX_INT)
KINDS = validate.OneOf(sorted(texts.kinds()))


class LetterQuerySchema(StrictSchema):
    status = fields.Str(load_default=None, validate=validate.OneOf(("waiting", "sent")), metadata={
        "description": "waiting: wacht op verzending; sent: verzonden"})
    company_id = fields.Int(load_default=None, validate=ID)
    certificate_id = fields.Int(load_default=None, validate=ID)
    dossier_id = fields.Int(load_default=None, validate=ID)
    limit = fields.Int(load_default=200, validate=validate.Range(1, 1000))


class LetterSchema(ma.Schema):
    id = fields.Int()
    company_id = fields.Int()
    company_name = fields.Str(attribute="company.name")
    dossier_id = fields.Int(allow_none=True)
    certificate_id = fields.Int(allow_none=True)
    regarding_type = fields.Str(allow_none=True, metadata={"description": "Waarover: finding, audit, "
                                                                          "intended_decision, certificate, objection"})
    regarding_id = fields.Int(allow_none=True)
    kind = fields.Str()
    template_kind = fields.Str(allow_none=True)
    template_version = fields.Function(lambda letter: letter.template.version if letter.template else None,
                                       allow_none=True, metadata={"type": "integer",
        "description": "De goedgekeurde sjabloonversie; leeg: de meegeleverde standaardtekst"})
    reference = fields.Str(metadata={"description": "Ons kenmerk"})
    addressee = fields.Str()
    subject = fields.Str()
    body = fields.Str()
    signatory = fields.Str(allow_none=True)
    is_decision = fields.Bool(metadata={"description": "Een besluit (met bezwaarclausule), anders een tussentijdse brief"})
    written_on = fields.Date()
    due_on = fields.Date(allow_none=True, metadata={"description": "Uiterlijk te verzenden op"})
    status = fields.Str(metadata={"description": "waiting (te verzenden) of sent (verzonden)"})
    sent_on = fields.Date(allow_none=True, metadata={"description": "Verzenddatum: de datum van de brief"})
    channel = fields.Str(allow_none=True, metadata={"description": "email of post"})
    email_to = fields.Str(allow_none=True)
    sent_by = fields.Str(allow_none=True)
    objection_due = fields.Date(allow_none=True, metadata={
        "description": "Laatste dag voor bezwaar, vanaf de dag na verzending (Awb 6:7, 6:8; Atw art. 1)"})
    created_at = fields.DateTime()


class DispatchSchema(StrictSchema):
    sent_on = fields.Date(required=True, metadata={"description": "Verzenddatum (niet in de toekomst)"})
    channel = fields.Str(required=True, validate=validate.OneOf(("email", "post")))
    email_to = fields.Email(load_default=None, metadata={"description": "Bij e-mail: het adres van de geadresseerde"})


class IncomingQuerySchema(StrictSchema):
    company_id = fields.Int(load_default=None, validate=ID)
    kind = fields.Str(load_default=None, validate=validate.OneOf(
        ("corrective_measures", "zienswijze", "bezwaar", "beroep", "notice", "other")))
    limit = fields.Int(load_default=200, validate=validate.Range(1, 1000))


class AttachmentSchema(ma.Schema):
    id = fields.Int()
    filename = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    created_at = fields.DateTime(metadata={"description": "Wanneer de bijlage binnenkwam"})


class IncomingSchema(StrictSchema):
    id = fields.Int(dump_only=True)
    company_id = fields.Int(required=True, validate=ID)
    kind = fields.Str(dump_only=True)
    kind_label = fields.Str(dump_only=True)
    received_on = fields.Date(required=True, metadata={"description": "Ontvangstdatum: termijnen lopen hiervan"})
    channel = fields.Str(required=True, validate=validate.OneOf(("email", "post")))
    description = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    letter_id = fields.Int(load_default=None, validate=ID, metadata={"description": "De brief waarop het antwoordt"})
    regarding_type = fields.Str(dump_only=True)
    regarding_id = fields.Int(dump_only=True)
    recorded_by = fields.Str(dump_only=True)
    attachments = fields.List(fields.Nested(AttachmentSchema), dump_only=True)


class ObjectionInSchema(StrictSchema):
    kind = fields.Str(load_default="bezwaar", validate=validate.OneOf(("bezwaar", "beroep")))
    grounds = fields.Str(required=True, validate=validate.Length(min=1, max=20000), metadata={
        "description": "De gronden van het bezwaar of beroep"})
    received_on = fields.Date(load_default=None, metadata={
        "description": "Ontvangstdatum (secretariaat); via het portaal telt de dag van ontvangst"})
    channel = fields.Str(load_default=None, validate=validate.OneOf(("email", "post")))
    posted_on = fields.Date(load_default=None, metadata={
        "description": "Secretariaat: de postdatum van een bezwaar dat per post kwam. Op de post gedaan binnen de termijn "
                       "en binnen een week daarna ontvangen is tijdig (Awb 6:9)."})
    court = fields.Str(load_default=None, validate=validate.Length(min=1, max=200), metadata={
        "description": "Bij beroep: de rechtbank"})


class ObjectionSchema(ma.Schema):
    id = fields.Int()
    company_id = fields.Int()
    letter_id = fields.Int()
    letter_reference = fields.Str(attribute="letter.reference")
    kind = fields.Str()
    received_on = fields.Date()
    grounds = fields.Str()
    late = fields.Bool(metadata={"description": "Ontvangen na de laatste dag van de bezwaartermijn"})
    court = fields.Str(allow_none=True)
    hearing_on = fields.Date(allow_none=True)
    hearing_notes = fields.Str(allow_none=True)
    outcome = fields.Str(allow_none=True)
    outcome_label = fields.Str(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    motivation = fields.Str(allow_none=True)
    new_decision = fields.Str(allow_none=True)
    decision_letter_id = fields.Int(allow_none=True)


class HearingSchema(StrictSchema):
    hearing_on = fields.Date(required=True)
    notes = fields.Str(load_default=None, validate=validate.Length(max=20000))


class ObjectionDecisionSchema(StrictSchema):
    outcome = fields.Str(required=True, validate=validate.OneOf(
        ("well_founded", "partly", "unfounded", "inadmissible", "withdrawn")), metadata={
        "description": "gegrond, gedeeltelijk gegrond, ongegrond, niet-ontvankelijk, ingetrokken"})
    motivation = fields.Str(required=True, validate=validate.Length(min=1, max=20000))
    new_decision = fields.Str(load_default=None, validate=validate.Length(min=1, max=20000))
    decided_on = fields.Date(load_default=None)


class TemplateQuerySchema(StrictSchema):
    kind = fields.Str(load_default=None, validate=KINDS)


class TemplateSchema(StrictSchema):
    id = fields.Int(dump_only=True)
    kind = fields.Str(required=True, validate=KINDS)
    version = fields.Int(dump_only=True, metadata={"description": "0: de meegeleverde standaardtekst"})
    subject = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    body = fields.Str(required=True, validate=validate.Length(min=1, max=20000))
    note = fields.Str(load_default=None, validate=validate.Length(max=2000), metadata={
        "description": "Waarom deze versie"})
    status = fields.Str(dump_only=True, metadata={"description": "draft (concept), approved (goedgekeurd), "
                                                                 "superseded (vervangen) of shipped (meegeleverd)"})
    written_by = fields.Str(dump_only=True)
    approved_by = fields.Str(dump_only=True, allow_none=True)
    approved_on = fields.Date(dump_only=True, allow_none=True)


class KindSchema(ma.Schema):
    code = fields.Str()
    label = fields.Str()
    decision = fields.Bool()
    source = fields.Str()
    fields_ = fields.Dict(data_key="fields", attribute="fields")
