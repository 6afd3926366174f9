"""Marshmallow building blocks shared by the domain schemas.

Importing this module also makes marshmallow speak Dutch for the whole app: the built-in
error messages of the fields, validators and schemas (which company staff uploading a CSV
and API clients read) and the Dutch yes/no values ("ja"/"nee") of ``fields.Bool``.
Every domain schema module imports this module before it declares a field; fields and
validators made earlier (e.g. by a library) are translated by :func:`translate_declared`.

It also sets what every input field accepts, app-wide (:func:`_install_input_policy`): text
without NUL bytes or lone surrogates (PostgreSQL and UTF-8 cannot hold them), whole numbers
that fit the database's INTEGER, and dates in the years the werkdagen calendar covers. Bad
input is a 422 naming the field, never a server error.
"""
from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from workflows.calendar import legal_calendar

#: The largest whole number the app takes: the database's INTEGER (ids, counts, versions).
MAX_INT = 2**31 - 1

# -- Dutch messages -----------------------------------------------------------------------

#: Field class -> its Dutch ``default_error_messages`` (the keys marshmallow 4 uses).
FIELD_MESSAGES: dict[type, dict[str, str]] = {
    fields.Field: {
        "required": "Dit veld is verplicht.",
        "null": "Dit veld mag niet leeg zijn.",
        "validator_failed": "Ongeldige waarde.",
    },
    fields.Nested: {"type": "Ongeldig type; verwacht een object."},
    fields.List: {"invalid": "Geen geldige lijst."},
    fields.Tuple: {"invalid": "Geen geldige reeks."},
    fields.String: {
        "invalid": "Geen geldige tekst.",
        "invalid_utf8": "Geen geldige UTF-8-tekst.",
        "control": "De tekst bevat een teken dat niet is toegestaan (een NUL-teken of een los surrogaat).",
    },
    fields.UUID: {"invalid_uuid": "Geen geldige UUID."},
    fields.Number: {
        "invalid": "Geen geldig getal.",
        "too_large": "Het getal is te groot.",
    },
    fields.Integer: {"invalid": "Geen geldig geheel getal.",
                     "out_of_range": f"Het getal ligt buiten het bereik -{MAX_INT + 1} tot en met {MAX_INT}."},
    fields.Float: {"special": "Speciale getalwaarden (nan of oneindig) zijn niet toegestaan."},
    fields.Decimal: {"special": "Speciale getalwaarden (nan of oneindig) zijn niet toegestaan."},
    fields.Boolean: {"invalid": "Geen geldige ja/nee-waarde; gebruik ja of nee."},
    fields.DateTime: {
        "invalid": "Geen geldige datum en tijd.",
        "invalid_awareness": "Geen geldige datum en tijd (tijdzone).",
        "format": '"{input}" kan niet als datum en tijd worden weergegeven.',
    },
    fields.NaiveDateTime: {"invalid_awareness": "Geen geldige datum en tijd: zonder tijdzone opgeven."},
    fields.AwareDateTime: {"invalid_awareness": "Geen geldige datum en tijd: met tijdzone opgeven."},
    fields.Time: {
        "invalid": "Geen geldige tijd.",
        "invalid_awareness": "Geen geldige tijd (tijdzone).",
        "format": '"{input}" kan niet als tijd worden weergegeven.',
    },
    fields.Date: {
        "invalid": "Geen geldige datum.",
        "invalid_awareness": "Geen geldige datum.",
        "format": '"{input}" kan niet als datum worden weergegeven.',
        "out_of_range": "Deze datum valt buiten de werkdagenkalender: kies een datum in de jaren {first} tot en met "
                        "{last}.",
    },
    fields.TimeDelta: {
        "invalid": "Geen geldige tijdsduur.",
        "format": "{input!r} kan niet als tijdsduur worden weergegeven.",
    },
    fields.Mapping: {"invalid": "Geen geldig object (sleutels en waarden)."},
    fields.Url: {"invalid": "Geen geldige URL."},
    fields.Email: {"invalid": "Geen geldig e-mailadres."},
    fields.IP: {"invalid_ip": "Geen geldig IP-adres."},
    fields.IPv4: {"invalid_ip": "Geen geldig IPv4-adres."},
    fields.IPv6: {"invalid_ip": "Geen geldig IPv6-adres."},
    fields.IPInterface: {"invalid_ip_interface": "Geen geldige IP-interface."},
    fields.IPv4Interface: {"invalid_ip_interface": "Geen geldige IPv4-interface."},
    fields.IPv6Interface: {"invalid_ip_interface": "Geen geldige IPv6-interface."},
    fields.Enum: {"unknown": "Moet een van de volgende zijn: {choices}."},
}

