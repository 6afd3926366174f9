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
    kind = fields.Str(metadata={"description": "branch (vestiging), regular, result_oriented (SC-540), total (SC-530)"})
    period_index = fields.Int(metadata={"description": "Toezichtperiode, geteld vanaf de verlening (1, 2, 3)."})
    planned_on = fields.Date()
    unannounced = fields.Bool(metadata={"description": "Onaangekondigd: geheim voor het bedrijf tot het heeft "
                                                       "plaatsgevonden."})
    melding_id = fields.Int(allow_none=True)
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
