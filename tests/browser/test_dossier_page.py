"""A planner moves a dossier one step in a real browser and sees the new state."""
import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_planner_takes_an_application_into_treatment(client, tenant, live_server, page):
    planner = tenant.auth("planner")
    d = client.post("/api/v1/dossiers", json={"company_id": tenant.ids["company1"], "scheme": "SC-540",
                                              "applied_on": "2026-11-02"}, headers=planner).json
    d = client.post(f"/api/v1/dossiers/{d['id']}/declaration", headers=planner, json={
        "lock_version": d["lock_version"], "declared_on": "2026-11-02", "held_or_applied_elsewhere": False,
        "informed_of_rules": True}).json

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", tenant.emails["planner"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/dossiers/{d['id']}")
    assert page.inner_text("#dossier-state") == "Aanvraag ontvangen"

    action = page.locator("details.action[data-event=take_into_treatment]")
    action.locator("summary").click()
    action.locator("button[type=submit]").click()

    page.wait_for_selector("#dossier-state")
    assert page.inner_text("#dossier-state") == "Documentatiebeoordeling"
    assert "Aanvraag in behandeling nemen: vastgelegd. Nieuwe status: Documentatiebeoordeling." in page.inner_text("main")
    # the picture of the steps, drawn in the browser, with this dossier's state highlighted
    page.click("text=Waar staat dit dossier?")
    page.wait_for_selector(".diagram svg g.current")
    assert "Documentatiebeoordeling" in page.locator(".diagram svg g.current").first.text_content()