#: Schema-level messages (``Schema._default_error_messages``).
SCHEMA_MESSAGES = {
    "type": "Ongeldig invoertype; verwacht een object.",
    "unknown": "Onbekend veld.",
}

#: Validator class -> Dutch class attributes (marshmallow.validate).
VALIDATOR_MESSAGES: dict[type, dict[str, str]] = {
    validate.URL: {"default_message": "Geen geldige URL."},
    validate.Email: {"default_message": "Geen geldig e-mailadres."},
    validate.Range: {
        "message_min": "Moet {min_op} {{min}} zijn.",
        "message_max": "Moet {max_op} {{max}} zijn.",
        "message_all": "Moet {min_op} {{min}} en {max_op} {{max}} zijn.",
        "message_gte": "groter dan of gelijk aan",
        "message_gt": "groter dan",
        "message_lte": "kleiner dan of gelijk aan",
        "message_lt": "kleiner dan",
    },
    validate.Length: {
        "message_min": "Te kort: de lengte moet minstens {min} zijn.",
        "message_max": "Te lang: de lengte mag hoogstens {max} zijn.",
        "message_all": "De lengte moet tussen {min} en {max} liggen.",
        "message_equal": "De lengte moet precies {equal} zijn.",
    },
    validate.Equal: {"default_message": "Moet gelijk zijn aan {other}."},
    validate.Regexp: {"default_message": "Heeft niet de verwachte vorm."},
    validate.Predicate: {"default_message": "Ongeldige invoer."},
    validate.NoneOf: {"default_message": "Ongeldige invoer."},
    validate.OneOf: {"default_message": "Moet een van de volgende zijn: {choices}."},
    validate.ContainsOnly: {"default_message": "Een of meer keuzes komen niet voor in: {choices}."},
    validate.ContainsNoneOf: {"default_message": "Een of meer keuzes komen voor in: {values}."},
}

#: Dutch yes/no values accepted by every ``fields.Bool`` (CSV uploads, forms, API).
DUTCH_TRUE = {"ja", "Ja", "JA", "j", "J"}
DUTCH_FALSE = {"nee", "Nee", "NEE", "n", "N"}


def _english_messages() -> dict[str, str]:
    """Every English message marshmallow ships, mapped to its Dutch text (for made objects)."""
    table = {}
    for cls, messages in FIELD_MESSAGES.items():
        for key, dutch in messages.items():
            english = cls.__dict__.get("default_error_messages", {}).get(key)
            if english:
                table[english] = dutch
    for key, dutch in SCHEMA_MESSAGES.items():
        table[ma.Schema._default_error_messages[key]] = dutch
    return table


_ENGLISH: dict[str, str] = {}             # English field/schema message -> Dutch
_ENGLISH_VALIDATORS: dict[str, str] = {}  # English validator default message -> Dutch


def _install() -> None:
    english = _english_messages()
    # The generic "Not a valid {obj_type}." of the date/time base class, for a field made earlier.
    english.update({
        "Not a valid datetime.": FIELD_MESSAGES[fields.DateTime]["invalid"],
        "Not a valid time.": FIELD_MESSAGES[fields.Time]["invalid"],
        "Not a valid date.": FIELD_MESSAGES[fields.Date]["invalid"],
    })
    for cls, messages in FIELD_MESSAGES.items():
        # A new dict per class: the English one of the parent class stays untouched.
        cls.default_error_messages = {**cls.__dict__.get("default_error_messages", {}), **messages}
    ma.Schema._default_error_messages = {**ma.Schema._default_error_messages, **SCHEMA_MESSAGES}
    english_validators = {}
    for cls, attributes in VALIDATOR_MESSAGES.items():
        for name, dutch in attributes.items():
            old = cls.__dict__.get(name)
            if old and name == "default_message":
                english_validators[old] = dutch
            setattr(cls, name, dutch)
    fields.Boolean.truthy = fields.Boolean.truthy | DUTCH_TRUE
    fields.Boolean.falsy = fields.Boolean.falsy | DUTCH_FALSE
    _ENGLISH.update(english)
    _ENGLISH_VALIDATORS.update(english_validators)


