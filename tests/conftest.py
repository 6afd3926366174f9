"""Test fixtures. The suite runs on SQLite by default and on PostgreSQL when
``DATABASE_URL`` points there (``.ci/run`` does both). The schema is built by the
Alembic migrations, never by ``create_all``, so the migrations are tested on every run."""
import functools
import os
import tempfile
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from cki import create_app
from cki.core.auth import Principal
from cki.core.db import db

# Only a PostgreSQL URL switches the suite over; anything else runs on a fresh SQLite file.
# The URL is a superuser's: the suite makes the two roles production uses (README > Production),
# runs the migrations as the owner and the app as the app role, and cleans up as the superuser.
PG_URL = os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgresql") else ""
OWNER_ROLE, APP_ROLE = "cki_owner", "cki_app"


def as_role(url: str, role: str) -> str:
    return sa.engine.make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


@functools.cache
def superuser_engine():
    return sa.create_engine(PG_URL, poolclass=sa.pool.NullPool)


def _fresh_database() -> dict:
    """Settings for a fresh, empty database: on PostgreSQL the two roles and an empty schema
    owned by the owner role; else a new SQLite file."""
    if PG_URL:
        with superuser_engine().begin() as conn:
            for role in (OWNER_ROLE, APP_ROLE):
                if not conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar():
                    conn.execute(sa.text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA public AUTHORIZATION {OWNER_ROLE}"))
        return {"DATABASE_URL": as_role(PG_URL, APP_ROLE), "MIGRATION_DATABASE_URL": as_role(PG_URL, OWNER_ROLE)}
    return {"DATABASE_URL": "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="cki-test-"), "test.sqlite3")}


@pytest.fixture(scope="session")
def app():
    app = create_app({
        "TESTING": True,
        **_fresh_database(),
        "SECRET_KEY": "test-secret",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute",
        "SCHEDULER_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,
    })
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Every test starts from an empty (migrated) schema."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if PG_URL:  # the app's role may not empty the logs: the superuser does, past their triggers
            with superuser_engine().begin() as conn:
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            with db.engine.begin() as conn:
                for name in tables:
                    conn.execute(sa.text(f"DELETE FROM {name}"))


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class Tenant:
    """One CKI with staff of every role, two companies (each with a branch and a portal user)."""

    cki_id: int
    tokens: dict = field(default_factory=dict)   # role or company key -> bearer token
    ids: dict = field(default_factory=dict)      # named ids of rows in this tenant
    emails: dict = field(default_factory=dict)

    def auth(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


PASSWORD = "correct horse battery"
ROLES = ("admin", "planner", "assessor", "team_leader", "decider", "office", "quality_manager", "reviewer")


def build_tenant(app, tag: str, kvk_base: int) -> Tenant:
    from datetime import date

    from cki.companies import operations as companies
    from cki.tenants.models import Cki
    from cki.users import operations as users

    with app.test_request_context():
        cki = Cki(name=f"CKI {tag}", kvk_number=f"{kvk_base:08d}")
        db.session.add(cki)
        db.session.flush()
        from flask import g

        g.principal = Principal(cki_id=cki.id, label="test setup")
        tenant = Tenant(cki_id=cki.id)
        for role in ROLES:
            email = f"{role}@{tag.lower()}.test"
            user = users.create_user(cki.id, {"email": email, "name": f"{role} {tag}", "kind": "staff",
                                              "roles": [role], "password": PASSWORD})
            for function in {"assessor": ["assessor"], "team_leader": ["assessor", "team_leader"],
                             "decider": ["decider"]}.get(role, []):
                for scheme in ("SC-540", "SC-530"):
                    users.add_qualification(user, {"scheme": scheme, "function": function,
                                                   "valid_from": date(2020, 1, 1), "valid_to": None})
            tenant.tokens[role] = users.issue_token(user)[0]
            tenant.ids[f"user_{role}"] = user.id
            tenant.emails[role] = email
        for n in (1, 2):
            company = companies.create_company(cki.id, {"name": f"Bedrijf {tag}{n}", "place": "Utrecht",
                                                        "kvk_number": f"{kvk_base + n:08d}"})
            branch = companies.create_branch(company, {"address": f"Straat {n}, Utrecht", "name": None,
                                                       "kvk_number": None, "is_head_office": True})
            email = f"portal{n}@{tag.lower()}.test"
            user = users.create_user(cki.id, {"email": email, "name": f"Portaal {tag}{n}", "kind": "company",
                                              "company_id": company.id, "roles": [], "password": PASSWORD})
            tenant.tokens[f"company{n}"] = users.issue_token(user)[0]
            tenant.emails[f"company{n}"] = email
            tenant.ids[f"company{n}"] = company.id
            tenant.ids[f"branch{n}"] = branch.id
            tenant.ids[f"company_user{n}"] = user.id
        token, client = users.create_api_client(cki.id, {"name": f"SCA {tag}", "kind": "sca_register"})
        tenant.tokens["sca"] = token
        tenant.ids["api_client"] = client.id
        db.session.commit()
        return tenant


@pytest.fixture
def tenant(app) -> Tenant:
    return build_tenant(app, "X", 10000000)


@pytest.fixture
def other_tenant(app) -> Tenant:
    return build_tenant(app, "Z", 20000000)


@pytest.fixture
def as_user(app, tenant):
    """A test client logged in (through the login form) as ``who``: a role, or company1/company2."""
    from tests.test_web import login

    def make(who):
        client = app.test_client()
        assert login(client, tenant.emails[who]).status_code in (302, 303)
        return client
    return make


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port, for browser tests."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page():
    """A Playwright page in Debian's chromium (Playwright's own browser download is not used)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        page = browser.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


@pytest.fixture
def clock_start() -> str:
    """The frozen 'today' a test module starts on; override it in the module."""
    return "2026-11-24"


@pytest.fixture
def clock(app, clock_start):
    """Freeze 'today' (CLOCK_TODAY is honoured only under TESTING); call it to move on."""
    def set_today(day: str):
        app.config["CLOCK_TODAY"] = day
    set_today(clock_start)
    yield set_today
    app.config.pop("CLOCK_TODAY", None)


def give_certificate(app, tenant, company_id: int, *, issued_on, valid_until, number: str, holder: str,
                     kvk: str, scheme: str = "SC-530", place: str = "Utrecht") -> None:
    """A granted dossier with its certificate, written directly (tests that need a certified company)."""
    from cki.certificates.models import Certificate
    from cki.dossiers.models import Dossier

    with app.app_context():
        dossier = Dossier(cki_id=tenant.cki_id, company_id=company_id, scheme=scheme, scheme_version="x",
                          state="granted", applied_on=issued_on)
        db.session.add(dossier)
        db.session.flush()
        db.session.add(Certificate(cki_id=tenant.cki_id, company_id=company_id, dossier_id=dossier.id, scheme=scheme,
                                   number=number, holder_name=holder, holder_place=place, holder_kvk=kvk,
                                   branches=[], issued_on=issued_on, valid_until=valid_until, pdf=b"%PDF"))
        db.session.commit()


@pytest.fixture
def zuid(app, client, tenant) -> int:
    """The LAVS example messages' company (KvK 23456789) with its SC-530 certificate."""
    from datetime import date

    r = client.post("/api/v1/companies", json={"name": "Sloop & Sanering Zuid B.V.", "place": "Eindhoven",
                                               "kvk_number": "23456789"}, headers=tenant.auth("planner"))
    give_certificate(app, tenant, r.json["id"], issued_on=date(2026, 1, 5), valid_until=date(2029, 1, 4),
                     number="SC-530/2026/0001", holder="Sloop & Sanering Zuid B.V.", kvk="23456789",
                     place="Eindhoven")
    return r.json["id"]
