"""Web UI plumbing: CSRF, template helpers, the start page."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import CSRFProtect

from cki.core.auth import current_principal
from cki.core.labels import label

csrf = CSRFProtect()
home_bp = Blueprint("home", __name__)


@home_bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("home.dashboard"))


@home_bp.route("/start")
@login_required
def dashboard():
    return render_template("home.html")


def _local(value):
    """Show a UTC timestamp in the display time zone (Europe/Amsterdam)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        tz = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
        return value.astimezone(tz).strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return value


def init_web(app) -> None:
    from cki.users.models import ROLE_LABELS, Role

    app.register_blueprint(home_bp)
    app.add_template_filter(_local, "local")
    app.add_template_filter(label, "label")  # Dutch label of a stored code (cki.core.labels)
    app.jinja_env.globals.update(
        principal=current_principal,
        role_label=lambda r: ROLE_LABELS.get(Role(r), r))
