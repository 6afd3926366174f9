"""In a real browser: an auditor records a category A finding in the report, the team leader
approves it, the office sends the report letter (its dispatch date completes T1), the company reads
it and answers with its corrective measures and a file in the portal, and the team leader closes
the finding at T4 (RULES.md §6)."""
import os
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import login
from tests.test_surveillance import certify, declare_clear, plan

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture
def clock_start():
    return "2026-04-23"


def _logout(page):
    page.click("button:has-text('Uitloggen')")


def test_an_a_finding_from_report_to_closed_at_t4(app, client, tenant, clock, live_server, page):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    declare_clear(client, tenant)
    audit = plan(client, tenant, cid, kind="branch", planned_on="2026-04-23").json

    login(page, live_server, tenant.emails["assessor"])
    page.goto(f"{live_server}/certificaten/beoordelingen/{audit['id']}/rapport")
    lines = page.locator("fieldset.line")
    lines.nth(0).locator("label.choice:has-text('Afwijking')").click()
    lines.nth(0).locator("select").select_option("A")
    lines.nth(0).locator("textarea").fill("Geen dossiers van projecten bewaard.")
    for i in range(1, lines.count()):
        lines.nth(i).locator("label.choice:has-text('Conform')").click()
    page.click("button[value=submit]")
    expect(page.locator(".flash")).to_contain_text("Rapport ingediend")
    _logout(page)

    login(page, live_server, tenant.emails["team_leader"])
    page.goto(f"{live_server}/certificaten/beoordelingen/{audit['id']}/rapport")
    page.click("button[value=approve]")
    expect(page.locator(".flash")).to_contain_text("definitief")
    page.goto(f"{live_server}/bevindingen/")
    page.click("table a[href*='/bevindingen/']")
    finding_url = page.url
    expect(page.locator("svg.timeline")).to_be_visible()
    expect(page.locator("p.note")).to_contain_text("verzenddatum telt")
    _logout(page)

    clock("2026-04-28")
    login(page, live_server, tenant.emails["office"])
    page.goto(f"{live_server}/post/")
    page.click("table a[href*='/post/brieven/']")
    expect(page.locator("pre.letter")).to_contain_text("Geen dossiers van projecten bewaard.")
    page.fill("input[name=sent_on]", "2026-04-28")
    page.select_option("select[name=channel]", "post")
    page.click("button[value=dispatch]")
    expect(page.locator(".flash")).to_contain_text("Verzending vastgelegd")
    _logout(page)

    clock("2026-04-30")
    login(page, live_server, tenant.emails["company1"])
    page.goto(finding_url)
    expect(page.locator("h2:has-text('Uw corrigerende maatregelen')")).to_be_visible()
    expect(page.locator("text=Verzonden 28-04-2026")).to_be_visible()  # the report letter, T1 done by it
    page.fill("textarea[name=text]", "Alle dossiers worden voortaan centraal bewaard.")
    page.set_input_files("input[name=file]", files=[{"name": "werkinstructie.pdf", "mimeType": "application/pdf",
                                                     "buffer": b"%PDF-1.4 werkinstructie"}])
    page.click("button[value=step]")
    expect(page.locator(".flash")).to_contain_text("Stap vastgelegd")
    expect(page.locator("a:has-text('werkinstructie.pdf')")).to_be_visible()
    _logout(page)

    clock("2026-05-18")
    login(page, live_server, tenant.emails["team_leader"])
    page.goto(finding_url)
    page.fill("input[name=completed_on]", "2026-05-12")
    page.click("button[value=step]")
    expect(page.locator(".flash")).to_contain_text("Stap vastgelegd")
    page.fill("input[name=completed_on]", "2026-05-18")
    page.select_option("select[name=outcome]", "complies")
    page.click("button[value=step]")
    expect(page.locator("dl.facts")).to_contain_text("afgesloten")
    if os.environ.get("CKI_SCREENSHOTS"):  # `make screenshots`: the README's picture of a finding's timeline
        page.set_viewport_size({"width": 1000, "height": 1400})
        box = page.locator("svg.timeline").bounding_box()
        table = page.locator("svg.timeline ~ table").first.bounding_box()
        top = box["y"] - 56
        page.screenshot(path=str(SCREENSHOTS / "finding-timeline.png"), clip={
            "x": 0, "y": top, "width": 1000, "height": table["y"] + table["height"] - top + 10})
