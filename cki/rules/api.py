"""Public rules API: werkdagen arithmetic and scheme rules, no login."""
from flask_smorest import abort

from cki.core.api import Blueprint
from cki.rules.schemas import (
    DateQuery,
    IsWorkingDayResult,
    LocationAuditQuery,
    LocationAuditSchema,
    MeldingDeadlineSchema,
    MeldingQuery,
    ProjectDaysBody,
    ProjectDaysSchema,
    TimelineQuery,
    TimelineSchema,
    WorkingDaysQuery,
    WorkingDaysResult,
    scheme_error,
)
from workflows import rules
from workflows.calendar import CALENDAR_BASIS, OutOfCalendarRange, deadline, legal_calendar
from workflows.schemes import SCHEMES, NoVersionInForce, default_registry, load_scheme

blp = Blueprint("rules_api", __name__, tag="Regels en werkdagen", url_prefix="/api/v1",
                description="Openbare rekenregels: werkdagenkalender (Atw, naar analogie) en "
                            "schemaregels SC-540/SC-530. Elke datum verklaart zichzelf.")


def _unprocessable(location: str, field: str, message: str):
    abort(422, errors={location: {field: [message]}})


def _calendar_call(field: str, func, *args, **kwargs):
    """Dates outside the calendar's years are bad input (422), not a server error."""
    try:
        return func(*args, **kwargs)
    except OutOfCalendarRange as error:
        _unprocessable("query", field, f"Buiten het bereik van de kalender: {error}")


def _scheme(code: str, on, field: str | None = None):
    """The version of ``code`` in force on ``on``: 422 for an unknown scheme, or a date before its
    first version (naming the date field)."""
    if code not in SCHEMES:
        abort(422, errors=scheme_error(code))
    try:
        return load_scheme(code, on)
    except NoVersionInForce:
        first = min(version.valid_from for version in default_registry().versions(code))
        _unprocessable("query", field or "date", f"Op {on:%d-%m-%Y} is geen versie van {code} van kracht "
                                                 f"(de eerste geldt vanaf {first:%d-%m-%Y}).")


@blp.route("/calendar/working-days")
@blp.public
@blp.arguments(WorkingDaysQuery, location="query")
@blp.response(200, WorkingDaysResult)
def working_days(args):
    """De n-de werkdag na `from`

    `days` mag negatief zijn: ervoor. `from` zelf telt nooit mee; vanaf een dag die geen werkdag is, is de
    eerste werkdag erna dag 1 (zaterdag 2026-11-21 + 3 = woensdag 2026-11-25)."""
    start, n = args["from_"], args["days"]
    result = _calendar_call("from", deadline, start, n, rule=f"{n} werkdagen (Atw art. 3, naar analogie)")
    return {"from_": start.isoformat(), "days": n, "date": result.date.isoformat(), "rule": result.rule,
            "skipped": [d.to_dict() for d in result.skipped], "warnings": list(result.warnings),
            "calendar_note": CALENDAR_BASIS}


@blp.route("/calendar/is-working-day")
@blp.public
@blp.arguments(DateQuery, location="query")
@blp.response(200, IsWorkingDayResult)
def is_working_day(args):
    """Of een datum een werkdag is

    En zo niet, waarom (met de wettelijke bron)."""
    cal = legal_calendar()
    day = _calendar_call("date", cal.non_working_day, args["date"])
    return {"date": args["date"].isoformat(), "working_day": day is None,
            "reason": day.reason if day else None, "atw_only": bool(day and day.atw_only),
            "calendar_note": CALENDAR_BASIS}


@blp.route("/schemes/<string:scheme>/category-a-timeline")
@blp.public
@blp.arguments(TimelineQuery, location="query")
@blp.response(200, TimelineSchema)
def category_a_timeline(args, scheme):
    """Tijdlijn van een sanctie in categorie A (T1–T6)

    De ongunstigste tijdlijn vanaf de datum van de bevinding (B/C §8.2.1)."""
    version = _scheme(scheme, args["finding_date"], "finding_date")
    result = _calendar_call("finding_date", rules.category_a_timeline, version, args["finding_date"]).to_dict()
    result["finding_date"] = result.pop("start")
    return result


@blp.route("/schemes/<string:scheme>/melding-deadline")
@blp.public
@blp.arguments(MeldingQuery, location="query")
@blp.response(200, MeldingDeadlineSchema)
def melding_deadline(args, scheme):
    """Uiterste datum om een melding in te dienen

    Voor een werk dat op `start` begint (B/C §7.1)."""
    version = _scheme(scheme, args["start"], "start")
    result = _calendar_call("start", rules.melding_deadline, version, args["start"], args["channel"])
    return {"scheme": version.scheme, "start": args["start"].isoformat(), "channel": args["channel"],
            "latest_submission_date": result.date.isoformat(), "lead_working_days": -result.working_days,
            "rule": result.rule, "section": result.section,
            "skipped": [d.to_dict() for d in result.skipped], "warnings": list(result.warnings)}


@blp.route("/schemes/<string:scheme>/location-audits")
@blp.public
@blp.arguments(LocationAuditQuery, location="query")
@blp.response(200, LocationAuditSchema)
def location_audits(args, scheme):
    """Beoordelingen op locatie per periode

    SC-540 Tabel 1 (`avg_dia`, `avg_reports`), SC-530 Tabel 4.3 (`project_days`, optioneel `works`,
    `first_period`)."""
    version = _scheme(scheme, None)
    criteria = [c["name"] for c in version.param("location_audit_table")["criteria"]]
    for name in criteria:
        if args.get(name) is None:
            _unprocessable("query", name, f"Verplicht voor {version.scheme}.")
    for name in set(LocationAuditQuery().fields) - set(criteria) - {"works", "first_period"}:
        if args.get(name) is not None:
            _unprocessable("query", name, f"Geen criterium van {version.scheme}.")
    result = rules.location_audits(version, {name: args[name] for name in criteria},
                                   works=args.get("works"), first_period=args["first_period"]).to_dict()
    return result


@blp.route("/schemes/<string:scheme>/project-days", methods=["POST"])
@blp.public
@blp.arguments(ProjectDaysBody)
@blp.response(200, ProjectDaysSchema)
def project_days(body, scheme):
    """Projectdagen uit logboekregels

    C §4.3.1 c–d: per project per dag de vereniging van de werkintervallen met PBM; ≥ 6 u → 1, ≥ 3 u → 0,5,
    minder → 0."""
    version = _scheme(scheme, None)
    if not version.has("project_day_thresholds"):
        abort(422, errors={"path": {"scheme": [f"{version.scheme} kent geen projectdagen."]}})
    known = version.param("project_day_activities")
    allowed = {*known["counted"], *known["not_counted"]}
    for i, entry in enumerate(body["entries"]):
        if entry["activity"] not in allowed:
            abort(422, errors={"json": {"entries": {str(i): {"activity": [
                f"Onbekende activiteit; bekend: {', '.join(sorted(allowed))}."]}}}})
    result = rules.project_days(body["entries"], version).to_dict()
    result["days"] = result.pop("rows")
    return result
