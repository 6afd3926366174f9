"""A planner plans an audit and an auditor completes it on a tablet-sized window, in a real browser;
what the auditor typed survives a save that failed for a lost connection."""
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser import login
from tests.test_surveillance import certify, declare_clear

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}  # a 10-inch tablet, portrait


@pytest.fixture
def clock_start():
    return "2026-11-24"


def test_a_planner_plans_and_an_auditor_completes_an_audit_on_a_tablet(app, client, tenant, clock, live_server, page):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    page.set_viewport_size(TABLET)

    login(page, live_server, tenant.emails["planner"])
    page.goto(f"{live_server}/certificaten/{cid}")
    form = page.locator("form[action$='/beoordelingen']")
    form.locator("select[name=kind]").select_option("branch")
    form.locator("input[name=planned_on]").fill("2026-11-24")
    form.locator("select[name=auditor_ids]").select_option(str(tenant.ids["user_assessor"]))
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("Beoordeling gepland op 24-11-2026")
    page.click("button:has-text('Uitloggen')")

    login(page, live_server, tenant.emails["assessor"])
    page.goto(f"{live_server}/certificaten/{cid}")
    page.click("text=rapport")
    page.wait_for_load_state("load")
    lines = page.locator("fieldset.line")
    count = lines.count()
    assert count >= 4
    # the first answer is typed, then the connection drops while saving: nothing is lost
    lines.nth(0).locator("label.choice:has-text('Afwijking')").click()
    lines.nth(0).locator("select").select_option("B")
    lines.nth(0).locator("textarea").fill("Register van klachten ontbreekt.")
    failed = []

    def drop_the_save(route):
        if route.request.method == "POST":
            failed.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/rapport", drop_the_save)
    page.click("button[value=save]", no_wait_after=True)
    page.wait_for_timeout(500)
    page.unroute("**/rapport")
    assert failed  # the save never reached the server
    page.goto(f"{live_server}/certificaten/{cid}")
    page.click("text=rapport")
    expect(page.locator("#hersteld")).to_be_visible()
    expect(lines.nth(0).locator("textarea")).to_have_value("Register van klachten ontbreekt.")
    # every other line conform, then submit to the team leader
    for i in range(1, count):
        lines.nth(i).locator("label.choice:has-text('Conform')").click()
    page.click("button[value=submit]")
    expect(page.locator(".flash")).to_contain_text("Rapport ingediend bij de teamleider")
    # the page fits the tablet: nothing wider than the window
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 5)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"], wide
    report = client.get(f"/api/v1/audits?certificate_id={cid}", headers=tenant.auth("planner")).json[0]
    assert report["status"] == "done"
