"""The pages that run third-party script (Swagger UI, Redoc, Mermaid) work under the app's
Content-Security-Policy, which allows no inline script: nothing is blocked, everything draws."""
import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _violations(page):
    found = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


def test_api_docs_draw_under_the_csp(live_server, page):
    violations = _violations(page)
    page.goto(f"{live_server}/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "cki" in page.locator(".swagger-ui .info .title").inner_text()
    page.goto(f"{live_server}/api/v1/redoc")
    page.locator("h1").first.wait_for()
    assert violations == []


def test_the_state_diagram_draws_under_the_csp(tenant, live_server, page):
    violations = _violations(page)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", tenant.emails["planner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/dossiers/toestandsdiagram")
    page.locator("pre.mermaid svg").wait_for()
    page.goto(f"{live_server}/dossiers/")
    page.select_option("select[name=state]", "submitted")  # the filter submits itself (app.js)
    page.wait_for_url("**state=submitted")
    assert violations == []
