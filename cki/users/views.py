from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from cki.core.i18n import gettext as _
from cki.core.i18n import lazy_gettext
from cki.core.limits import account_limit, login_limit
from cki.users.auth import authenticate, end_session, start_session

bp = Blueprint("auth", __name__, template_folder="templates")


def uses_api() -> bool:
    """Whether the menu shows the API documentation: to admins (they manage API clients) and to
    whoever holds an API token; the others never need it."""
    import sqlalchemy as sa

    from cki.core.auth import current_principal
    from cki.core.db import db
    from cki.users.models import ApiToken, Role

    principal = current_principal()
    if principal is None or principal.user_id is None:
        return False
    return principal.has_any(Role.ADMIN) or db.session.scalar(
        sa.select(ApiToken.id).where(ApiToken.user_id == principal.user_id).limit(1)) is not None


@bp.record_once
def _install(state):
    state.app.jinja_env.globals["uses_api"] = uses_api


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mailadres"), validators=[DataRequired(lazy_gettext("Vul uw e-mailadres in."))])
    password = PasswordField(lazy_gettext("Wachtwoord"),
                             validators=[DataRequired(lazy_gettext("Vul uw wachtwoord in."))])


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login would help phishing.
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@login_limit
@account_limit
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Onjuist e-mailadres of wachtwoord."), "error")
    return render_template("users/login.html", form=form), (200 if request.method == "GET" or form.errors else 401)


@bp.route("/taal", methods=["POST"])
def language():
    """The language of the pages: the signed-in person's choice is kept with them (and logged);
    before login it is kept for this browser."""
    from flask import session
    from flask_login import current_user

    from cki.core.db import db
    from cki.core.i18n import chosen
    from cki.users import operations

    language = chosen(request.form.get("language", ""), location="form")
    if current_user.is_authenticated:
        operations.set_language(current_user, language)
        db.session.commit()
    session["language"] = language
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Logged out, the session is gone; the language of the pages stays with this browser."""
    from cki.core.i18n import DEFAULT, current_language

    language = current_language()
    end_session()
    if language != DEFAULT:
        session["language"] = language
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))
