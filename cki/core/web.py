"""Web UI plumbing: CSRF, template helpers, the start page."""
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from werkzeug.routing import IntegerConverter

from cki.core.auth import current_principal
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.i18n import gettext, say
from cki.core.labels import label
from cki.core.schemas import MAX_INT, has_forbidden_characters
from workflows.text import nl_date, sentences

csrf = CSRFProtect()
talisman = Talisman()

#: The Content-Security-Policy: everything from the app itself, no inline script (the app's own
#: behaviour is in static/js), no framing. Inline *styles* are allowed: Redoc, Swagger UI and
#: Mermaid write style elements; a style cannot run code.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "worker-src": ["'self'", "blob:"],
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
home_bp = Blueprint("home", __name__)


@home_bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("home.dashboard"))


@home_bp.route("/begrippen")
def glossary_page():
    """The words the pages use, with their meaning and source (for everyone, also before login)."""
    from cki.core.glossary import entry, glossary

    terms = [entry(t["key"]) for t in glossary()]
    return render_template("glossary.html", terms=sorted(terms, key=lambda t: t["term"]))


@home_bp.route("/start")
@login_required
def dashboard():
    """The start page: the person's work list, which a domain provides (``cki.work_list``: a
    function giving sections of items, each one click from where it is done)."""
    build = current_app.extensions.get("cki.work_list")
    return render_template("home.html", sections=build() if build else [])


def _local(value):
    """A date as people read it here (27-03-2027), a UTC timestamp in the display time zone
    (Europe/Amsterdam); an ISO date string (from a rule's result) the same way. The API keeps ISO."""
    if value is None:
        return ""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        tz = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
        return value.astimezone(tz).strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return nl_date(value)
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: at most the database's INTEGER, so a larger id is a 404
    like any unknown id, never a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT)
        super().__init__(url_map, *args, **kwargs)


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_unstorable_text():
    """A NUL byte or a lone surrogate in a query or form field is refused (422, naming the field)
    before any page or API route reads it: the database cannot store it. JSON and CSV input is
    checked by the schemas (cki.core.schemas)."""
    sources = [("query", request.args)]
    if request.mimetype in _FORMS:
        sources.append(("form", request.form))
    for location, values in sources:
        for key, value in values.items(multi=True):
            if has_forbidden_characters(key) or has_forbidden_characters(value):
                raise DomainError(key if not has_forbidden_characters(key) else "?", "Het veld bevat een teken dat "
                                  "niet is toegestaan (een NUL-teken of een los surrogaat).", location=location)


def _no_store(response):
    """Nothing the app answers is kept by a browser or proxy cache (pages behind a login, API
    answers with a tenant's data); only the static files are cacheable."""
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_security_headers(app) -> None:
    """Every response carries the security headers (flask-talisman): the CSP above, framing
    forbidden, nosniff, a same-origin referrer policy; HSTS when served over HTTPS."""
    talisman.init_app(app, force_https=False, content_security_policy=CSP, frame_options="DENY",
                      referrer_policy="same-origin", session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
                      session_cookie_http_only=True, session_cookie_samesite="Lax")
    app.after_request(_no_store)


def init_routing(app) -> None:
    """Before any route is added: ids in paths are bounded (:class:`IdConverter`)."""
    app.url_map.converters["int"] = IdConverter


def init_web(app) -> None:
    from cki.users.models import ROLE_LABELS, Role

    app.register_blueprint(home_bp)
    app.before_request(refuse_unstorable_text)
    init_security_headers(app)
    app.add_template_filter(_local, "local")
    app.add_template_filter(label, "label")  # the label of a stored code (cki.core.labels)
    # A label or a rule's message held in a variable, translated: plain text, never markup nor
    # %-formatted as _() is
    app.add_template_filter(say, "translate")
    from cki.core.glossary import term

    app.jinja_env.globals.update(
        term=term,
        principal=current_principal,
        role_label=lambda r: gettext(ROLE_LABELS[Role(r)]) if r in set(Role) else r)


def refusal(error: DomainError | ma.ValidationError) -> str:
    """What a page says when its form was refused: the domain's reason, or each field's."""
    if isinstance(error, DomainError):
        return error.reason
    return sentences(f"{k}: {sentences(map(str, v))}" for k, v in error.messages.items())


def submit(act, done_url: str):
    """Run a page's form action: ``act()`` returns the message to flash (or the message and the URL
    to go to). Done: committed, flashed, redirected. Refused: rolled back, nothing written, and
    ``(reason, status)`` returned for the page to show with its form."""
    try:
        result = act()
    except (DomainError, ma.ValidationError) as refused:
        db.session.rollback()
        return refusal(refused), getattr(refused, "status", 422)
    message, url = result if isinstance(result, tuple) else (result, done_url)
    db.session.commit()
    flash(message, "info")
    return redirect(url)


def form_int(value) -> int:
    """A form's id field as a number; 0 (which names no row) when it is none."""
    try:
        number = int(str(value or "0").strip(), 10)
    except ValueError:
        return 0
    return number if 0 < number <= MAX_INT else 0
