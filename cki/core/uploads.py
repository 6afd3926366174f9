"""Uploads of many rows at once (CSV or JSON), shared by every domain that takes them: reading a
CSV, Dutch column names and dates, and all-or-nothing checking with the errors per row."""
import csv
import io
import re
from datetime import datetime

import marshmallow as ma
from flask import request
from flask_smorest import abort
from marshmallow import fields

from cki.core.errors import DomainError
from workflows.text import Message

MAX_ROWS = 20_000
YES = {"ja", "1", "true", "True", "j", "yes", True}
NO = {"nee", "0", "false", "False", "n", "no", False}
#: The request body of an upload route in the OpenAPI: a CSV file or JSON.
CSV_BODY = {"content": {"text/csv": {"schema": {"type": "string"}},
                        "application/json": {"schema": {"type": "object"}}}}

class RowErrors(DomainError):
    """Rows that fail their checks, by row number (counting from 1): nothing is stored."""

    def __init__(self, key: str, errors: dict):
        rows = list(errors)
        named = ", ".join(rows[:10])
        if len(rows) > 10:
            message = Message("%(count)s regel(s) afgekeurd (regel %(rows)s en %(more)s meer); er is niets opgeslagen.",
                              count=len(errors), rows=named, more=len(rows) - 10)
        else:
            message = Message("%(count)s regel(s) afgekeurd (regel %(rows)s); er is niets opgeslagen.",
                              count=len(errors), rows=named)
        super().__init__(key, message)
        self.errors = errors


class DutchDate(fields.Date):
    """A date as people write it in a spreadsheet: 2026-12-07 or 07-12-2026 (dd-mm-jjjj)."""

    default_error_messages = {"invalid": "Geen geldige datum: schrijf jjjj-mm-dd of dd-mm-jjjj (2026-12-07 of "
                                         "07-12-2026)."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and re.fullmatch(r"\s*\d{1,2}-\d{1,2}-\d{4}\s*", value):
            try:
                day = datetime.strptime(value.strip(), "%d-%m-%Y").date()
            except ValueError:
                raise self.make_error("invalid") from None
            value = day.isoformat()
        return super()._deserialize(value, attr, data, **kwargs)



#: What a CSV file may be separated by: comma or semicolon (as Dutch spreadsheets write), or tab.
CSV_DELIMITERS = ",;\t"
UNREADABLE_COLUMNS = ("Kan de kolommen niet lezen: gebruik komma's of puntkomma's (of tabs) tussen de kolommen, "
                      "met de kolomnamen op de eerste regel.")


def read_csv(raw: bytes) -> list[dict]:
    """CSV rows as dicts (comma, semicolon or tab separated). A file whose columns cannot be
    told apart (one column, another separator) is refused with a clear reason."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("file", "Het bestand is geen UTF-8-tekst (CSV).") from None
    if not text:
        return []
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=CSV_DELIMITERS)
        return [{k.strip(): (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(io.StringIO(text), dialect=dialect)]
    except csv.Error:
        raise DomainError("file", UNREADABLE_COLUMNS) from None



def with_column_names(columns, rows: list) -> list:
    """Rows with their columns under the app's names; ``columns`` lists (name, Dutch name, meaning),
    and a Dutch column name counts as the same column."""
    names = {alias: name for name, dutch, _ in columns for alias in (name, dutch, dutch.replace("_", " "))}
    return [{names.get(str(key).strip().lower(), key): value for key, value in row.items()}
            if isinstance(row, dict) else row for row in rows]


def check_count(key: str, rows: list) -> list:
    if not rows:
        raise DomainError(key, "Geen regels.")
    if len(rows) > MAX_ROWS:
        raise DomainError(key, Message("Ten hoogste %(max)s regels per upload.", max=MAX_ROWS))
    return rows


def without_blanks(row):
    """An empty CSV cell is an absent field, as in the form; anything not a row is left to the schema."""
    return {k: v for k, v in row.items() if v not in (None, "")} if isinstance(row, dict) else row



def checked(key: str, schema: ma.Schema, rows: list, extra=None) -> list[dict]:
    """Every row through ``schema`` (and ``extra``); any error refuses the upload with all of them."""
    errors, good = {}, []
    for number, raw in enumerate(check_count(key, rows), start=1):
        try:
            row = schema.load(raw)
            if extra:
                extra(row)
            good.append(row)
        except ma.ValidationError as error:
            errors[str(number)] = error.messages
    if errors:
        raise RowErrors(key, errors)
    return good



def rows_from_request(json_key: str) -> list[dict]:
    """Rows from a CSV body or a JSON body ``{json_key: [...]}`` (422 when neither)."""
    if request.mimetype == "text/csv":
        try:
            return read_csv(request.get_data())
        except DomainError as error:
            abort(422, message=error.message, errors={"body": {error.field: [error.message]}})
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get(json_key), list):
        abort(422, errors={"json": {json_key: [f"Verwacht een lijst '{json_key}' (JSON) of een CSV-bestand."]}})
    return body[json_key]


def refuse(error: DomainError):
    """A refused upload as the API answers it: 422 with the errors per row number."""
    abort(422, message=error.message, errors={"json": {error.field: getattr(error, "errors", [error.message])}})
