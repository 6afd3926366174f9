"""Pages for meldingen: the staff register (list, day and week calendar, LAVS work list), the
company portal form and the staff actions on a melding. Thin: the same schemas and operations as
the API, and the same roles (mirrored from the API's ``@require``)."""
from datetime import date, timedelta
from functools import reduce

import marshmallow as ma
import sqlalchemy as sa
import sqlalchemy.orm
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.exceptions import NotFound

from cki.companies.access import current_company
from cki.companies.models import Company
from cki.core.auth import current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.i18n import gettext as _
from cki.core.i18n import register_messages
from cki.core.labels import label
from cki.core.schemas import calendar_years
from cki.core.tenancy import get_or_404, scoped_select
from cki.core.uploads import read_csv
from cki.events.models import EventLogEntry
from cki.meldingen import api, intake, lavs_api, operations, uploads
from cki.meldingen.api import filtered
from cki.meldingen.models import InboundLavsMessage, Melding
from cki.meldingen.permissions import APPROVERS, LOOKERS, STAFF_EDITORS, may, may_change, may_see_register
from cki.meldingen.schemas import (
    ApprovalSchema,
    CancelSchema,
    FaxMeldingSchema,
    MeldingChangeSchema,
    MeldingInSchema,
    MeldingQuerySchema,
    MergeSchema,
    SplitSchema,
)
from cki.surveillance import records, records_api
from cki.surveillance import uploads as records_uploads
from cki.surveillance.models import Audit, AuditAuditor, AuditSelection, AuditStatus
from cki.surveillance.permissions import AUDIT_PICKERS
from cki.users.models import User
from workflows.schemes import SCHEMES, load_scheme
from workflows.text import nl_date

bp = Blueprint("meldingen", __name__, url_prefix="/meldingen", template_folder="templates")

#: The channel filter's choices (labels: cki/core/labels.py).
CHANNELS = ("email", "fax", "portal", "api", "lavs")

#: Dutch names of the form fields, for the reasons a form is refused.
FIELD_LABELS = {
    "scheme": "Schema", "certificate_number": "Certificaatnummer", "street": "Straat en huisnummer",
    "postcode": "Postcode", "place": "Plaats", "description": "Omschrijving", "client": "Opdrachtgever",
    "responsible_person": "Verantwoordelijke DIA / DTA", "object_type": "Soort object",
    "containment": "Containment", "estimated_amount": "Geschatte hoeveelheid",
    "worker_count": "Aantal asbestwerkers", "planned_start": "Start", "planned_end": "Einde",
    "project_group": "Projectgroep", "part_label": "Deelmelding", "calamity_motivation": "Motivering calamiteit",
    "client_reference": "Eigen referentie", "company_id": "Bedrijf", "received_on": "Ontvangen op",
    "approve": "Besluit", "note": "Toelichting", "reason": "Reden", "other_id": "Andere melding",
    "planned_on": "Datum van de beoordeling", "file": "Bestand",
    # the fields of a LAVS message (mapping)
    "company_kvk": "KvK-nummer bedrijf", "company_name": "Bedrijf", "lavs_project_id": "LAVS-project",
    "message_id": "Bericht-id", "message_type": "Berichtsoort", "kind": "Soort", "house_number": "Huisnummer",
    "start": "Start", "end": "Einde", "sent_at": "Verzonden", "permit_holder": "Vergunninghouder",
    "inspectorate": "Inspectie", "validation_note": "Validatiemeting",
    "withdrawal_reason": "Reden intrekking", "address": "Adres", "cki_name": "CKI",
}
register_messages(FIELD_LABELS.values)


def field_label(name: str) -> str:
    """The name of a form or LAVS field in the reader's language; an unknown field as it is."""
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def _staff_with(*roles) -> bool:
    return may(current_principal(), roles)


@bp.before_request
@login_required
def _register_only_for_whom_it_is():
    if not may_see_register(current_principal()):
        abort(403)


def _form(schema: ma.Schema) -> dict:
    """The posted fields the schema knows, loaded by it; an empty field counts as not given."""
    return schema.load({k: v for k, v in request.form.items() if v != "" and k in schema.fields})


def _messages(error: ma.ValidationError) -> str:
    """A schema's refusal as one line: field name (in the reader's language) and reason (Dutch, as the
    schema says it) per field."""
    if not isinstance(error.messages, dict):
        return " ".join(map(str, error.messages))
    parts = []
    for key, value in error.messages.items():
        text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{field_label(key)}: {text}" if key in FIELD_LABELS else text)
    return "; ".join(parts)


