"""In a real browser: each role logs in and finds its work list on the start page, with what it has
to do now one click away (issue: the start page is a work list)."""
import pytest
from playwright.sync_api import expect

from tests.browser import login
from tests.test_findings import finding_of

pytestmark = pytest.mark.browser


@pytest.fixture
def clock_start():
    return "2026-04-23"


EXPECTED = {
    "office": ("Brieven te verzenden", "rapport van de"),
    "team_leader": ("Rapporten te beoordelen", None),
    "decider": ("Te beslissen", None),
    "planner": ("Planning", "Weekplanning"),
    "assessor": ("Mijn beoordelingen", None),
    "quality_manager": ("Goed te keuren en te bewaken", None),
    "company1": ("Uw termijnen", None),
}


def test_each_role_finds_its_work_list(app, client, tenant, clock, live_server, page):
    cid, f = finding_of(app, client, tenant, clock, category="B")  # the office has a report letter to send
    for who, (section, item) in EXPECTED.items():
        login(page, live_server, tenant.emails[who])
        expect(page.locator("h2:has-text('Werklijst')")).to_be_visible()
        expect(page.locator(f"section.worklist h3:has-text('{section}')")).to_be_visible()
        if item:
            link = page.locator(f"section.worklist a:has-text('{item}')").first
            expect(link).to_be_visible()
            link.click()
            expect(page).not_to_have_url(f"{live_server}/start")
        page.goto(f"{live_server}/start")
        page.click("button:has-text('Uitloggen')")
    # the office sends the letter; the company then finds its own deadline (N2) on its start page
    office = tenant.auth("office")
    [letter] = client.get("/api/v1/letters?status=waiting", headers=office).json
    clock("2026-04-24")
    client.post(f"/api/v1/letters/{letter['id']}/dispatch", json={"sent_on": "2026-04-24", "channel": "post"},
                headers=office)
    login(page, live_server, tenant.emails["company1"])
    expect(page.locator("section.worklist").first).to_contain_text("corrigerende maatregelen")
