import marshmallow as ma
from marshmallow import fields, validate

from cki.core import schemas as _dutch  # noqa: F401  (Dutch messages before any field is declared)
from cki.core.schemas import MAX_INT, StrictSchema
from workflows.surveillance import AuditKind

ID = validate.Range(1, MAX_INT)


class AuditQuerySchema(StrictSchema):
    certificate_id = fields.Int(load_default=None, validate=ID)
    start = fields.Date(load_default=None, data_key="from", metadata={"description": "Gepland op of na deze datum."})
    end = fields.Date(load_default=None, data_key="to", metadata={"description": "Gepland op of voor deze datum."})
    status = fields.Str(load_default=None, validate=validate.OneOf(("planned", "done", "cancelled")))
    limit = fields.Int(load_default=500, validate=validate.Range(1, 1000))


class AuditSchema(StrictSchema):
    id = fields.Int()
    certificate_id = fields.Int()
    company_id = fields.Int()
    branch_id = fields.Int()
    kind = fields.Str(metadata={"description": "branch (vestiging), regular (regulier) en "
                                               "result_oriented (resultaatgericht) bij SC-540, "
                                               "total (totaal) bij SC-530"})
    period_index = fields.Int(metadata={"description": "Toezichtperiode, geteld vanaf de verlening (1, 2, 3)."})
    planned_on = fields.Date()
    unannounced = fields.Bool(metadata={"description": "Onaangekondigd: geheim voor het bedrijf tot het heeft "
                                                       "plaatsgevonden."})
    melding_id = fields.Int(allow_none=True)
    overview_entry_id = fields.Int(allow_none=True)
    location = fields.Str(allow_none=True)
    close_locations = fields.Bool()
    status = fields.Str()
    status_label = fields.Str()
    done_on = fields.Date(allow_none=True)
    cancel_reason = fields.Str(allow_none=True)
    auditor_ids = fields.List(fields.Int())
    lock_version = fields.Int()


class StaffAuditSchema(AuditSchema):
    melding_alert = fields.Str(allow_none=True, metadata={
        "description": "Waarom de melding niet meer bij de beoordeling past (ingetrokken of verplaatst)."})


class AuditPlanSchema(StrictSchema):
    certificate_id = fields.Int(required=True, validate=ID)
    kind = fields.Str(required=True, validate=validate.OneOf([k.value for k in AuditKind]))
    branch_id = fields.Int(required=True, validate=ID)
    planned_on = fields.Date(required=True)
    auditor_ids = fields.List(fields.Int(validate=ID), required=True, validate=validate.Length(min=1, max=5))
    melding_id = fields.Int(load_default=None, allow_none=True, validate=ID)
    overview_entry_id = fields.Int(load_default=None, allow_none=True, validate=ID, metadata={
        "description": "SC-540 resultaatgericht: het project uit de steekproef van het projectoverzicht."})
    location = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=300))
    close_locations = fields.Bool(load_default=False, metadata={
        "description": "SC-540: de locaties van die dag liggen dicht bij elkaar (dan mogen er 3 per dag)."})


class AuditDoneSchema(StrictSchema):
    lock_version = fields.Int(required=True, validate=ID)
    done_on = fields.Date(required=True)


class AuditCancelSchema(StrictSchema):
    lock_version = fields.Int(required=True, validate=ID)
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


class FiguresSchema(StrictSchema):
    period_index = fields.Int(required=True, validate=validate.Range(0, 100), metadata={
        "description": "De periode waarover de cijfers gaan; 0 = de periode vóór de verlening."})
    branch_id = fields.Int(required=True, validate=ID)
    figures = fields.Dict(keys=fields.Str(validate=validate.Length(max=40)),
                          values=fields.Float(allow_nan=False, validate=validate.Range(0, 1_000_000)),
                          required=True, validate=validate.Length(min=1, max=5), metadata={
                              "description": "SC-540: avg_dia en avg_reports; SC-530: project_days."})
    works = fields.Int(load_default=None, allow_none=True, validate=validate.Range(0, 100_000), metadata={
        "description": "SC-530: het aantal gemelde en uitgevoerde werken."})


class FiguresResultSchema(ma.Schema):
    period_index = fields.Int()
    branch_id = fields.Int()
    figures = fields.Dict()
    works = fields.Int(allow_none=True)
    declared_on = fields.Date()
    warnings = fields.List(fields.Str())


class CatchUpSchema(StrictSchema):
    period_index = fields.Int(required=True, validate=validate.Range(1, 100))
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


class CatchUpResultSchema(ma.Schema):
    period_index = fields.Int()
    shortfall = fields.List(fields.Dict())
    reason = fields.Str()
    recorded_on = fields.Date()


class ProposalSchema(ma.Schema):
    id = fields.Int()
    certificate_id = fields.Int()
    company_id = fields.Int()
    period_index = fields.Int()
    ground = fields.Str()
    reason = fields.Str()
    source = fields.Str()
    proposed_on = fields.Date()
    status = fields.Str()
    decided_on = fields.Date(allow_none=True)
    decision_reason = fields.Str(allow_none=True)


