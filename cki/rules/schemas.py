import marshmallow as ma
from marshmallow import fields, validate

from cki.core.schemas import StrictSchema
from workflows.schemes import SCHEMES

MAX_DAYS = 5000


class SkippedDaySchema(ma.Schema):
    date = fields.Str(metadata={"example": "2026-05-05"})
    reason = fields.Str(metadata={"example": "Bevrijdingsdag (Atw art. 3)"})


class ExplainedDateSchema(ma.Schema):
    """A computed date with the rule that set it and every non-working day it skipped."""

    date = fields.Str()
    rule = fields.Str()
    scheme = fields.Str(allow_none=True)
    section = fields.Str(allow_none=True)
    working_days = fields.Int(allow_none=True)
    skipped = fields.List(fields.Nested(SkippedDaySchema))
    warnings = fields.List(fields.Str())


# -- calendar ---------------------------------------------------------------------------

class WorkingDaysQuery(ma.Schema):
    from_ = fields.Date(required=True, data_key="from")
    days = fields.Int(required=True, validate=validate.Range(-MAX_DAYS, MAX_DAYS, error=(
        f"Tussen -{MAX_DAYS} en {MAX_DAYS} werkdagen.")))


class WorkingDaysResult(ma.Schema):
    from_ = fields.Str(data_key="from")
    days = fields.Int()
    date = fields.Str()
    rule = fields.Str()
    skipped = fields.List(fields.Nested(SkippedDaySchema))
    warnings = fields.List(fields.Str())
    calendar_note = fields.Str()


class DateQuery(ma.Schema):
    date = fields.Date(required=True)


class IsWorkingDayResult(ma.Schema):
    date = fields.Str()
    working_day = fields.Bool()
    reason = fields.Str(allow_none=True)
    atw_only = fields.Bool(metadata={"description": "Een feestdag die alleen de Atw niet als werkdag telt "
                                                    "(doorgaans wordt er gewerkt: Goede Vrijdag, 5 mei, "
                                                    "aangewezen dagen)"})
    calendar_note = fields.Str()


# -- schemes ----------------------------------------------------------------------------

class TimelineQuery(ma.Schema):
    finding_date = fields.Date(required=True)


class TimelineStepSchema(ma.Schema):
    step = fields.Str()
    actor = fields.Str(metadata={"description": "cki (de CKI) of company (het bedrijf)"})
    working_days = fields.Int(allow_none=True)
    cumulative = fields.Int(allow_none=True)
    due = fields.Str(allow_none=True)
    description = fields.Str()
    source = fields.Str()
    skipped = fields.List(fields.Nested(SkippedDaySchema))
    limit_working_days = fields.Int(metadata={"description": "SC-530 T3: de eigen uiterste grens van de stap (14)"})
    limit_due = fields.Str()
    note = fields.Str()


class TimelineSchema(ma.Schema):
    scheme = fields.Str()
    version = fields.Str()
    procedure = fields.Str()
    finding_date = fields.Str()
    steps = fields.List(fields.Nested(TimelineStepSchema))
    total_working_days = fields.Int()
    end = fields.Str()
    total_working_days_by_limits = fields.Int()
    end_by_limits = fields.Str()
    notes = fields.List(fields.Str())
    warnings = fields.List(fields.Str())


class MeldingQuery(ma.Schema):
    start = fields.Date(required=True, metadata={"description": "Geplande start van het werk"})
    channel = fields.Str(required=True, validate=validate.OneOf(("email", "fax", "portal", "api")))


class MeldingDeadlineSchema(ma.Schema):
    scheme = fields.Str()
    start = fields.Str()
    channel = fields.Str()
    latest_submission_date = fields.Str()
    lead_working_days = fields.Int()
    rule = fields.Str()
    section = fields.Str()
    skipped = fields.List(fields.Nested(SkippedDaySchema))
    warnings = fields.List(fields.Str())


class LocationAuditQuery(ma.Schema):
    avg_dia = fields.Float(validate=validate.Range(min=0), metadata={"description": "SC-540: gemiddeld aantal DIA"})
    avg_reports = fields.Float(validate=validate.Range(min=0), metadata={
        "description": "SC-540: gemiddeld aantal (deel)rapporten per jaar"})
    project_days = fields.Float(validate=validate.Range(min=0), metadata={
        "description": "SC-530: projectdagen van het vorige jaar"})
    works = fields.Int(validate=validate.Range(min=0), metadata={
        "description": "SC-530: aantal gemelde en uitgevoerde werken (waarschuwt onder 7)"})
    first_period = fields.Bool(load_default=False, metadata={
        "description": "SC-530: de eerste periode na de verlening (gebruikt de projectdagen van vóór de verlening)"})


class CriterionSchema(ma.Schema):
    name = fields.Str()
    label = fields.Str()
    value = fields.Float()
    band = fields.Str()
    total = fields.Int()


class LocationAuditSchema(ma.Schema):
    scheme = fields.Str()
    version = fields.Str()
    source = fields.Str()
    total = fields.Int()
    regular = fields.Int(metadata={"description": "SC-540: onaangekondigd"})
    result_oriented = fields.Int(metadata={"description": "SC-540: met het bedrijf gepland"})
    decided_by = fields.List(fields.Str())
    criteria = fields.List(fields.Nested(CriterionSchema))
    readings = fields.List(fields.Str())
    warnings = fields.List(fields.Str())


class LogbookEntrySchema(StrictSchema):
    project = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    worker = fields.Str(required=True, validate=validate.Length(min=1, max=100), metadata={
        "description": "Pseudoniem kenmerk (het personeelsnummer bij het bedrijf), nooit een naam of BSN"})
    date = fields.Date(required=True)
    start = fields.Time(required=True, format="%H:%M")
    end = fields.Time(required=True, format="%H:%M")
    activity = fields.Str(required=True)
    ppe = fields.Bool(required=True)

    @ma.validates_schema
    def _order(self, data, **_):
        if "start" in data and "end" in data and data["end"] <= data["start"]:
            raise ma.ValidationError("Het einde ligt niet na het begin; splits werk over middernacht per datum.",
                                     "end")


class ProjectDaysBody(StrictSchema):
    entries = fields.List(fields.Nested(LogbookEntrySchema), required=True,
                          validate=validate.Length(max=100_000))


class ProjectDayRowSchema(ma.Schema):
    project = fields.Str()
    date = fields.Str()
    hours = fields.Float()
    project_days = fields.Float()


class ProjectDaysSchema(ma.Schema):
    scheme = fields.Str()
    source = fields.Str()
    total = fields.Float()
    works = fields.Int()
    days = fields.List(fields.Nested(ProjectDayRowSchema))
    readings = fields.List(fields.Str())


def scheme_error(code: str):
    """422 body for an unknown scheme in the path."""
    return {"path": {"scheme": [f"Onbekend schema {code!r}; bekend: {', '.join(SCHEMES)}."]}}
