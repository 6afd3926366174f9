"""Staff and company pages for dossiers. Thin: the same operations and schemas as the API."""
from datetime import date, timedelta

import marshmallow as ma
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import fields

from cki.companies.models import Company
from cki.core.auth import current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.i18n import gettext as _
from cki.core.i18n import register_messages, say
from cki.core.tenancy import scoped_select
from cki.core.timeline import frame
from cki.core.web import form_int
from cki.dossiers import operations
from cki.dossiers.api import load_dossier
from cki.dossiers.models import Dossier
from cki.dossiers.permissions import EVENTS, may_edit, may_fire, visible_dossiers
from cki.dossiers.presenter import present
from cki.dossiers.schemas import AssessorSchema, DeclarationSchema, DossierCreateSchema
from cki.events.models import EventLogEntry
from workflows.diagram import mermaid
from workflows.dossier import EVENT_LABELS, STATE_LABELS, TERMINAL, TRANSITIONS, Event, State
from workflows.rules import describe
from workflows.schemes import SCHEMES, load_scheme
from workflows.text import nl_date

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers", template_folder="templates")

#: Dutch labels for payload fields in the action forms.
FIELD_LABELS = {
    "reason": "Reden", "passed": "Resultaat positief", "branch_id": "Vestiging", "address": "Adres projectlocatie",
    "location_id": "Projectlocatie", "granted": "Toestemming verleend", "on": "Datum", "notes": "Aantekeningen",
    "complete_result": "Volledig rapport / werk dat aan het schema voldoet", "containment": "In containment",
    "representative_reason": "Waarom representatief", "advice": "Schriftelijk advies teamleider",
    "grant": "Certificaat verlenen", "motivation": "Motivering (Awb 3:46)",
    "redo_documentation_review": "Documentatiebeoordeling opnieuw",
}
register_messages(FIELD_LABELS.values)
# The state machine's words on these pages (the event labels come with cki.core.labels): the
# states, and when a step goes one way or the other (the state diagram).
register_messages(STATE_LABELS.values)
register_messages(lambda: [t.when_label for t in TRANSITIONS])


def field_label(name: str) -> str:
    """An action form's field as the reader reads it."""
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def state_label(state) -> str:
    """A dossier state (its code) in the reader's language; none: ""."""
    return _(STATE_LABELS[State(state)]) if state else ""


def period(value: dict) -> str:
    """A scheme's period in words (``{"months": 4}``) in the reader's language."""
    return say(describe(value))


def _form_fields(schema_cls):
    """The payload fields of an event schema, for a generic form in the template."""
    out = []
    for name, field in schema_cls().fields.items():
        if name == "lock_version":
            continue
        kind = ("bool" if isinstance(field, fields.Bool) else "date" if isinstance(field, fields.Date)
                else "branch" if name == "branch_id" else "location" if name == "location_id"
                else "text")
        out.append({"name": name, "kind": kind, "label": field_label(name), "required": field.required})
    return out


def _form_payload(schema_cls) -> dict:
    """Form data to the schema's input: unchecked boxes are False, empty fields absent."""
    raw = {}
    for name, field in schema_cls().fields.items():
        value = request.form.get(name, "")
        if isinstance(field, fields.Bool):
            raw[name] = value in ("1", "on", "true", "ja")
        elif value != "":
            raw[name] = value
    return schema_cls().load(raw)


@bp.route("/")
@login_required
def index():
    p = current_principal()
    stmt = visible_dossiers(p).order_by(Dossier.id.desc())
    state = request.args.get("state")
    if state in {s.value for s in State}:
        stmt = stmt.where(Dossier.state == state)
    company_id = request.args.get("company_id", type=int)
    if company_id:
        stmt = stmt.where(Dossier.company_id == company_id)
    dossiers = db.session.scalars(stmt.limit(500)).all()
    can_create = may_edit(p)
    companies = db.session.scalars(scoped_select(Company).order_by(Company.name)).all() if can_create else []
    all_branches = "; ".join(f"{code} {load_scheme(code, today()).param('initial_certification_sections')['all_branches']}"
                             for code in SCHEMES)
    return render_template("dossiers/index.html", dossiers=dossiers, labels={s: state_label(s) for s in State},
                           State=State, companies=companies, schemes=SCHEMES, can_create=can_create, state=state,
                           all_branches_rule=all_branches)