class ProposalQuerySchema(StrictSchema):
    status = fields.Str(load_default="open", validate=validate.OneOf(("open", "confirmed", "rejected", "all")))


class ProposalDecisionSchema(StrictSchema):
    confirm = fields.Bool(required=True)
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=4000))


class ProgrammeSchema(ma.Schema):
    certificate_id = fields.Int()
    periods = fields.List(fields.Dict(), metadata={
        "description": "Per periode: programma per vestiging en soort, gepland, uitgevoerd, achterstand."})


class ChecklistLineSchema(StrictSchema):
    key = fields.Str(dump_only=True)
    clause = fields.Str(required=True, validate=validate.Length(min=1, max=60))
    text = fields.Str(required=True, validate=validate.Length(min=1, max=500))


class ChecklistSchema(StrictSchema):
    id = fields.Int(dump_only=True)
    scheme = fields.Str(required=True, validate=validate.OneOf(("SC-540", "SC-530")))
    kind = fields.Str(required=True, validate=validate.OneOf([k.value for k in AuditKind]))
    version = fields.Int(dump_only=True)
    items = fields.List(fields.Nested(ChecklistLineSchema), required=True, validate=validate.Length(min=1, max=200))
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    created_at = fields.DateTime(dump_only=True)


class ChecklistQuerySchema(StrictSchema):
    scheme = fields.Str(required=True, validate=validate.OneOf(("SC-540", "SC-530")))
    kind = fields.Str(required=True, validate=validate.OneOf([k.value for k in AuditKind]))


class AnswerSchema(StrictSchema):
    outcome = fields.Str(load_default=None, allow_none=True, metadata={
        "description": "conform, finding (afwijking of opmerking) of not_applicable (niet van toepassing)"})
    category = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=20), metadata={
        "description": "Bij een finding: de categorie uit het schema (A, B, remark)."})
    evidence = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=10000))


class ReportSaveSchema(StrictSchema):
    lock_version = fields.Int(required=True, validate=validate.Range(0, MAX_INT), metadata={
        "description": "0 voor een nieuw rapport, daarna de laatst gelezen versie."})
    answers = fields.Dict(keys=fields.Str(validate=validate.Length(max=60)), values=fields.Nested(AnswerSchema),
                          load_default=dict, validate=validate.Length(max=200))
    summary = fields.Str(allow_none=True, validate=validate.Length(max=20000))


class ReportSubmitSchema(StrictSchema):
    lock_version = fields.Int(required=True, validate=ID)
    done_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "Datum van uitvoering, als de beoordeling nog niet als uitgevoerd is vastgelegd."})


class ReportReviewSchema(StrictSchema):
    lock_version = fields.Int(required=True, validate=ID)
    approve = fields.Bool(required=True)
    comment = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=10000))


class PhotoSchema(ma.Schema):
    id = fields.Int()
    item_key = fields.Str()
    filename = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    created_at = fields.DateTime()


class ReportSchema(ma.Schema):
    id = fields.Int()
    audit_id = fields.Int()
    status = fields.Str()
    checklist = fields.Nested(ChecklistSchema)
    answers = fields.Dict()
    summary = fields.Str(allow_none=True)
    review_comment = fields.Str(allow_none=True)
    submitted_on = fields.Date(allow_none=True)
    final_on = fields.Date(allow_none=True)
    lock_version = fields.Int()
    photos = fields.List(fields.Nested(PhotoSchema))


class CoverageSchema(ma.Schema):
    certificate_id = fields.Int()
    periods = fields.Int()
    rows = fields.List(fields.Dict())
    uncovered = fields.List(fields.Str())


class BoardQuerySchema(StrictSchema):
    day = fields.Date(load_default=None, data_key="date", metadata={
        "description": "Een dag in de gevraagde week (standaard vandaag)."})
    limit = fields.Int(load_default=200, validate=validate.Range(1, 5000), metadata={
        "description": "Hoeveel certificaten, de dringendste eerst."})


class BoardSchema(ma.Schema):
    week = fields.Int(metadata={"description": "ISO-weeknummer"})
    week_start = fields.Date()
    week_end = fields.Date()
    certificates = fields.List(fields.Dict(), metadata={
        "description": "Certificaten met beoordelingen die nog gepland moeten worden of achterstand."})
    certificates_total = fields.Int(metadata={"description": "Hoeveel certificaten er in totaal op de lijst staan."})
    meldingen = fields.List(fields.Dict(), metadata={
        "description": "Meldingen die deze week beginnen en nog door geen beoordeling worden bezocht."})
    auditors = fields.List(fields.Dict(), metadata={"description": "Beoordelingen per beoordelaar per dag."})
    changed = fields.List(fields.Dict(), metadata={
        "description": "Geplande beoordelingen waarvan de melding is ingetrokken of verplaatst."})
