"""Uploads of many rows at once, shared by the API and the portal: bulk meldingen, SC-530
logbooks and SC-540 project overviews. Rows arrive as dicts (from CSV or JSON)."""
import re
from datetime import datetime

import marshmallow as ma
from marshmallow import fields, validate

from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.schemas import not_in_future
from cki.meldingen import operations, records
from cki.meldingen.models import job_key
from cki.meldingen.schemas import MeldingInSchema
from cki.rules.schemas import LogbookEntrySchema
from workflows.schemes import load_scheme

MAX_ROWS = 20_000
_YES = {"ja", "1", "true", "True", "j", "yes", True}
_NO = {"nee", "0", "false", "False", "n", "no", False}


class RowErrors(DomainError):
    """Rows that fail their checks, by row number (counting from 1): nothing is stored."""

    def __init__(self, key: str, errors: dict):
        rows = list(errors)
        named = ", ".join(rows[:10]) + (f" en {len(rows) - 10} meer" if len(rows) > 10 else "")
        super().__init__(key, f"{len(errors)} regel(s) afgekeurd (regel {named}); er is niets opgeslagen.")
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


class LogbookRowSchema(LogbookEntrySchema):
    worker = fields.Str(required=True, validate=records.validate_worker, metadata={
        "description": "The company's staff number: never a name or BSN (AVG)"})
    date = DutchDate(required=True, validate=not_in_future, metadata={
        "description": "The working day: jjjj-mm-dd or dd-mm-jjjj, not in the future"})
    ppe = fields.Bool(required=True, truthy=_YES, falsy=_NO)


class OverviewRowSchema(ma.Schema):
    location = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    responsible_dia = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    remediated = fields.Bool(required=True, truthy=_YES, falsy=_NO)
    demolished = fields.Bool(required=True, truthy=_YES, falsy=_NO)


#: The columns of each upload: (name, Dutch name, what it holds). A file may use either name.
COLUMNS = {
    "logbook": [
        ("project", "project", "het project (de klus) waarop gewerkt is"),
        ("worker", "personeelsnummer", "het personeelsnummer van de medewerker: nooit een naam of BSN"),
        ("date", "datum", "de werkdag: jjjj-mm-dd of dd-mm-jjjj, niet in de toekomst"),
        ("start", "begin", "begin van het werk met persoonlijke beschermingsmiddelen (uu:mm)"),
        ("end", "einde", "einde daarvan (uu:mm), na het begin"),
        ("activity", "activiteit", "wat er gedaan is: een van de activiteiten hieronder"),
        ("ppe", "pbm", "met persoonlijke beschermingsmiddelen: ja of nee"),
    ],
    "overview": [
        ("location", "locatie", "adres van de projectlocatie"),
        ("responsible_dia", "verantwoordelijke_dia", "de verantwoordelijke DIA"),
        ("remediated", "gesaneerd", "is het asbest al verwijderd: ja of nee"),
        ("demolished", "gesloopt", "is het object al gesloopt: ja of nee"),
    ],
}

#: Dutch names of the logbook's activity codes (accepted in the file as well as the codes).
ACTIVITY_LABELS = {"removal": "verwijderen", "cleanup": "opruimen", "packing": "verpakken",
                   "containment": "containment opbouwen", "waste_transport": "afvoer naar de stort"}


def _with_column_names(kind: str, rows: list) -> list:
    """Rows with their columns under the app's names (a Dutch column name counts as the same column)."""
    names = {alias: name for name, dutch, _ in COLUMNS[kind] for alias in (name, dutch, dutch.replace("_", " "))}
    return [{names.get(str(key).strip().lower(), key): value for key, value in row.items()}
            if isinstance(row, dict) else row for row in rows]


def activities(on) -> dict[str, list[str]]:
    """The logbook's activity codes in the scheme version in force: counted and not counted."""
    known = load_scheme("SC-530", on).param("project_day_activities")
    return {"counted": list(known["counted"]), "not_counted": list(known["not_counted"])}


def check_count(key: str, rows: list) -> list:
    if not rows:
        raise DomainError(key, "Geen regels.")
    if len(rows) > MAX_ROWS:
        raise DomainError(key, f"Ten hoogste {MAX_ROWS} regels per upload.")
    return rows


def _without_blanks(row):
    """An empty CSV cell is an absent field, as in the form; anything not a row is left to the schema."""
    return {k: v for k, v in row.items() if v not in (None, "")} if isinstance(row, dict) else row


def submit_many(company, rows: list, *, channel: str) -> dict:
    """Each row accepted or refused whole, with a report per row; one refused row undoes only itself.
    Rows are written in the order of their job (address and start), the report keeps the file's order:
    two uploads of the same jobs at once then wait for each other job by job, never for each other's
    next job (which would be a deadlock), and each job is registered once."""
    schema = MeldingInSchema()
    report: dict[int, dict] = {}
    loaded = []
    for number, raw in enumerate(check_count("meldingen", rows), start=1):
        try:
            loaded.append((number, schema.load(_without_blanks(raw) or {})))
        except ma.ValidationError as error:
            report[number] = {"row": number, "status": "refused", "errors": error.messages}
    loaded.sort(key=lambda row: job_key(operations.normalise_postcode(row[1]["postcode"]), row[1]["street"],
                                        row[1]["planned_start"]))
    for number, data in loaded:
        try:
            with db.session.begin_nested():
                key = f"ref:{data['client_reference']}" if data.get("client_reference") else None
                melding, created = operations.submit_melding(company, data, channel=channel, source="bulk",
                                                             idempotency_key=key)
        except DomainError as error:
            report[number] = {"row": number, "status": "refused", "errors": {error.field: [error.message]}}
        else:
            report[number] = {"row": number, "status": "accepted" if created else "repeat",
                              "melding_id": melding.id, "warning": melding.warning}
    ordered = [report[number] for number in sorted(report)]
    counts = {status: sum(1 for row in ordered if row["status"] == status) for status in ("accepted", "repeat", "refused")}
    return {"accepted": counts["accepted"], "repeats": counts["repeat"], "refused": counts["refused"], "rows": ordered}


def _checked(key: str, schema: ma.Schema, rows: list, extra=None) -> list[dict]:
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


def store_logbook(company, rows: list) -> tuple[str, int]:
    """SC-530 logbook rows (C §4.3.1), all or nothing. Columns and activities may be named in Dutch."""
    known = activities(today())
    codes = {*known["counted"], *known["not_counted"]}
    by_name = {code: code for code in codes} | {ACTIVITY_LABELS[c]: c for c in codes if c in ACTIVITY_LABELS}

    def known_activity(row):
        code = by_name.get(str(row["activity"]).strip().lower())
        if code is None:
            listed = ", ".join(f"{c} ({ACTIVITY_LABELS[c]})" if c in ACTIVITY_LABELS else c for c in sorted(codes))
            raise ma.ValidationError({"activity": [f"Onbekende activiteit; bekend: {listed}."]})
        row["activity"] = code

    return records.store_logbook(company, _checked("entries", LogbookRowSchema(), _with_column_names("logbook", rows),
                                                   known_activity))


def replace_overview(company, rows: list) -> str:
    """The SC-540 project overview (B §7.3), replacing the current one, all or nothing."""
    return records.replace_overview(company, _checked("projects", OverviewRowSchema(),
                                                      _with_column_names("overview", rows)))