@bp.route("/", methods=["POST"])
@login_required
def create():
    p = current_principal()
    if not may_edit(p):
        abort(403)
    try:
        data = DossierCreateSchema().load({k: v for k, v in request.form.items() if k in ("company_id", "scheme", "applied_on")})
        dossier = operations.create_dossier(p.cki_id, data)
    except ma.ValidationError as error:
        flash(_("Aanvraag niet geregistreerd: %(errors)s",
                errors="; ".join(f"{k}: {' '.join(v)}" for k, v in error.messages.items())), "error")
        return redirect(url_for(".index"))
    except DomainError as error:
        db.session.rollback()
        flash(error.reason, "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("Aanvraag geregistreerd."), "info")
    return redirect(url_for(".show", dossier_id=dossier.id))


#: The dossier's deadlines drawn against the calendar, each on its own row (label, css class).
_DRAWN = (("window_end", "De beoordelingstermijn", "window"),
          ("decision_letter_due", "Het schriftelijke besluit", "decision"),
          ("provisional_report_expiry", "Voorlopige rapporten geldig", "provisional"),
          ("provisional_report_conversion_due", "Voorlopige rapporten omzetten", "provisional"))
register_messages(lambda: [label for _name, label, _css in _DRAWN])


def _window_picture(dossier, view: dict) -> dict | None:
    """The 4-month window against the calendar, from the first location assessment: each drawn
    deadline as a bar from there to its date, the assessments and the decision as dots,
    non-working days shaded, today as a line. None before the window starts."""
    first = min((loc.assessed_on for loc in dossier.locations if loc.assessed_on), default=None)
    if first is None:
        return None
    due = {name: date.fromisoformat(d["date"]) for name, d in view["deadlines"].items()}
    assessed = sorted({loc.assessed_on for loc in dossier.locations if loc.assessed_on} |
                      {a.assessed_on for a in dossier.branch_assessments if a.assessed_on})
    dates = [first, today(), *due.values(), *assessed] + ([dossier.decided_on] if dossier.decided_on else [])
    start, end = min(dates), max(dates) + timedelta(days=3)
    offset = lambda d: (d - start).days  # noqa: E731
    rows = [{"label": _(label), "css": css, "bar": (offset(first), offset(due[name])), "title": view["deadlines"][name]["label"],
             "date": due[name], "marks": []} for name, label, css in _DRAWN if name in due]
    rows.append({"label": _("Beoordelingen"), "css": "done", "bar": None, "date": None, "title": "",
                 "marks": [(offset(d), _("beoordeling op %(date)s", date=nl_date(d))) for d in assessed]})
    if dossier.decided_on:
        rows.append({"label": _("Besluit"), "css": "done", "bar": None, "date": dossier.decided_on, "title": "",
                     "marks": [(offset(dossier.decided_on), _("besluit van %(date)s", date=nl_date(dossier.decided_on)))]})
    return {**frame(start, end), "rows": rows}


@bp.route("/<int:dossier_id>")
@login_required
def show(dossier_id):
    dossier = load_dossier(dossier_id)
    p = current_principal()
    view = present(dossier, p, _, period)
    history = []
    if p.is_staff:
        history = db.session.scalars(db.select(EventLogEntry).where(
            EventLogEntry.cki_id == dossier.cki_id, EventLogEntry.subject_type == "dossiers",
            EventLogEntry.subject_id == dossier.id).order_by(EventLogEntry.id)).all()
    forms = {event.value: _form_fields(schema) for event, (schema, _rule) in EVENTS.items()}
    can_edit = may_edit(p)
    candidates = operations.qualified_assessors(dossier) if can_edit and dossier.state not in _CLOSED else []
    scheme = operations.scheme_of(dossier)
    declaration = {"source": scheme.source("prior_cki_lookback"),
                   "lookback": period(scheme.param("prior_cki_lookback")),
                   "informed_rule": scheme.param("initial_certification_sections")["informed_of_rules"]}
    return render_template("dossiers/show.html", d=view, dossier=dossier, history=history, forms=forms,
                           declaration=declaration, picture=_window_picture(dossier, view),
                           staff=p.is_staff, can_edit=can_edit, candidates=candidates,
                           state_label=state_label)


@bp.route("/<int:dossier_id>/stap/<event>", methods=["POST"])
@login_required
def fire(dossier_id, event):
    try:
        event = Event(event)
    except ValueError:
        abort(404)
    schema, _rule = EVENTS[event]
    if not may_fire(current_principal(), event):
        abort(403)
    dossier = load_dossier(dossier_id, for_update=True)
    before = dossier.state
    try:
        payload = _form_payload(schema)
        operations.fire_event(dossier, event, payload, expected_version=payload.pop("lock_version"))
    except ma.ValidationError as error:
        flash(_("Niet opgeslagen: %(errors)s", errors="; ".join(f"{field_label(k)}: {' '.join(map(str, v))}"
                                                               for k, v in error.messages.items())), "error")
        return redirect(url_for(".show", dossier_id=dossier_id)), 303
    except DomainError as error:
        db.session.rollback()
        flash(error.reason, "error")
        return redirect(url_for(".show", dossier_id=dossier_id)), 303
    db.session.commit()
    step, state = _(EVENT_LABELS[event]), state_label(dossier.state)
    flash(_("%(step)s: vastgelegd. Nieuwe status: %(state)s.", step=step, state=state) if dossier.state != before else
          _("%(step)s: vastgelegd. De status blijft %(state)s.", step=step, state=state), "info")
    return redirect(url_for(".show", dossier_id=dossier_id)), 303


@bp.route("/<int:dossier_id>/verklaring", methods=["POST"])
@login_required
def declaration(dossier_id):
    if not may_edit(current_principal()):
        abort(403)
    dossier = load_dossier(dossier_id, for_update=True)
    try:
        data = _form_payload(DeclarationSchema)
        operations.record_declaration(dossier, data, expected_version=data.pop("lock_version"))
    except ma.ValidationError as error:
        flash(_("Niet opgeslagen: %(errors)s", errors=str(error.messages)), "error")
        return redirect(url_for(".show", dossier_id=dossier_id)), 303
    except DomainError as error:
        db.session.rollback()
        flash(error.reason, "error")
        return redirect(url_for(".show", dossier_id=dossier_id)), 303
    db.session.commit()
    flash(_("Verklaring vastgelegd."), "info")
    return redirect(url_for(".show", dossier_id=dossier_id)), 303


_CLOSED = {s.value for s in TERMINAL}


@bp.route("/<int:dossier_id>/beoordelaar", methods=["POST"])
@login_required
def assign_assessor(dossier_id):
    """The planner assigns an assessor from the qualified staff (as POST /api/v1/dossiers/<id>/assessors)."""
    if not may_edit(current_principal()):
        abort(403)
    dossier = load_dossier(dossier_id, for_update=True)
    try:
        data = _form_payload(AssessorSchema)
        operations.assign_assessor(dossier, data["user_id"], expected_version=data["lock_version"])
    except ma.ValidationError:
        flash(_("Niet toegewezen: kies een beoordelaar uit de lijst."), "error")
        return redirect(url_for(".show", dossier_id=dossier_id)), 303
    except DomainError as error:
        db.session.rollback()
        flash(_("Niet toegewezen: %(reason)s", reason=error.reason), "error")
        return redirect(url_for(".show", dossier_id=dossier_id)), 303
    db.session.commit()
    flash(_("Beoordelaar toegewezen."), "info")
    return redirect(url_for(".show", dossier_id=dossier_id)), 303


@bp.route("/toestandsdiagram")
@login_required
def diagram():
    """The steps of an application as a picture, for staff; with ``?dossier=``, that dossier's state
    highlighted. A company follows its application on its dossier page, not in this diagram."""
    if not current_principal().is_staff:
        abort(403)
    dossier = load_dossier(form_int(request.args.get("dossier"))) if request.args.get("dossier") else None
    current = State(dossier.state) if dossier else None
    return render_template("dossiers/diagram.html", source=mermaid(current=current, translate=_), dossier=dossier,
                           current=state_label(current) if current else None)
