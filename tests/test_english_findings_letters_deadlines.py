"""English on the pages of findings (list, one finding with its timeline, the decider's queue, the
authorities' sanctions), the post register (letters, objections, templates), deadlines and messages,
the start page's work list and the error pages: the chosen language shows English, Dutch stays the
default; what is stored (a step's text, a decision's subject), the letters and the API stay Dutch."""
import html
import re
from datetime import date

import pytest

from tests.test_findings import finding_of, step
from tests.test_i18n import reader
from tests.test_letters import letters_of
from tests.test_surveillance import certify
from tests.test_web import _csrf, post


@pytest.fixture
def clock_start():
    return "2026-04-23"


def words(page: str) -> str:
    """The page's text as one line (markup kept), entities read."""
    return html.unescape(" ".join(page.split()))


def test_a_finding_in_english_its_signals_translated_and_what_is_stored_dutch(app, client, tenant, clock):
    cid, b = finding_of(app, client, tenant, clock, category="B")
    [letter] = letters_of(client, tenant, status="waiting")
    office = reader(app, tenant, "office", "en")
    page = words(office.get("/post/").text)
    for text in ("Post register", "To be sent (1)", "Reference", "Subject", "Objection and appeal", "Letter templates",
                 "Register another incoming document", "No letters sent yet."):
        assert text in page, text
    assert "Te verzenden" not in page and "Postregister" not in page

    clock("2026-04-28")
    page = words(office.get(f"/post/brieven/{letter['id']}").text)
    assert "interim letter (not a decision)" in page and "Dispatch date" in page and "Letter as PDF" in page
    assert "Rapport van een beoordeling" not in page and "Report of an assessment" in page
    r = post(office, f"/post/brieven/{letter['id']}", action="dispatch", sent_on="2026-04-28", channel="post")
    page = words(r.text)
    assert "Dispatch recorded." in page and "sent on 28-04-2026 by post" in page
    assert "Verzending vastgelegd" not in page
    assert "Sent" in words(office.get("/post/").text) and ">post<" in office.get("/post/").text
    detail = client.get(f"/api/v1/findings/{b['id']}", headers=tenant.auth("planner")).json
    assert detail["steps"][0]["text"] == f"Brief {letter['reference']}, verzonden per post."  # stored: Dutch

    clock("2026-05-04")  # N2 was due on 1 May: the B is flagged
    leader = reader(app, tenant, "team_leader", "en")
    page = words(leader.get(f"/bevindingen/{b['id']}").text)
    for text in ("Finding category B", "Requirement", "Evidence", "Deadlines", "not a working day", "Blue line: today.",
                 "Carried out", "the company did not answer in time (due by 01-05-2026)", "Staff decision",
                 "Record the decision", "Raise to category A", "Mail", "Sent 28-04-2026"):
        assert text in page, text
    assert "Beslissing van de staf" not in page and "het bedrijf heeft niet op tijd geantwoord" not in \
        re.sub(r'<input[^>]*name="about"[^>]*>', "", page)
    about = re.search(r'name="about" value="([^"]*)"', page).group(1)
    assert "het bedrijf heeft niet op tijd geantwoord" in about  # the decision's subject is stored in Dutch
    r = post(leader, f"/bevindingen/{b['id']}", action="decision", about=about, decision="Wij bellen het bedrijf.")
    assert "Decision recorded." in words(r.text)
    assert "(N2: het bedrijf heeft niet op tijd geantwoord" in words(r.text)  # what it was about: as stored
    stored = client.get(f"/api/v1/findings/{b['id']}", headers=tenant.auth("planner")).json["decisions"][0]
    assert "het bedrijf heeft niet op tijd geantwoord" in stored["about"]
    r = post(leader, f"/bevindingen/{b['id']}", action="decision", about=about, decision=" ")
    assert r.status_code == 422 and "Give the decision and its reason." in words(r.text)

    listing = words(leader.get("/bevindingen/").text)
    assert "Open findings" in listing and "Next deadline" in listing and "Withdrawal proposals" in listing
    assert "the company did not answer in time" in listing and "Open bevindingen" not in listing
    decider = reader(app, tenant, "decider", "en")
    queue = words(decider.get("/bevindingen/voorstellen").text)
    assert "Category B nonconformities past their deadline" in queue and "No open proposals." in queue
    assert "Voorstellen tot intrekking" not in queue

    dutch = words(reader(app, tenant, "planner").get(f"/bevindingen/{b['id']}").text)
    assert "Beslissingen" in dutch and "het bedrijf heeft niet op tijd geantwoord (uiterlijk 01-05-2026)" in dutch
    assert "Streep: termijn" in dutch and "Staff decision" not in dutch and "Deadlines" not in dutch


