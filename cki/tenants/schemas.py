import marshmallow as ma
from marshmallow import fields, validate

from cki.core.schemas import StrictSchema


class CalendarDaySchema(StrictSchema):
    date = fields.Date(required=True)
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class CkiSchema(ma.Schema):
    id = fields.Int()
    name = fields.Str()
    kvk_number = fields.Str()
    calendar_closed = fields.List(fields.Dict())
    calendar_open = fields.List(fields.Dict())


class CalendarAdjustmentsSchema(StrictSchema):
    calendar_closed = fields.List(fields.Nested(CalendarDaySchema), required=True, metadata={
        "description": "Eigen sluitingsdagen (alleen voor de planningsoverzichten; ze verschuiven nooit een "
                       "wettelijke termijn)."})
    calendar_open = fields.List(fields.Nested(CalendarDaySchema), load_default=list)