def _perform(action, back: str, refused: str):
    """Run a staff or company action: ``action()`` writes through the operation and answers
    (category, message, where to go or None). Commit, say so, redirect (303). Refused: nothing
    written, the reason flashed, back to ``back``."""
    try:
        category, message, goto = action()
    except ma.ValidationError as error:
        reason = _messages(error)
    except DomainError as error:
        reason = error.reason
    else:
        db.session.commit()
        flash(message, category)
        return redirect(goto or back), 303
    db.session.rollback()
    flash(f"{refused}: {reason}", "error")
    return redirect(back), 303


def _query() -> dict:
    """The page's filters as given; the list starts today unless a 'from' was given (even empty)."""
    query = request.args.to_dict()
    if request.args.get("view", "list") == "list" and "from" not in query:
        query["from"] = today().isoformat()
    return query


def _args(query: dict) -> dict:
    try:
        return MeldingQuerySchema().load({k: v for k, v in query.items() if v and k != "view" and k != "day"})
    except ma.ValidationError as error:
        flash(_("Filter genegeerd: %(reason)s", reason="; ".join(error.messages)), "warning")
        return {"limit": 100}


def _day(value: str | None) -> date:
    """The calendar's day from the query: today when absent; unreadable or outside the calendar's
    years, today with a message (a week at year 1 or 9999 cannot be drawn)."""
    if not value:
        return today()
    first, last = calendar_years()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        flash(_("Geen geldige datum: %(value)s; vandaag wordt getoond.", value=value), "warning")
        return today()
    if not first <= day.year <= last:
        flash(_("Kies een dag in de jaren %(first)s tot en met %(last)s; vandaag wordt getoond.", first=first,
                last=last), "warning")
        return today()
    return day


def lead_time_text() -> str:
    """The lead times of a melding, in words (the reader's language), from the scheme data in force today."""
    parts = []
    for code in SCHEMES:
        version = load_scheme(code, today())
        days, source = version.param("melding_lead_working_days"), version.source("melding_lead_working_days")
        parts.append(((days["email"], days["fax"]), source, code))
    if len({days for days, _source, _code in parts}) == 1:
        sources = reduce(lambda first, second: _("%(first)s en %(second)s", first=first, second=second),
                         (f"{code} {source}" for _days, source, code in parts))
        email, fax = parts[0][0]
        # "api" in lower case: the Dutch as it has always read (it was str.capitalize()d)
        return _("Per e-mail, portaal of api uiterlijk %(email)s werkdagen vóór de start, per fax %(fax)s "
                 "(%(sources)s).", email=email, fax=fax, sources=sources)
    return " ".join(_("%(scheme)s: per e-mail, portaal of API uiterlijk %(email)s werkdagen vóór de start, per fax "
                      "%(fax)s (%(source)s).", scheme=code, email=email, fax=fax, source=source)
                    for (email, fax), source, code in parts)


@bp.route("/")
@login_required
def index():
    return _index_page()


def _index_page(values: dict | None = None, status: int = 200):
    """The register (list or calendar) and, for a company, the form; ``values``: a refused form's input."""
    p = current_principal()
    query = _query()
    args = _args(query)
    view = request.args.get("view", "list")
    day = _day(request.args.get("day"))
    stmt = filtered(scoped_select(Melding), args)
    entity, days = Melding, []
    if view in ("week", "day"):
        first = day - timedelta(days=day.weekday()) if view == "week" else day
        days = [first + timedelta(days=n) for n in range(7 if view == "week" else 1)]
        # Meldingen running in these days, found from their end date. Materialised first: ordered by
        # start with a limit, PostgreSQL would otherwise read the whole history by start date.
        running = (stmt.where(Melding.planned_start <= days[-1], Melding.planned_end >= days[0]).cte("running")
                   .prefix_with("MATERIALIZED", dialect="postgresql"))
        entity = sa.orm.aliased(Melding, running)
        stmt = db.select(entity)
    cap = args.get("limit", 100) * 5
    rows = db.session.scalars(stmt.options(sa.orm.selectinload(entity.company))
                              .order_by(entity.planned_start, entity.id).limit(cap)).all()
    picked = {}  # melding id -> the day of its unannounced audit (staff only)
    if p.is_staff and rows:
        picked = dict(db.session.execute(db.select(AuditSelection.melding_id, AuditSelection.planned_on).where(
            AuditSelection.melding_id.in_([m.id for m in rows]))).all())
    agenda = _auditors_agenda(days) if p.is_staff and days else {}
    companies = db.session.scalars(scoped_select(Company).order_by(Company.name)).all() if p.is_staff else []
    parked = db.session.scalar(db.select(db.func.count(InboundLavsMessage.id)).where(
        InboundLavsMessage.cki_id == p.cki_id, InboundLavsMessage.status == "parked")) if p.is_staff else 0
    return render_template("meldingen/index.html", rows=rows, days=days, view=view, day=day, args=query,
                           companies=companies, channels=CHANNELS,
                           staff=p.is_staff, picked=picked, parked=parked, schemes=SCHEMES,
                           can_fax=_staff_with(*STAFF_EDITORS), timedelta=timedelta, truncated=len(rows) == cap,
                           values=values, lead_time=lead_time_text(), agenda=agenda,
                           week=days[0].isocalendar().week if view == "week" and days else None), status


