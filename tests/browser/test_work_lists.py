"""In a real browser: each role logs in and finds its work list on the start page, with a real item
of what it has to do now, one click from where it is done (issue: the start page is a work list)."""
import pytest
from playwright.sync_api import expect

from tests.browser import login
from tests.test_findings import finding_of
from tests.test_surveillance import plan

pytestmark = pytest.mark.browser


@pytest.fixture
def clock_start():
    return "2026-04-23"


def _work(app, client, tenant, clock):
    """Something for every role: a report letter to send, a programme with audits open, an audit
    planned and its report submitted, an intention answered, a template draft."""
    cid, f = finding_of(app, client, tenant, clock, category="B")  # the office: the report letter
    audit = plan(client, tenant, cid, kind="branch", planned_on="2026-04-23").json  # the planner: the programme
    me = tenant.auth("assessor")
    url = f"/api/v1/audits/{audit['id']}/report"
    items = client.get("/api/v1/checklists?scheme=SC-540&kind=branch", headers=me).json["items"]
    v = client.put(url, json={"lock_version": 0, "answers": {i["key"]: {"outcome": "conform"} for i in items}},
                   headers=me).json["lock_version"]
    client.post(f"{url}/submit", json={"lock_version": v, "done_on": "2026-04-23"}, headers=me)  # the team leader
    plan(client, tenant, cid, kind="branch", planned_on="2026-05-20")  # the assessor: an audit to do
    intended = client.post(f"/api/v1/certificates/{cid}/intended-decisions", headers=tenant.auth("decider"),
                           json={"kind": "suspend", "reason": "Stillegging", "sent_on": "2026-04-23"}).json
    client.post(f"/api/v1/intended-decisions/{intended['id']}/zienswijze", headers=tenant.auth("company1"),
                json={"text": "Opgeheven."})  # the decider: a zienswijze to weigh
    client.post("/api/v1/letter-templates", headers=tenant.auth("quality_manager"),
                json={"kind": "reminder", "subject": "Herinnering: {{ waarover }}", "body": "{{ wat }}"})
    return cid


EXPECTED = {  # role: (section, text of an item in it)
    "office": ("Brieven te verzenden", "rapport van de"),
    "planner": ("Mijn termijnen", "nog uit te voeren"),
    "team_leader": ("Rapporten te beoordelen", "Rapport van beoordeling"),
    "decider": ("Te beslissen", "Zienswijze wegen"),
    "assessor": ("Mijn beoordelingen", "Beoordeling"),
    "quality_manager": ("Goed te keuren en te bewaken", "Briefsjabloon reminder"),
    "company1": ("Brieven aan u", "voornemen tot schorsing"),
}


def test_each_role_finds_its_work_list(app, client, tenant, clock, live_server, page):
    _work(app, client, tenant, clock)
    for who, (section, item) in EXPECTED.items():
        login(page, live_server, tenant.emails[who])
        box = page.locator("section.worklist", has=page.locator(f"h3:has-text('{section}')"))
        expect(box).to_be_visible()
        link = box.locator(f"a:has-text('{item}')").first
        expect(link).to_be_visible()
        link.click()  # one click to where it is done
        expect(page).not_to_have_url(f"{live_server}/start")
        expect(page.locator("h1")).to_be_visible()
        page.click("button:has-text('Uitloggen')")