_install()


def calendar_years() -> tuple[int, int]:
    """The first and last year the app counts with: those of the werkdagen calendar."""
    cal = legal_calendar()
    return cal.first_year, cal.last_year


def has_forbidden_characters(text: str) -> bool:
    """A NUL byte or a lone surrogate (from JSON's ``\\ud800``): neither can be stored."""
    if not isinstance(text, str):
        return False
    if "\x00" in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # only a lone surrogate cannot be encoded
        return True
    return False


def _install_input_policy() -> None:
    """Every input field of every schema, app-wide: see the module docstring."""
    string_deserialize = fields.String._deserialize
    integer_validated = fields.Integer._validated
    date_deserialize = fields.Date._deserialize

    def text(self, value, attr, data, **kwargs):
        result = string_deserialize(self, value, attr, data, **kwargs)
        if has_forbidden_characters(result):
            raise self.make_error("control")
        return result

    def whole_number(self, value):
        result = integer_validated(self, value)
        if result is not None and not -MAX_INT - 1 <= result <= MAX_INT:
            raise self.make_error("out_of_range")
        return result

    def day(self, value, attr, data, **kwargs):
        result = date_deserialize(self, value, attr, data, **kwargs)
        first, last = calendar_years()
        if isinstance(result, date) and not first <= result.year <= last:
            raise self.make_error("out_of_range", first=first, last=last)
        return result

    fields.String._deserialize = text
    fields.Integer._validated = whole_number
    fields.Date._deserialize = day


_install_input_policy()


def not_in_future(value: date):
    """A date on which something happened (an application, a fax, a logbook row): not after today."""
    from cki.core.clock import today

    if value > today():
        raise ma.ValidationError(f"Deze datum ligt na vandaag ({today():%d-%m-%Y}).")


def scheme_in_force(code: str, on: date, field: str):
    """A 422 naming the years the scheme covers when no version of ``code`` is in force on ``on``."""
    from workflows.schemes import default_registry

    versions = default_registry().versions(code)
    if not any(version.in_force_on(on) for version in versions):
        since = min(version.valid_from for version in versions)
        raise ma.ValidationError(f"Op {on:%d-%m-%Y} is geen versie van {code} van kracht (de eerste geldt vanaf "
                                 f"{since:%d-%m-%Y}).", field)


def _schema_classes(cls=ma.Schema):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schema_classes(sub)


def _translate_field(field) -> None:
    field.error_messages = {key: _ENGLISH.get(msg, msg) if isinstance(msg, str) else msg
                            for key, msg in field.error_messages.items()}
    for validator in getattr(field, "validators", ()):
        if isinstance(validator, validate.Range):  # its messages are formatted when it is made
            for name in ("message_min", "message_max", "message_all"):
                setattr(validator, name, getattr(type(validator), name).format(
                    min_op=validator.message_gte if validator.min_inclusive else validator.message_gt,
                    max_op=validator.message_lte if validator.max_inclusive else validator.message_lt))
        elif isinstance(getattr(validator, "error", None), str):
            validator.error = _ENGLISH_VALIDATORS.get(validator.error, validator.error)
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None),
                  getattr(field, "value_field", None), *getattr(field, "tuple_fields", ())):
        if isinstance(inner, fields.Field):
            _translate_field(inner)


def translate_declared() -> None:
    """Translate fields and validators that were made before this module was imported
    (e.g. flask-smorest's pagination schema): their messages were copied in English."""
    for cls in _schema_classes():
        for field in cls._declared_fields.values():
            _translate_field(field)


translate_declared()

# -- shared building blocks ---------------------------------------------------------------

KVK = validate.Regexp(r"^\d{8}$", error="Een KvK-nummer bestaat uit precies 8 cijfers.")


def not_blank(value: str):
    if not value or not value.strip():
        raise ma.ValidationError("Mag niet leeg zijn.")


class StrictSchema(ma.Schema):
    """Unknown fields are an error (422), not silently dropped."""

    class Meta:
        unknown = ma.RAISE
        ordered = True
