"""The records a certificate holder uploads for surveillance: SC-530 logbooks (for project days) and
SC-540 project overviews (for result-oriented audits); checked all or nothing."""
import marshmallow as ma
from marshmallow import fields, validate

from cki.core.clock import today
from cki.core.schemas import not_in_future
from cki.core.uploads import NO, YES, DutchDate, checked, with_column_names
from cki.rules.schemas import LogbookEntrySchema
from cki.surveillance import records
from workflows.schemes import load_scheme


class LogbookRowSchema(LogbookEntrySchema):
    worker = fields.Str(required=True, validate=records.validate_worker, metadata={
        "description": "The company's staff number: never a name or BSN (AVG)"})
    date = DutchDate(required=True, validate=not_in_future, metadata={
        "description": "The working day: jjjj-mm-dd or dd-mm-jjjj, not in the future"})
    ppe = fields.Bool(required=True, truthy=YES, falsy=NO)


class OverviewRowSchema(ma.Schema):
    location = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    responsible_dia = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    remediated = fields.Bool(required=True, truthy=YES, falsy=NO)
    demolished = fields.Bool(required=True, truthy=YES, falsy=NO)


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



def activities(on) -> dict[str, list[str]]:
    """The logbook's activity codes in the scheme version in force: counted and not counted."""
    known = load_scheme("SC-530", on).param("project_day_activities")
    return {"counted": list(known["counted"]), "not_counted": list(known["not_counted"])}



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

    return records.store_logbook(company, checked("entries", LogbookRowSchema(), with_column_names(COLUMNS["logbook"], rows),
                                                   known_activity))


def replace_overview(company, rows: list) -> str:
    """The SC-540 project overview (B §7.3), replacing the current one, all or nothing."""
    return records.replace_overview(company, checked("projects", OverviewRowSchema(), with_column_names(COLUMNS["overview"], rows)))