def test_a_finding_step_by_the_company_in_english(app, client, tenant, clock):
    cid, f = finding_of(app, client, tenant, clock)
    clock("2026-04-24")
    step(client, tenant.auth("team_leader"), f, "T1", on="2026-04-24", tenant=tenant)
    company = reader(app, tenant, "company1", "en")
    page = words(company.get(f"/bevindingen/{f['id']}").text)
    assert "Your corrective measures" in page and "Attachment (evidence of the measures)" in page
    assert "Uw corrigerende maatregelen" not in page
    version = client.get(f"/api/v1/findings/{f['id']}", headers=tenant.auth("company1")).json["lock_version"]
    r = post(company, f"/bevindingen/{f['id']}", action="step", lock_version=version, step="T2",
             text="Dossiers centraal bewaard.")
    assert "Step recorded." in words(r.text) and "corrective measures" in words(r.text)
    assert "Received 24-04-2026 (portal): corrective measures" in words(r.text)
    start = words(company.get("/start").text)
    for text in ("Welcome, Portaal X1", "You are logged in for", "Work list", "Your deadlines", "Open findings",
                 "Letters to you", "All letters", "Notifications starting this week", "New messages"):
        assert text in start, text
    assert "Werklijst" not in start and "Uw termijnen" not in start


def test_sanctions_in_english(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    number = client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("office")).json["number"]
    office = reader(app, tenant, "office", "en")
    page = words(office.get("/bevindingen/sancties").text)
    for text in ("Sanctions by the Labour Inspectorate and other authorities", "No notices of sanctions.",
                 "Register a notice of a sanction", "Certificate number", "work stoppage", "the Labour Inspectorate"):
        assert text in page, text
    r = post(office, "/bevindingen/sancties", action="record", certificate_number="SC-540/0000/0",
             authority="inspectorate", kind="stillegging", received_on="2026-04-22", description="x")
    assert r.status_code == 422 and "Unknown certificate number." in words(r.text)
    r = post(office, "/bevindingen/sancties", action="record", certificate_number=number, authority="inspectorate",
             kind="stillegging", received_on="2026-04-22", description="Stillegging op de Dorpsstraat.")
    page = words(r.text)
    assert "Notice registered, also in the post register." in page
    assert "work stoppage by the Labour Inspectorate" in page and "The fact deviates from the scheme" in page
    [notice] = client.get("/api/v1/sanction-notices", headers=tenant.auth("office")).json
    post(office, "/bevindingen/sancties", action="determine", notice_id=notice["id"], deviation="1",
         assessment="incident", determination="Eenmalig.")
    decider = reader(app, tenant, "decider", "en")
    page = words(decider.get("/bevindingen/sancties").text)
    assert "deviation from the scheme; an incident: Eenmalig." in page and "keep the certificate, with reasons" in page
    r = post(decider, "/bevindingen/sancties", action="decide", notice_id=notice["id"], outcome="keep",
             motivation="Incident.")
    assert "annual report" in words(r.text) and "Decision recorded." in words(r.text)
    incoming = words(office.get("/post/").text)
    assert "notice of a sanction by an authority" in incoming and "melding van een sanctie" not in incoming
    assert client.get("/api/v1/incoming-documents?kind=notice", headers=tenant.auth("office")).json[0][
        "kind_label"] == "melding van een sanctie door een overheid"  # the API stays Dutch
    dutch = words(reader(app, tenant, "reviewer").get("/bevindingen/sancties").text)
    assert "stillegging door de Arbeidsinspectie" in dutch and "jaarverslag" in dutch and "work stoppage" not in dutch


