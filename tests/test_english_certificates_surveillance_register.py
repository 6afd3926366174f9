"""English on the pages of certificates (list, certificate with its programme, report, besluiten),
the planning board, the checklists and the register's page: the chosen language shows English,
Dutch stays the default; the API and the certificate itself stay Dutch."""
from datetime import date

import pytest

from tests.test_i18n import reader
from tests.test_surveillance import certify, declare_clear, plan
from tests.test_web import post


@pytest.fixture
def clock_start():
    return "2026-11-24"


@pytest.fixture
def certified(app, client, tenant, clock):
    """An SC-530 certificate with figures, a planned branch assessment and an intended withdrawal."""
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    client.post(f"/api/v1/certificates/{cid}/figures", json={
        "period_index": 0, "branch_id": tenant.ids["branch1"], "figures": {"project_days": 141}, "works": 8},
        headers=tenant.auth("planner"))
    audit = plan(client, tenant, cid, kind="branch", planned_on="2026-11-24").json
    r = client.post(f"/api/v1/certificates/{cid}/intended-decisions", headers=tenant.auth("decider"), json={
        "kind": "withdraw", "reason": "Maatregelen niet effectief.", "sent_on": "2026-11-24"})
    assert r.status_code == 201, r.json
    return cid, audit["id"]


def test_the_certificate_list_and_page_in_english_and_in_dutch(app, client, tenant, certified):
    cid, _ = certified
    nl = reader(app, tenant, "planner")
    assert "Geldig tot en met" in nl.get("/certificaten/").text
    dutch = nl.get(f"/certificaten/{cid}").text
    assert "Toezichtprogramma per periode" in dutch and "beoordeling op de vestiging" in dutch
    assert "Surveillance programme" not in dutch and "Plan an assessment" not in dutch
    en = reader(app, tenant, "planner", "en")
    listing = en.get("/certificaten/?ook_beeindigd=1").text
    assert "Valid up to and including" in listing and "also withdrawn and expired" in listing and ">valid<" in listing
    assert "Geldig tot en met" not in listing and ">geldig<" not in listing
    assert "No certificate found for “nothing”." in en.get("/certificaten/?q=nothing").text

    page = en.get(f"/certificaten/{cid}").text
    for text in ("Surveillance programme per period", "still to plan", "head office", "assessment at the branch",
                 "Plan an assessment", "Assessors", "No findings from final reports.", "person-days",
                 "decisions and letters", "All findings and assessments"):
        assert text in page, text
    for dutch in ("Toezichtprogramma per periode", "Beoordeling plannen", "beoordeling op de vestiging", "mandagen",
                  "hoofdvestiging", "Alle bevindingen en beoordelingen"):
        assert dutch not in page, dutch
    made = post(en, f"/certificaten/{cid}/beoordelingen", kind="branch", branch_id=tenant.ids["branch1"],
                planned_on="2026-12-01", auditor_ids=tenant.ids["user_assessor"])
    assert "Assessment planned on 01-12-2026." in made.text
    # the API speaks Dutch labels whoever asks, also to an English reader's browser
    assert client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json["status_label"] == "geldig"
    assert en.get(f"/api/v1/certificates/{cid}").json["status_label"] == "geldig"
    assert en.get(f"/api/v1/audits?certificate_id={cid}").json[0]["status_label"] == "gepland"


def test_the_report_page_in_english(app, client, tenant, certified):
    _, audit_id = certified
    url = f"/certificaten/beoordelingen/{audit_id}/rapport"
    assert "Concept opslaan" in reader(app, tenant, "assessor").get(url).text  # Dutch, the default
    en = reader(app, tenant, "assessor", "en")
    page = en.get(url).text
    for text in ("Save draft", "Conforming", "Nonconformity or remark", "Not applicable", "not started yet",
                 "Submit to the team leader", "Report: assessment at the branch"):
        assert text in page, text
    assert "Concept opslaan" not in page and "Niet van toepassing" not in page
    saved = post(en, url, action="save", lock_version=0)
    assert "Draft saved." in saved.text and "Add a photo" in saved.text
    assert "Concept opslaan" in reader(app, tenant, "assessor", "nl").get(url).text  # chosen again


def test_the_decisions_page_in_english(app, client, tenant, certified):
    cid, _ = certified
    en = reader(app, tenant, "decider", "en")
    page = en.get(f"/certificaten/{cid}/besluiten").text
    for text in ("Decisions on certificate", "Intended decisions (view)", "Withdrawal: Maatregelen niet effectief.",
                 "view due by", "Draft the letter", "At the holder's request", "Suspend"):
        assert text in page, text
    assert "Voornemens (zienswijze)" not in page and "Besluiten over certificaat" not in page
    assert "Besluiten over certificaat" in reader(app, tenant, "decider", "nl").get(f"/certificaten/{cid}/besluiten").text


def test_the_planning_board_and_the_checklists_in_english(app, client, tenant, certified):
    en = reader(app, tenant, "planner", "en")
    board = en.get("/planning/").text
    for text in ("Still to plan and behind", "Notifications starting this week", "Workload per assessor",
                 "this week", "1 at branch"):
        assert text in board, text
    assert "Nog te plannen en achterstand" not in board and "Belasting per beoordelaar" not in board
    assert "Belasting per beoordelaar" in reader(app, tenant, "planner", "nl").get("/planning/").text

    qm = reader(app, tenant, "quality_manager", "en")
    page = qm.get("/planning/checklists?scheme=SC-540&kind=regular").text
    assert "Save as a new version" in page and "Kind of assessment" in page and "Version 1" in page
    assert "regular location assessment (unannounced)" in page
    bad = post(qm, "/planning/checklists", scheme="SC-540", kind="regular", lines="zonder streep")
    assert "Line 1: write the requirement and the text as ‘requirement | text’." in bad.text
    saved = post(qm, "/planning/checklists", scheme="SC-540", kind="regular", lines="B §4.3.1 | Uitvoering")
    assert "Version 2 of the checklist has been saved." in saved.text
    assert "Opslaan als nieuwe versie" in reader(app, tenant, "quality_manager", "nl").get("/planning/checklists").text


def test_the_register_page_in_english(app, client, tenant, certified):
    cid, _ = certified
    r = client.post(f"/api/v1/certificates/{cid}/withdraw", headers=tenant.auth("decider"),
                    json={"on": "2026-11-24", "reason": "Op eigen verzoek.", "at_own_request": True})
    assert r.status_code == 200, r.json
    en = reader(app, tenant, "office", "en")
    page = en.get("/post/register/").text
    assert "Messages to the SCA certificate register" in page
    assert "Monthly overview of the running certificates (CSV)" in page
    assert any(status in page for status in (">queued", ">delivered", ">parked"))
    assert "Berichten aan het certificatenregister" not in page and "in de wachtrij" not in page
    nl = reader(app, tenant, "office", "nl").get("/post/register/").text
    assert "Berichten aan het certificatenregister van SCA" in nl
