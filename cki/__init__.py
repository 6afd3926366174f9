"""cki: workflow system for CKIs certifying asbestos companies (SC-540, SC-530)."""
import os
import secrets
from pathlib import Path

from flask import Flask

import config

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _secret_key(instance_path: str) -> str:
    # One generated key per installation, so sessions survive a restart of `make run`.
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(overrides: dict | None = None) -> Flask:
    """Application factory. ``overrides`` win over environment and defaults."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)

    settings = config.load()
    settings.update(overrides or {})
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "cki.sqlite3")
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _secret_key(app.instance_path)
    app.config.update(settings)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"

    from cki.core.web import init_routing

    init_routing(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)

    if app.config["SCHEDULER_ENABLED"]:
        from cki.jobs.scheduler import start_scheduler

        start_scheduler(app)
    return app


def _init_extensions(app: Flask) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    from cki import models  # noqa: F401  (the whole schema, for Alembic)
    from cki.core.api import handle_unexpected, init_api
    from cki.core.auth import login_manager, set_principal_resolver
    from cki.core.db import configure_sqlite, db, migrate
    from cki.core.errors import DomainError, handle_domain_error, handle_stale_data
    from cki.core.i18n import init_i18n
    from cki.core.limits import limiter
    from cki.core.web import csrf, init_web
    from cki.users.auth import resolve_principal

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    with app.app_context():
        configure_sqlite(db.engine)
    login_manager.init_app(app)
    set_principal_resolver(app, resolve_principal)
    csrf.init_app(app)
    limiter.init_app(app)
    init_api(app)
    init_i18n(app)
    init_web(app)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(Exception, handle_unexpected)


def _register_blueprints(app: Flask) -> None:
    from cki.certificates import api as certificates_api
    from cki.certificates import views as certificates_views
    from cki.companies import api as companies_api
    from cki.companies import views as companies_views
    from cki.core.api import api
    from cki.core.web import csrf
    from cki.deadlines import api as deadlines_api
    from cki.deadlines import views as deadlines_views
    from cki.dossiers import api as dossiers_api
    from cki.dossiers import views as dossiers_views
    from cki.events import api as events_api
    from cki.events import reads
    from cki.findings import api as findings_api
    from cki.findings import views as findings_views
    from cki.letters import api as letters_api
    from cki.letters import views as letters_views
    from cki.meldingen import api as meldingen_api
    from cki.meldingen import bulk_api, lavs_api
    from cki.meldingen import views as meldingen_views
    from cki.register import api as register_api
    from cki.register import views as register_views
    from cki.rules import api as rules_api
    from cki.search import api as search_api
    from cki.search import views as search_views
    from cki.surveillance import api as surveillance_api
    from cki.surveillance import records_api
    from cki.surveillance import views as surveillance_views
    from cki.tenants import api as tenants_api
    from cki.users import admin_views
    from cki.users import api as users_api
    from cki.users import views as users_views

    for module in (users_api, companies_api, tenants_api, events_api, rules_api, dossiers_api,
                   meldingen_api, lavs_api, bulk_api, records_api, register_api, certificates_api, surveillance_api,
                   findings_api, letters_api, deadlines_api, search_api):
        api.register_blueprint(module.blp)
        csrf.exempt(module.blp)  # the API authenticates with bearer tokens, not cookies
    for module in (users_views, companies_views, dossiers_views, meldingen_views, certificates_views,
                   surveillance_views, findings_views, letters_views, deadlines_views, register_views, search_views,
                   admin_views):
        app.register_blueprint(module.bp)
    reads.init_app(app)


def _register_cli(app: Flask) -> None:
    from cki.cli import register

    register(app)
