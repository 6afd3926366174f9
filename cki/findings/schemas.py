import marshmallow as ma
from marshmallow import fields, validate

from cki.core import schemas as _dutch  # noqa: F401  (Dutch messages before any field is declared)
from cki.core.schemas import MAX_INT, StrictSchema

ID = validate.Range(1, MAX_INT)


class FindingQuerySchema(StrictSchema):
    certificate_id = fields.Int(load_default=None, validate=ID)
    status = fields.Str(load_default="open", validate=validate.OneOf(
        ("open", "closed", "withdrawal_proposed", "raised", "all")))


class FindingStepSchema(ma.Schema):
    step = fields.Str()
    completed_on = fields.Date()
    outcome = fields.Str(allow_none=True)
    text = fields.Str(allow_none=True)
    recorded_by = fields.Str()


class FindingDecisionSchema(StrictSchema):
    id = fields.Int(dump_only=True)
    about = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    decision = fields.Str(required=True, validate=validate.Length(min=1, max=10000))
    decided_on = fields.Date(dump_only=True)
    decided_by = fields.Str(dump_only=True)


class FindingSchema(ma.Schema):
    id = fields.Int()
    certificate_id = fields.Int()
    company_id = fields.Int()
    audit_id = fields.Int()
    clause = fields.Str()
    text = fields.Str()
    category = fields.Str()
    evidence = fields.Str()
    found_on = fields.Date()
    procedure = fields.Str(allow_none=True, metadata={"description": "category_a, non_a, of leeg (opmerking)"})
    status = fields.Str()
    raised_to_id = fields.Int(allow_none=True)
    raised_reason = fields.Str(allow_none=True)
    raised_by = fields.Str(allow_none=True)
    lock_version = fields.Int()


class FindingDetailSchema(FindingSchema):
    steps = fields.List(fields.Nested(FindingStepSchema))
    decisions = fields.List(fields.Nested(FindingDecisionSchema))
    timeline = fields.List(fields.Dict(), metadata={
        "description": "Elke stap met termijn (en uiterste grens), datum van uitvoering en status; een stap die "
                       "nog niet aan de beurt is, is geprojecteerd vanaf de geprojecteerde stap ervoor."})
    flags = fields.List(fields.Str(), metadata={"description": "Wat een beslissing van de staf vraagt."})
    next_step = fields.Dict(allow_none=True)
    outcomes = fields.Dict()
    overdue_b = fields.Bool()
    answers = fields.List(fields.Dict(), metadata={
        "description": "De antwoorden van het bedrijf in het postregister (id, ontvangstdatum, kanaal, bijlagen): "
                       "bijlagen gaan naar /incoming-documents/{id}/attachments"})
    letters = fields.List(fields.Dict(), metadata={"description": "Brieven over deze bevinding (id, kenmerk, soort, "
                                                                  "status, verzenddatum)"})


class StepInSchema(StrictSchema):
    lock_version = fields.Int(required=True, validate=ID)
    step = fields.Str(required=True, validate=validate.Length(min=1, max=10))
    completed_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "Staf: de dag van de stap (voor een antwoord van het bedrijf: de ontvangstdatum). Een bedrijf "
                       "geeft geen datum: het antwoord telt vanaf de dag van ontvangst."})
    outcome = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=30))
    text = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20000), metadata={
        "description": "Bij het antwoord van het bedrijf: de corrigerende maatregelen."})
    channel = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(("post", "email")), metadata={
        "description": "Secretariaat: hoe het stuk binnenkwam (postregister); standaard post."})


class RaiseSchema(StrictSchema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=10000))
    on = fields.Date(load_default=None, allow_none=True)
    together = fields.List(fields.Int(validate=ID), load_default=list, validate=validate.Length(max=50), metadata={
        "description": "Andere afwijkingen categorie B van hetzelfde certificaat die samen met deze als één "
                       "categorie A wegen (alleen waar het schema dat kent)."})


class NoticeInSchema(StrictSchema):
    certificate_id = fields.Int(load_default=None, allow_none=True, validate=ID)
    dossier_id = fields.Int(load_default=None, allow_none=True, validate=ID)
    authority = fields.Str(required=True, validate=validate.OneOf(("inspectorate", "other_authority")))
    kind = fields.Str(required=True, validate=validate.OneOf(("stillegging", "proces_verbaal", "heavy_fine", "other")))
    received_on = fields.Date(required=True)
    description = fields.Str(required=True, validate=validate.Length(min=1, max=20000))
    channel = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(("post", "email")), metadata={
        "description": "Secretariaat: hoe het stuk binnenkwam (postregister); standaard post."})


class NoticeSchema(ma.Schema):
    id = fields.Int()
    company_id = fields.Int()
    certificate_id = fields.Int(allow_none=True)
    dossier_id = fields.Int(allow_none=True)
    authority = fields.Str()
    kind = fields.Str()
    received_on = fields.Date()
    description = fields.Str()
    deviation = fields.Bool(allow_none=True)
    assessment = fields.Str(allow_none=True)
    determination = fields.Str(allow_none=True)
    determined_on = fields.Date(allow_none=True)
    outcome = fields.Str(allow_none=True)
    motivation = fields.Str(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    annual_report = fields.Bool(metadata={"description": "Behouden of verleend na een afwijkende sanctie: in het "
                                                         "jaarverslag."})


class NoticeQuerySchema(StrictSchema):
    annual_report = fields.Bool(load_default=False)


class DeterminationSchema(StrictSchema):
    deviation = fields.Bool(required=True)
    assessment = fields.Str(load_default=None, allow_none=True,
                            validate=validate.OneOf(("incident", "other_reason", "neither")))
    determination = fields.Str(required=True, validate=validate.Length(min=1, max=20000))


class NoticeDecisionSchema(StrictSchema):
    outcome = fields.Str(required=True, validate=validate.OneOf(("withdraw", "keep", "reject", "weigh_in_assessment")))
    motivation = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20000))