@bp.route("/nieuw", methods=["POST"])
@login_required
def create():
    """The portal form. Refused, it comes back filled in with the reason (422)."""
    p = current_principal()
    if p.company_id is None:
        abort(403)
    company = current_company()
    try:
        data = _form(MeldingInSchema())
        melding, created = operations.submit_melding(company, data, channel="portal", source="portal")
    except ma.ValidationError as error:
        flash(_("Melding niet verstuurd: %(reason)s", reason=_messages(error)), "error")
        return _index_page(request.form.to_dict(), 422)
    except DomainError as error:
        db.session.rollback()
        flash(_("Melding niet verstuurd: %(reason)s", reason=error.reason), "error")
        return _index_page(request.form.to_dict(), 422)
    db.session.commit()
    if melding.warning:
        flash(melding.warning, "warning")
    if melding.status == "pending_approval":
        flash(_("Melding %(id)s ontvangen als calamiteit: zij wacht op goedkeuring door de CKI.", id=melding.id),
              "warning")
    else:
        flash(_("Melding %(id)s ontvangen.", id=melding.id) if created else
              _("Deze klus was al gemeld als melding %(id)s; die is bijgewerkt.", id=melding.id), "info")
    return redirect(url_for(".show", melding_id=melding.id)), 303


#: Portal uploads: kind -> (title, what the CSV holds), Dutch (the page shows them in the reader's
#: language). The API routes take the same files.
UPLOADS = {
    "meldingen": ("Meldingen in bulk", "Eén melding per regel, met de velden van het meldingsformulier als "
                  "kolommen (scheme, street, postcode, place, planned_start, planned_end, …). Elke regel wordt "
                  "apart aangenomen of geweigerd."),
    "logboek": ("Logboek (SC-530)", "Eén regel per medewerker per werkinterval. Eén foute regel weigert het hele "
                "bestand; de melding per regel zegt wat er mis is."),
    "projectoverzicht": ("Projectoverzicht (SC-540)", "Eén regel per project. Vervangt het huidige overzicht."),
}
register_messages(lambda: [text for pair in UPLOADS.values() for text in pair])
# what each column of the surveillance records holds, as this page describes them
register_messages(lambda: [what for columns in records_uploads.COLUMNS.values() for _name, _dutch, what in columns])


@bp.route("/uploaden")
@login_required
def upload_page():
    if current_principal().company_id is None:
        abort(403)
    return _upload_page()


def _upload_page(**context):
    """The uploads page, with the columns of each file and the logbook's activities from the scheme data.
    The column names and the activities' Dutch names are what a file says: only the descriptions are
    in the reader's language."""
    known = records_uploads.activities(today())
    columns = {key: [(name, dutch, _(what)) for name, dutch, what in records_uploads.COLUMNS[which]]
               for key, which in (("logboek", "logbook"), ("projectoverzicht", "overview"))}
    uploads = {key: (_(title), _(help_text)) for key, (title, help_text) in UPLOADS.items()}
    return render_template("meldingen/upload.html", uploads=uploads, columns=columns, activities=known,
                           activity_labels=records_uploads.ACTIVITY_LABELS, **{"kind": None, **context})


