import marshmallow as ma
from marshmallow import fields, validate

from cki.core import schemas as _dutch  # noqa: F401  (Dutch messages before any field is declared)
from cki.core.schemas import StrictSchema


class DeadlineQuerySchema(StrictSchema):
    scope = fields.Str(load_default="mine", validate=validate.OneOf(("mine", "overdue", "all")), metadata={
        "description": "mine: wat u (of uw rollen) moet doen; overdue: alles wat verlopen is in de CKI (planner, "
                       "kwaliteitsmanager); all: alle open termijnen die u mag zien"})
    limit = fields.Int(load_default=200, validate=validate.Range(1, 1000))


class DeadlineSchema(ma.Schema):
    id = fields.Int()
    company_id = fields.Int(allow_none=True)
    subject_type = fields.Str()
    subject_id = fields.Int()
    kind = fields.Str()
    label = fields.Str()
    rule = fields.Str(allow_none=True, metadata={"description": "Hoe de datum is berekend, met de bron"})
    due_on = fields.Date()
    remind_on = fields.Date(allow_none=True)
    state = fields.Str()
    role = fields.Str(allow_none=True)
    user_id = fields.Int(allow_none=True)
    for_company = fields.Bool()
    url = fields.Str(metadata={"description": "De pagina waar het gedaan wordt"})
    overdue_since = fields.Date(allow_none=True)


class NotificationSchema(ma.Schema):
    id = fields.Int()
    text = fields.Str()
    url = fields.Str(allow_none=True)
    dated_on = fields.Date()
    read_at = fields.DateTime(allow_none=True)


class NotificationQuerySchema(StrictSchema):
    unread = fields.Bool(load_default=False)


class PreferenceSchema(StrictSchema):
    kind = fields.Str(required=True, validate=validate.Length(min=1, max=40))
    email = fields.Bool(required=True, metadata={"description": "Herinneringen van deze soort ook per e-mail"})


class CalendarTokenSchema(ma.Schema):
    url = fields.Str(metadata={"description": "Uw persoonlijke agenda-adres (iCalendar); eenmalig getoond"})


class MailQuerySchema(StrictSchema):
    status = fields.Str(load_default="failed", validate=validate.OneOf(("queued", "sent", "failed")))


class MailSchema(ma.Schema):
    id = fields.Int()
    to = fields.Str()
    subject = fields.Str()
    status = fields.Str()
    attempts = fields.Int()
    next_attempt_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    last_error = fields.Str(allow_none=True)
