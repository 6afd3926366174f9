"""Credentials can be ended, and the web's own defences: server-side sessions, revocable tokens,
API clients that are deactivated, rotated and expire, login limits per account, CSRF on the API
for cookie sessions, and the security headers on every response."""
import re
from datetime import timedelta
from pathlib import Path

import pytest

from cki.core.db import db, utcnow
from tests.conftest import PASSWORD
from tests.test_web import _csrf, login


def _page_ok(client) -> bool:
    r = client.get("/start")
    return r.status_code == 200


def test_logout_ends_the_session_on_the_server(app, client, tenant):
    assert login(client, tenant.emails["planner"]).status_code == 302
    cookie = client.get_cookie("session").value
    assert _page_ok(client)
    client.post("/logout", data={"csrf_token": _csrf(client.get("/start").text)})
    # The old cookie, replayed (as a thief who copied it would), no longer logs in.
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    r = thief.get("/start")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


@pytest.mark.parametrize("change", [{"password": "een nieuw wachtwoord"}, {"active": False}])
def test_a_password_change_or_deactivation_ends_every_session_and_token(app, client, tenant, change):
    browser = app.test_client()
    assert login(browser, tenant.emails["assessor"]).status_code == 302
    token = client.post("/api/v1/auth/tokens", json={"email": tenant.emails["assessor"], "password": PASSWORD}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    uid = tenant.ids["user_assessor"]
    r = client.patch(f"/api/v1/users/{uid}", json=change, headers=tenant.auth("admin"))
    assert r.status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=tenant.auth("assessor")).status_code == 401
    assert browser.get("/start").status_code == 302
    if change.get("active") is False:  # re-activation revives nothing
        client.patch(f"/api/v1/users/{uid}", json={"active": True}, headers=tenant.auth("admin"))
        assert client.get("/api/v1/me", headers=headers).status_code == 401
        assert browser.get("/start").status_code == 302
    events = client.get(f"/api/v1/events?subject_type=users&subject_id={uid}", headers=tenant.auth("admin")).json
    assert "beëindigd" in events[-1 if change.get("password") else -2]["note"]


def test_a_user_revokes_its_own_tokens(client, tenant):
    def new_token():
        r = client.post("/api/v1/auth/tokens", json={"email": tenant.emails["planner"], "password": PASSWORD})
        return r.json["id"], {"Authorization": f"Bearer {r.json['token']}"}

    (first_id, first), (_, second) = new_token(), new_token()
    listed = client.get("/api/v1/auth/tokens", headers=second).json
    assert {t["id"] for t in listed} >= {first_id} and sum(t["current"] for t in listed) == 1
    assert "token" not in listed[0]
    assert client.delete(f"/api/v1/auth/tokens/{first_id}", headers=second).status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.delete("/api/v1/auth/tokens/current", headers=second).status_code == 204
    assert client.get("/api/v1/me", headers=second).status_code == 401
    # another user's token is not yours to revoke
    other = client.get("/api/v1/auth/tokens", headers=tenant.auth("office")).json[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{other}", headers=tenant.auth("assessor")).status_code == 404
    assert client.get("/api/v1/me", headers=tenant.auth("office")).status_code == 200


def test_an_api_client_is_deactivated_rotated_and_expires(app, client, tenant):
    admin, cid = tenant.auth("admin"), tenant.ids["api_client"]
    sca = tenant.auth("sca")
    assert client.get("/api/v1/register/messages", headers=sca).status_code == 200
    r = client.patch(f"/api/v1/api-clients/{cid}", json={"active": False}, headers=admin)
    assert r.status_code == 200 and r.json["active"] is False
    assert client.get("/api/v1/register/messages", headers=sca).status_code == 401
    client.patch(f"/api/v1/api-clients/{cid}", json={"active": True}, headers=admin)
    assert client.get("/api/v1/register/messages", headers=sca).status_code == 200

    rotated = client.post(f"/api/v1/api-clients/{cid}/rotate", headers=admin).json
    new = {"Authorization": f"Bearer {rotated['token']}"}
    assert client.get("/api/v1/register/messages", headers=sca).status_code == 401
    assert client.get("/api/v1/register/messages", headers=new).status_code == 200
    assert "token" not in client.get("/api/v1/api-clients", headers=admin).json[0]

    past = (utcnow() - timedelta(minutes=1)).isoformat()
    r = client.patch(f"/api/v1/api-clients/{cid}", json={"expires_at": past}, headers=admin)
    assert r.status_code == 422  # an expiry in the past is a mistake, not a way to stop it
    from cki.users.models import ApiClient
    with app.app_context():
        db.session.get(ApiClient, cid).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/register/messages", headers=new).status_code == 401


def test_a_new_api_client_expires_after_a_year_by_default(client, tenant):
    r = client.post("/api/v1/api-clients", json={"name": "Systeem", "kind": "company_system",
                                                 "company_id": tenant.ids["company1"]}, headers=tenant.auth("admin"))
    assert r.status_code == 201 and r.json["token"]
    assert r.json["expires_at"][:10] == (utcnow() + timedelta(days=365)).date().isoformat()


def test_failed_logins_are_limited_per_account_from_any_address(app, client, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "3 per minute")
    email = tenant.emails["decider"]
    codes = []
    for n in range(5):  # each attempt from another address: the per-address limit does not see them
        env = {"REMOTE_ADDR": f"192.0.2.{n + 1}"}
        codes.append(client.post("/api/v1/auth/tokens", json={"email": email, "password": "fout"},
                                 environ_base=env).status_code)
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]
    # other accounts are not affected
    r = client.post("/api/v1/auth/tokens", json={"email": tenant.emails["office"], "password": PASSWORD},
                    environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert r.status_code == 201


def test_an_api_change_with_the_session_cookie_needs_the_csrf_token(client, tenant):
    login(client, tenant.emails["planner"])
    body = {"name": "Nieuw B.V.", "place": "Zeist", "kvk_number": "77777777"}
    r = client.post("/api/v1/companies", json=body)
    assert r.status_code == 403 and "CSRF" in r.json["message"]
    assert client.get("/api/v1/companies").status_code == 200  # reading with the cookie is fine
    token = _csrf(client.get("/start").text)
    r = client.post("/api/v1/companies", json=body, headers={"X-CSRFToken": token})
    assert r.status_code == 201


def test_every_response_carries_the_security_headers(client, tenant):
    login(client, tenant.emails["planner"])
    for path in ("/start", "/login", "/api/v1/companies", "/api/v1/docs", "/dossiers/toestandsdiagram"):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, path
        assert "frame-ancestors 'none'" in csp and r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"] == "same-origin"
        assert r.headers["Cache-Control"] == "no-store", path
    assert client.get("/static/css/app.css").headers.get("Cache-Control") != "no-store"


def test_no_template_has_inline_script():
    for template in Path("cki").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"{template}: inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template}: inline event handler"
