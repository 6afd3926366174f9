"""The web UI: login with CSRF and rate limiting, Dutch pages, role-scoped views."""
import re

from tests.conftest import PASSWORD


def _csrf(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def login(client, email, password=PASSWORD):
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": _csrf(page.text)})


def post(client, url, /, **data):
    """A form post with the session's CSRF token, following the redirect."""
    token = _csrf(client.get("/start").text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=True)


def test_login_page_is_dutch_and_login_works(client, tenant):
    page = client.get("/login")
    assert page.status_code == 200 and "Inloggen" in page.text and "Wachtwoord" in page.text
    r = login(client, tenant.emails["planner"])
    assert r.status_code == 302
    home = client.get("/start")
    assert "Welkom, planner X" in home.text and "Planner" in home.text


def test_login_without_csrf_token_is_refused(client, tenant):
    r = client.post("/login", data={"email": tenant.emails["planner"], "password": PASSWORD})
    assert r.status_code == 400
    assert client.get("/start").status_code == 302  # still not logged in


def test_wrong_password_shows_a_dutch_error(client, tenant):
    r = login(client, tenant.emails["planner"], "fout-wachtwoord")
    assert r.status_code == 401 and "Onjuist e-mailadres of wachtwoord" in r.text


def test_login_is_rate_limited(app, client, tenant):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [login(client, tenant.emails["planner"], "fout").status_code for _ in range(5)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert codes[:3] == [401, 401, 401] and 429 in codes[3:]


def test_open_redirect_after_login_is_ignored(client, tenant):
    page = client.get("/login")
    r = client.post("/login?next=https://evil.example/", data={
        "email": tenant.emails["planner"], "password": PASSWORD, "csrf_token": _csrf(page.text)})
    assert r.headers["Location"].endswith("/start")


def test_staff_register_a_company_and_a_branch(client, tenant):
    login(client, tenant.emails["office"])
    page = client.get("/bedrijven/")
    r = client.post("/bedrijven/", data={"name": "Nieuw B.V.", "place": "Delft", "kvk_number": "123",
                                         "csrf_token": _csrf(page.text)})
    assert r.status_code == 422 and "precies 8 cijfers" in r.text
    r = client.post("/bedrijven/", data={"name": "Nieuw B.V.", "place": "Delft", "kvk_number": "55554444",
                                         "csrf_token": _csrf(page.text)}, follow_redirects=True)
    assert r.status_code == 200 and "Nieuw B.V." in r.text and "55554444" in r.text
    r = client.post(r.request.path, data={"address": "Markt 1, Delft", "csrf_token": _csrf(r.text)},
                    follow_redirects=True)
    assert "Markt 1, Delft" in r.text


def test_company_user_sees_own_company_not_others(client, tenant, other_tenant):
    login(client, tenant.emails["company1"])
    assert client.get("/bedrijven/").headers["Location"].endswith(f"/bedrijven/{tenant.ids['company1']}")
    assert client.get(f"/bedrijven/{tenant.ids['company1']}").status_code == 200
    assert client.get(f"/bedrijven/{tenant.ids['company2']}").status_code == 404
    assert client.get(f"/bedrijven/{other_tenant.ids['company1']}").status_code == 404
    page = client.get(f"/bedrijven/{tenant.ids['company1']}")
    assert "Vestiging toevoegen" not in page.text
    r = client.post(f"/bedrijven/{tenant.ids['company1']}", data={"address": "X", "csrf_token": _csrf(
        client.get("/login").text)})
    assert r.status_code == 403


def test_pages_need_login(client):
    r = client.get("/bedrijven/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_no_page_or_asset_loads_anything_from_the_internet():
    """CKI networks may be offline: templates and served assets name no CDN or font host."""
    import pathlib

    cdn = re.compile(r"https?://(cdn\.|unpkg\.com|cdnjs\.|cdn\.jsdelivr|fonts\.googleapis|fonts\.gstatic|"
                     r"ajax\.googleapis)")
    root = pathlib.Path(__file__).resolve().parent.parent / "cki"
    files = [p for p in root.rglob("*") if p.suffix in {".html", ".js", ".css"}]
    assert len(files) > 10
    offenders = [str(p.relative_to(root)) for p in files if cdn.search(p.read_text(errors="ignore"))]
    assert offenders == []
