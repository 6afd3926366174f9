"""Pages for meldingen: the staff register (list, day and week calendar, LAVS work list) and
the company portal form. Thin: the same schemas and operations as the API."""
from datetime import date, timedelta

import marshmallow as ma
import sqlalchemy as sa
import sqlalchemy.orm
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cki.companies.models import Company
from cki.core.auth import current_company, current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.tenancy import get_or_404, scoped_select
from cki.meldingen import operations, records, uploads
from cki.meldingen.api import filtered
from cki.meldingen.models import AuditSelection, InboundLavsMessage, Melding
from cki.meldingen.schemas import MeldingInSchema, MeldingQuerySchema
from workflows.schemes import SCHEMES

bp = Blueprint("meldingen", __name__, url_prefix="/meldingen", template_folder="templates")

#: The channel filter's choices (labels: cki/core/labels.py).
CHANNELS = ("email", "fax", "portal", "api", "lavs")


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
        flash("Filter genegeerd: " + "; ".join(error.messages), "warning")
        return {"limit": 100}


@bp.route("/")
@login_required
def index():
    p = current_principal()
    query = _query()
    args = _args(query)
    view = request.args.get("view", "list")
    try:
        day = date.fromisoformat(request.args.get("day", "")) if request.args.get("day") else today()
    except ValueError:
        day = today()
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
    rows = db.session.scalars(stmt.options(sa.orm.selectinload(entity.company))
                              .order_by(entity.planned_start, entity.id).limit(args.get("limit", 100) * 5)).all()
    picked = set()
    if p.is_staff and rows:
        picked = set(db.session.scalars(db.select(AuditSelection.melding_id).where(
            AuditSelection.melding_id.in_([m.id for m in rows]))))
    companies = db.session.scalars(scoped_select(Company).order_by(Company.name)).all() if p.is_staff else []
    parked = db.session.scalar(db.select(db.func.count(InboundLavsMessage.id)).where(
        InboundLavsMessage.cki_id == p.cki_id, InboundLavsMessage.status == "parked")) if p.is_staff else 0
    return render_template("meldingen/index.html", rows=rows, days=days, view=view, day=day, args=query,
                           companies=companies, channels=CHANNELS,
                           staff=p.is_staff, picked=picked, parked=parked, schemes=SCHEMES,
                           timedelta=timedelta)


@bp.route("/nieuw", methods=["POST"])
@login_required
def create():
    p = current_principal()
    if p.company_id is None:
        abort(403)
    company = current_company()
    try:
        data = MeldingInSchema().load({k: v for k, v in request.form.items()
                                       if v != "" and k in MeldingInSchema().fields})
        melding, created = operations.submit_melding(company, data, channel="portal", source="portal")
    except ma.ValidationError as error:
        flash("Melding niet verstuurd: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in error.messages.items()), "error")
        return redirect(url_for(".index")), 303
    except DomainError as error:
        db.session.rollback()
        flash(f"Melding niet verstuurd: {error.message}", "error")
        return redirect(url_for(".index")), 303
    db.session.commit()
    if melding.warning:
        flash(melding.warning, "warning")
    flash("Melding ontvangen." if created else "Deze klus was al gemeld; de melding is bijgewerkt.", "info")
    return redirect(url_for(".index")), 303


#: Portal uploads: kind -> (title, what the CSV holds). The API routes take the same files.
UPLOADS = {
    "meldingen": ("Meldingen in bulk", "Eén melding per regel, met de velden van het meldingsformulier als "
                  "kolommen (scheme, street, postcode, place, planned_start, planned_end, …). Elke regel wordt "
                  "apart aangenomen of geweigerd."),
    "logboek": ("Logboek (SC-530)", "Kolommen project, worker (personeelsnummer, nooit een naam of BSN), date, "
                "start, end, activity, ppe. Eén foute regel weigert het hele bestand."),
    "projectoverzicht": ("Projectoverzicht (SC-540)", "Kolommen location, responsible_dia, remediated, "
                         "demolished (ja/nee). Vervangt het huidige overzicht."),
}


@bp.route("/uploaden")
@login_required
def upload_page():
    if current_principal().company_id is None:
        abort(403)
    return render_template("meldingen/upload.html", uploads=UPLOADS, kind=None)


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
            raise DomainError("file", "Kies een CSV-bestand.")
        rows = records.read_csv(file.read())
        if kind == "meldingen":
            result = uploads.submit_many(company, rows, channel="portal")
        elif kind == "logboek":
            result = {"stored": uploads.store_logbook(company, rows)[1]}
        else:
            uploads.replace_overview(company, rows)
            result = {"stored": len(rows)}
        db.session.commit()
    except DomainError as refused:
        db.session.rollback()
        error = refused
    if request.headers.get("HX-Request"):  # htmx swaps only 2xx answers: the report says what went wrong
        return render_template("meldingen/_upload_result.html", kind=kind, result=result, error=error)
    return render_template("meldingen/upload.html", uploads=UPLOADS, kind=kind, result=result,
                           error=error), 422 if error else 200


@bp.route("/<int:melding_id>")
@login_required
def show(melding_id):
    melding = get_or_404(Melding, melding_id)
    p = current_principal()
    selection = None
    if p.is_staff:
        selection = db.session.scalar(db.select(AuditSelection).where(AuditSelection.melding_id == melding.id))
    return render_template("meldingen/show.html", m=melding, staff=p.is_staff, selection=selection)


@bp.route("/lavs")
@login_required
def lavs():
    p = current_principal()
    if not p.is_staff:
        abort(403)
    messages = db.session.scalars(scoped_select(InboundLavsMessage).order_by(InboundLavsMessage.id.desc())
                                  .limit(200)).all()
    return render_template("meldingen/lavs.html", messages=messages)