@bp.route("/uploaden/<kind>", methods=["POST"])
@login_required
def upload(kind):
    """A CSV from the portal, through the same checks as the API; the report is shown at once."""
    p = current_principal()
    if p.company_id is None:
        abort(403)
    if kind not in UPLOADS:
        abort(404)
    company = current_company()
    result, error = None, None
    try:
        file = request.files.get("file")
        if file is None or not file.filename:
            raise DomainError("file", _("Kies een CSV-bestand."))
        rows = read_csv(file.read())
        if kind == "meldingen":
            result = uploads.submit_many(company, rows, channel="portal")
        elif kind == "logboek":
            result = {"stored": records_uploads.store_logbook(company, rows)[1]}
        else:
            records_uploads.replace_overview(company, rows)
            result = {"stored": len(rows)}
        db.session.commit()
    except DomainError as refused:
        db.session.rollback()
        error = refused
    if request.headers.get("HX-Request"):  # for htmx the report alone, swapped under the form
        return render_template("meldingen/_upload_result.html", kind=kind, result=result, error=error)
    return _upload_page(kind=kind, result=result, error=error), 422 if error else 200


@bp.route("/<int:melding_id>")
@login_required
def show(melding_id):
    melding = get_or_404(Melding, melding_id)
    p = current_principal()
    selection = None
    if melding.looked_at is None and _staff_with(*LOOKERS):
        operations.look_at(melding, p.label)
        db.session.commit()
    if p.is_staff:
        selection = db.session.scalar(db.select(AuditSelection).where(AuditSelection.melding_id == melding.id))
    is_open = melding.status not in operations.CLOSED
    can = {  # the roles of the API route behind each form
        "approve": melding.status == "pending_approval" and _staff_with(*APPROVERS),
        "pick": is_open and selection is None and _staff_with(*AUDIT_PICKERS),
        "cancel": is_open and may_change(p),
        "change": is_open and may_change(p),
        "edit": is_open and _staff_with(*STAFF_EDITORS),
    }
    values = {k: v for k, v in _content_for_form(melding).items()}
    events = []
    if p.is_staff:  # every action on it, by whom (a company sees its versions only: a pick stays secret)
        events = db.session.scalars(db.select(EventLogEntry).where(
            EventLogEntry.cki_id == melding.cki_id, EventLogEntry.subject_type == "meldingen",
            EventLogEntry.subject_id == melding.id).order_by(EventLogEntry.id)).all()
    return render_template("meldingen/show.html", m=melding, staff=p.is_staff, selection=selection, can=can,
                           values=values, schemes=SCHEMES, events=events)


def _auditors_agenda(days: list[date]) -> dict[date, list[dict]]:
    """Staff only: the beoordelingen planned on these days, with their auditors, beside the meldingen
    (an unannounced one included: a company never sees this calendar's agenda)."""
    rows = db.session.execute(
        sa.select(Audit.id, Audit.planned_on, Audit.location, Audit.unannounced, Audit.certificate_id, User.name)
        .join(AuditAuditor, AuditAuditor.audit_id == Audit.id).join(User, User.id == AuditAuditor.user_id)
        .where(Audit.cki_id == current_principal().cki_id, Audit.planned_on.between(days[0], days[-1]),
               Audit.status != AuditStatus.CANCELLED.value)
        .order_by(Audit.planned_on, Audit.id, User.name)).all()
    agenda: dict[date, dict[int, dict]] = {}
    for audit_id, planned_on, location, unannounced, certificate_id, name in rows:
        entry = agenda.setdefault(planned_on, {}).setdefault(audit_id, {
            "id": audit_id, "location": location, "unannounced": unannounced, "certificate_id": certificate_id,
            "auditors": []})
        entry["auditors"].append(name)
    return {day: list(entries.values()) for day, entries in agenda.items()}


def _content_for_form(melding: Melding) -> dict:
    """The melding's content as the form shows it (dates ISO, ja/nee)."""
    out = {}
    for field in operations.CONTENT:
        value = getattr(melding, field)
        if isinstance(value, bool):
            value = "ja" if value else "nee"
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[field] = "" if value is None else value
    return out


@bp.route("/<int:melding_id>/wijzigen", methods=["POST"])
@login_required
def change(melding_id):
    """Change a melding: the company its own, or staff editors (as PATCH /api/v1/meldingen/<id>). The earlier
    content stays in the history; a start moved earlier is checked as a new melding."""
    melding = get_or_404(Melding, melding_id)
    api.company_or_editor()

    def action():
        data = _form(MeldingChangeSchema(partial=True))
        operations.change_melding(melding, data, source=api.change_source())
        note = f" {melding.warning}" if melding.warning and melding.timeliness != "on_time" else ""
        return "info", _("Melding gewijzigd.") + note, None

    return _perform(action, url_for(".show", melding_id=melding.id), _("Niet gewijzigd"))