def test_an_objection_in_english_while_the_letters_stay_dutch(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    post(reader(app, tenant, "decider"), f"/certificaten/{cid}/besluiten", action="withdraw", on="2026-04-23",
         reason="Op verzoek van de houder.", at_own_request="1")
    [letter] = letters_of(client, tenant, status="waiting")
    post(reader(app, tenant, "office"), f"/post/brieven/{letter['id']}", action="dispatch", sent_on="2026-04-23",
         channel="post")
    company = reader(app, tenant, "company1", "en")
    page = words(company.get(f"/post/brieven/{letter['id']}").text)
    for text in ("Withdrawal decision", "decision (with objection clause)", "Objection period",
                 "up to and including", "(from the day after dispatch)", "Lodge an objection", "Grounds",
                 "Submit the objection", "No objection or appeal.", "Back to the mail"):
        assert text in page, text
    assert "Bezwaartermijn" not in page and "Bezwaar indienen" not in page
    body = re.search(r'<pre class="letter">(.*?)</pre>', page, re.S).group(1)
    assert "bezwaar" in body.lower()  # the letter itself: Dutch
    r = post(company, f"/post/brieven/{letter['id']}", action="objection", grounds="Wij trekken ons verzoek in.")
    assert "Objection recorded; an acknowledgement of receipt is waiting to be sent." in words(r.text)
    assert "Objection received on 23-04-2026" in words(r.text)
    [objection] = client.get("/api/v1/objections", headers=tenant.auth("office")).json
    decider = reader(app, tenant, "decider", "en")
    page = words(decider.get(f"/post/brieven/{letter['id']}").text)
    assert "Hearing on" in page and "partly well-founded" in page and "New decision (if well-founded)" in page
    r = post(decider, f"/post/brieven/{letter['id']}", action="decide", objection_id=objection["id"],
             outcome="well_founded", motivation="Het verzoek is ingetrokken.", new_decision="Het certificaat blijft.")
    page = words(r.text)
    assert "Decision recorded." in page and "Outcome on 23-04-2026: <strong>well-founded</strong>." in page
    assert "New decision: Het certificaat blijft." in page and "decision on the objection" in page
    decision = next(x for x in letters_of(client, tenant, status="waiting") if x["kind"] == "objection_decision")
    text = client.get(f"/api/v1/letters/{decision['id']}", headers=tenant.auth("office")).json["body"]
    assert "gegrond" in text and "well-founded" not in text  # the decision on the objection: Dutch
    assert client.get("/api/v1/objections", headers=tenant.auth("office")).json[0]["outcome_label"] == "gegrond"
    listing = words(decider.get("/post/bezwaren").text)
    assert "Against decision" in listing and ">objection<" in listing and "well-founded" in listing
    dutch = words(reader(app, tenant, "office").get("/post/bezwaren").text)
    assert "Tegen besluit" in dutch and ">bezwaar<" in dutch and "gegrond" in dutch and "Against" not in dutch


def test_templates_deadlines_messages_and_error_pages_in_english(app, client, tenant, clock):
    qm = reader(app, tenant, "quality_manager", "en")
    page = words(qm.get("/post/sjablonen?kind=receipt").text)
    for text in ("Letter templates", "Acknowledgement of receipt", "standard text", "in use (standard)",
                 "Interim letter: no objection clause.", "Write a new version", "the date of receipt",
                 "name of the CKI", "Save as draft"):
        assert text in page, text
    assert "Nieuwe versie schrijven" not in page
    r = post(qm, "/post/sjablonen", action="write", kind="receipt", subject="Ontvangen: {{ stuk }}",
             body="Op {{ ontvangen_op }} ontvingen wij {{ stuk }}.")
    assert "Version 1 saved as a draft; it applies only once approved." in words(r.text)
    start = words(qm.get("/start").text)
    assert "To approve and to monitor" in start and "Approve letter template receipt version 1" in start

    office = reader(app, tenant, "office", "en")
    assert "Outgoing e-mail not yet sent" in words(office.get("/post/uitgaande-email").text)
    assert "Nothing in the queue." in words(office.get("/post/uitgaande-email").text)
    deadlines = words(office.get("/termijnen/").text)
    assert "My deadlines" in deadlines and "No open deadlines." in deadlines and "Mijn termijnen" not in deadlines
    messages = words(office.get("/berichten/").text)
    for text in ("Messages", "Mark all as read", "Reminders by e-mail", "Steps of findings", "Personal calendar",
                 "Make a new calendar address"):
        assert text in messages, text
    r = office.post("/berichten/", data={"action": "preferences", "csrf_token": _csrf(messages)}, follow_redirects=True)
    assert "Your choice of reminders by e-mail has been saved." in words(r.text)

    missing = office.get("/bevindingen/999999")
    assert missing.status_code == 404 and "Not found" in missing.text and "To the start page" in missing.text
    forbidden = reader(app, tenant, "company1", "en").get("/bevindingen/voorstellen")
    assert forbidden.status_code == 403 and "No access" in forbidden.text and "Geen toegang" not in forbidden.text
    docs = office.get("/api/v1/docs")
    assert "Back to cki" in docs.text and 'lang="en"' in docs.text

    dutch = reader(app, tenant, "planner")
    assert "Niet gevonden" in dutch.get("/bevindingen/999999").text
    assert "Werklijst" in dutch.get("/start").text and "Work list" not in dutch.get("/start").text
    assert "Terug naar cki" in dutch.get("/api/v1/docs").text
    assert "Stappen van bevindingen" in dutch.get("/berichten/").text
