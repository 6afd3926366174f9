"""In a real browser, the roles not covered by the other browser tests each log in and do one real
task on the pages: the decider weighs a zienswijze, the quality manager approves a letter template,
the admin adds a colleague, the read-only reviewer finds a certificate through the search box.
(The planner takes an application into treatment, the office sends a letter, the company answers a
finding, the team leader closes it, the assessor fills a checklist on a tablet: the other tests.)"""
import pytest
from playwright.sync_api import expect

from tests.browser import login
from tests.browser.test_work_lists import _work

pytestmark = pytest.mark.browser


@pytest.fixture
def clock_start():
    return "2026-04-23"


def test_decider_quality_manager_admin_and_reviewer_each_do_their_task(app, client, tenant, clock, live_server,
                                                                        page):
    cid = _work(app, client, tenant, clock)

    login(page, live_server, tenant.emails["decider"])  # weighs the zienswijze from the work list
    page.locator("section.worklist a:has-text('Zienswijze wegen')").first.click()
    page.fill("textarea[name=weighing]", "De zienswijze overtuigt: de stillegging is opgeheven.")
    page.click("button[value=weigh]")
    expect(page.locator(".flash")).to_contain_text("Weging vastgelegd")
    page.context.clear_cookies()

    login(page, live_server, tenant.emails["quality_manager"])  # approves the template draft
    page.goto(f"{live_server}/post/sjablonen?kind=reminder")
    page.click("button[value=approve]")
    expect(page.locator(".flash")).to_be_visible()
    assert "in gebruik" in page.inner_text("main")
    page.context.clear_cookies()

    login(page, live_server, tenant.emails["admin"])  # adds a colleague
    page.click("text=Gebruikers")
    staff = page.locator("form:has(input[name=kind][value=staff])")
    staff.locator("input[name=name]").fill("Nieuwe Planner")
    staff.locator("input[name=email]").fill("nieuw@x.test")
    staff.locator("input[name=password]").fill("een-lang-wachtwoord")
    staff.locator("input[name=roles][value=planner]").check()
    staff.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Nieuwe Planner")
    page.context.clear_cookies()

    number = client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json["number"]
    login(page, live_server, tenant.emails["reviewer"])  # finds a certificate through the search box
    page.fill("#search-q", number)
    page.press("#search-q", "Enter")
    page.click(f"a:has-text('{number}')")
    expect(page.locator("h1")).to_contain_text(number)