@bp.route("/<int:melding_id>/goedkeuring", methods=["POST"])
@login_required
def approval(melding_id):
    """Approve or refuse a calamity melding (as POST /api/v1/meldingen/<id>/approval)."""
    if not _staff_with(*APPROVERS):
        abort(403)
    melding = get_or_404(Melding, melding_id)

    def action():
        data = _form(ApprovalSchema())
        operations.approve_calamity(melding, current_principal().user_id, data["approve"], data["note"])
        if data["approve"]:
            return "info", _("Calamiteit goedgekeurd: de melding is geregistreerd."), None
        return "info", _("Calamiteit afgewezen: de melding is ingetrokken."), None

    return _perform(action, url_for(".show", melding_id=melding.id), _("Besluit niet opgeslagen"))


@bp.route("/<int:melding_id>/auditlocatie", methods=["POST"])
@login_required
def select_for_audit(melding_id):
    """Pick the location for an unannounced audit (as POST /api/v1/meldingen/<id>/audit-selection)."""
    if not _staff_with(*AUDIT_PICKERS):
        abort(403)

    def action():
        data = _form(records_api.AuditSelectionSchema())
        selection = records.select_for_audit(get_or_404(Melding, melding_id), data["planned_on"], data.get("note"),
                                             current_principal().user_id)
        return "info", _("Locatie gekozen voor een onaangekondigde beoordeling op %(date)s.",
                         date=nl_date(selection.planned_on)), None

    return _perform(action, url_for(".show", melding_id=melding_id), _("Niet gekozen"))


@bp.route("/<int:melding_id>/intrekken", methods=["POST"])
@login_required
def cancel(melding_id):
    """Cancel a melding: the company its own, or staff editors (as POST /api/v1/meldingen/<id>/cancel)."""
    melding = get_or_404(Melding, melding_id)
    api.company_or_editor()

    def action():
        data = _form(CancelSchema())
        operations.cancel_melding(melding, source=api.change_source(), reason=data.get("reason"))
        return "info", _("Melding ingetrokken."), None

    return _perform(action, url_for(".show", melding_id=melding.id), _("Niet ingetrokken"))


@bp.route("/<int:melding_id>/samenvoegen", methods=["POST"])
@login_required
def merge(melding_id):
    """Merge another melding of the same job into this one (as POST /api/v1/meldingen/<id>/merge)."""
    if not _staff_with(*STAFF_EDITORS):
        abort(403)
    keep = get_or_404(Melding, melding_id)

    def action():
        data = _form(MergeSchema())
        try:
            other = get_or_404(Melding, data["other_id"])
        except NotFound:
            raise DomainError("other_id", _("Melding %(id)s bestaat niet.", id=data["other_id"])) from None
        operations.merge_meldingen(keep, other, data["note"])
        return "info", _("Melding %(id)s is samengevoegd met deze melding.", id=other.id), None

    return _perform(action, url_for(".show", melding_id=keep.id), _("Niet samengevoegd"))


@bp.route("/<int:melding_id>/splitsen", methods=["POST"])
@login_required
def split(melding_id):
    """Split off a melding for another location or part (as POST /api/v1/meldingen/<id>/split)."""
    if not _staff_with(*STAFF_EDITORS):
        abort(403)
    melding = get_or_404(Melding, melding_id)

    def action():
        data = _form(SplitSchema())
        note = data.pop("note")
        part = operations.split_melding(melding, data, note)
        return ("info", _("Afgesplitst als melding %(part)s (%(address)s) van melding %(id)s.", part=part.id,
                          address=part.address, id=melding.id),
                url_for(".show", melding_id=part.id))

    return _perform(action, url_for(".show", melding_id=melding.id), _("Niet gesplitst"))


@bp.route("/fax", methods=["GET", "POST"])
@login_required
def fax():
    """Staff record a melding received by fax (as POST /api/v1/meldingen/fax). A refused form
    comes back filled in, with the reason."""
    if not _staff_with(*STAFF_EDITORS):
        abort(403)
    values, status = {"received_on": today().isoformat()}, 200
    if request.method == "POST":
        values, status = request.form.to_dict(), 422
        try:
            data = _form(FaxMeldingSchema())
            company = get_or_404(Company, data.pop("company_id"))
            melding, created = operations.submit_melding(company, data, channel="fax", source="staff",
                                                         received_on=data.pop("received_on"))
            db.session.commit()
        except ma.ValidationError as error:
            flash(_("Fax niet vastgelegd: %(reason)s", reason=_messages(error)), "error")
        except NotFound:
            flash(_("Fax niet vastgelegd: kies een bedrijf uit de lijst."), "error")
        except DomainError as error:
            db.session.rollback()
            flash(_("Fax niet vastgelegd: %(reason)s", reason=error.reason), "error")
        else:
            if melding.warning:
                flash(melding.warning, "warning")
            flash(_("Fax vastgelegd als melding %(id)s.", id=melding.id) if created else
                  _("Deze klus was al gemeld als melding %(id)s; die is bijgewerkt.", id=melding.id), "info")
            return redirect(url_for(".show", melding_id=melding.id)), 303
    companies = db.session.scalars(scoped_select(Company).order_by(Company.name)).all()
    return render_template("meldingen/fax.html", companies=companies, schemes=SCHEMES, values=values,
                           lead_time=lead_time_text(),
                           today=today()), status


@bp.route("/lavs")
@login_required
def lavs():
    p = current_principal()
    if not p.is_staff:
        abort(403)
    messages = db.session.scalars(scoped_select(InboundLavsMessage).order_by(InboundLavsMessage.id.desc())
                                  .limit(200)).all()
    return render_template("meldingen/lavs.html", messages=messages, can_retry=_staff_with(*STAFF_EDITORS))


@bp.route("/lavs/<int:message_id>")
@login_required
def lavs_message(message_id):
    """One LAVS message: what it says (the fields as mapped, the raw message) and what became of it."""
    if not current_principal().is_staff:
        abort(403)
    message = get_or_404(InboundLavsMessage, message_id)
    return render_template("meldingen/lavs_message.html", msg=message, content=intake.content(message),
                           can_act=_staff_with(*STAFF_EDITORS), field_label=field_label)


@bp.route("/lavs/uploaden", methods=["POST"])
@login_required
def lavs_upload():
    """Staff upload a LAVS message (the XML, or the e-mail holding it), as POST /api/v1/lavs/messages."""
    if not _staff_with(*STAFF_EDITORS):
        abort(403)

    def action():
        file = request.files.get("file")
        if file is None or not file.filename:
            raise DomainError("file", _("Kies een XML-bestand of de e-mail (.eml) van LAVS."))
        taken = [intake.ingest(current_principal().cki_id, xml, source="upload", filename=name)
                 for name, xml in intake.upload_parts(file.read(), file.filename)]
        said = " ".join(_("Bericht %(id)s %(status)s: %(reason)s", id=m.id, status=label(m.status), reason=m.reason)
                        if m.reason else _("Bericht %(id)s %(status)s.", id=m.id, status=label(m.status)) for m in taken)
        parked = any(m.status == "parked" for m in taken)
        return ("warning" if parked else "info"), said, None

    return _perform(action, url_for(".lavs"), _("Niet ontvangen"))


@bp.route("/lavs/<int:message_id>/terzijde", methods=["POST"])
@login_required
def lavs_discard(message_id):
    """Lay a parked message aside with a reason (as POST /api/v1/lavs/messages/<id>/discard)."""
    if not _staff_with(*STAFF_EDITORS):
        abort(403)

    def action():
        data = _form(lavs_api.DiscardSchema())
        message = intake.discard(get_or_404(InboundLavsMessage, message_id), data["reason"])
        return "info", _("Bericht %(id)s is terzijde gelegd; het blijft bewaard.", id=message.id), None

    return _perform(action, url_for(".lavs_message", message_id=message_id), _("Niet terzijde gelegd"))


@bp.route("/lavs/<int:message_id>/opnieuw", methods=["POST"])
@login_required
def lavs_retry(message_id):
    """Process a parked LAVS message again (as POST /api/v1/lavs/messages/<id>/retry)."""
    if not _staff_with(*STAFF_EDITORS):
        abort(403)

    def action():
        message = intake.retry(get_or_404(InboundLavsMessage, message_id))
        if message.status == "processed":
            if message.melding_id:
                return "info", _("Bericht %(id)s is verwerkt (melding %(melding)s).", id=message.id,
                                 melding=message.melding_id), None
            return "info", _("Bericht %(id)s is verwerkt.", id=message.id), None
        return "warning", _("Bericht %(id)s is opnieuw geparkeerd: %(reason)s", id=message.id,
                            reason=message.reason), None

    return _perform(action, url_for(".lavs"), _("Niet opnieuw verwerkt"))
