"""The pages of the post register, the certificate's besluiten and the authorities' sanctions: each
role does its part in the browser's forms (the office sends, the company objects and answers with a
file, the quality manager writes and approves a template, the decider decides), and sees only what
its role may do."""
import io
from datetime import date

import pytest

from tests.test_findings import finding_of
from tests.test_letters import letters_of
from tests.test_surveillance import certify
from tests.test_web import _csrf, login, post


@pytest.fixture
def clock_start():
    return "2026-04-23"


def web(app, tenant, who):
    client = app.test_client()
    login(client, tenant.emails[who])
    return client


def test_the_office_sends_the_report_and_the_company_answers_with_a_file(app, client, tenant, clock):
    cid, f = finding_of(app, client, tenant, clock)
    office = web(app, tenant, "office")
    page = office.get("/post/").text
    assert "Te verzenden (1)" in page and "rapport van de" in page
    [letter] = letters_of(client, tenant, status="waiting")
    company = web(app, tenant, "company1")
    assert company.get(f"/post/brieven/{letter['id']}").status_code == 404  # not sent yet
    clock("2026-04-24")
    r = post(office, f"/post/brieven/{letter['id']}", action="dispatch", sent_on="2026-04-24", channel="post")
    assert "Verzending vastgelegd" in r.text and "verzonden op 24-04-2026 per post" in " ".join(r.text.split())
    assert company.get("/post/").status_code == 200 and letter["reference"] in company.get("/post/").text
    assert "Te verzenden" not in company.get("/post/").text
    page = company.get(f"/bevindingen/{f['id']}").text
    assert "Bijlage (bewijs van de maatregelen)" in page and letter["reference"] in page
    version = client.get(f"/api/v1/findings/{f['id']}", headers=tenant.auth("company1")).json["lock_version"]
    r = company.post(f"/bevindingen/{f['id']}", data={
        "csrf_token": _csrf(page), "action": "step", "lock_version": version, "step": "T2",
        "text": "Dossiers centraal bewaard.", "file": (io.BytesIO(b"%PDF-1.4 bewijs"), "bewijs.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Stap vastgelegd" in r.text and "bewijs.pdf" in r.text
    detail = client.get(f"/api/v1/findings/{f['id']}", headers=tenant.auth("team_leader")).json
    assert detail["answers"][0]["attachments"][0]["filename"] == "bewijs.pdf"
    assert detail["steps"][0]["completed_on"] == "2026-04-24"  # T1: the dispatch date
    # the reviewer reads the register but has no form to send or register
    reviewer = web(app, tenant, "reviewer").get("/post/").text
    assert "Registreren" not in reviewer and "Postregister" in reviewer


def test_a_bezwaar_in_the_portal_and_its_decision_on_the_page(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    decider = web(app, tenant, "decider")
    r = post(decider, f"/certificaten/{cid}/besluiten", action="withdraw", on="2026-04-23",
             reason="Op verzoek van de houder.", at_own_request="1")
    assert "Certificaat ingetrokken" in r.text and "besluit tot intrekking" in r.text
    [letter] = letters_of(client, tenant, status="waiting")
    office = web(app, tenant, "office")
    post(office, f"/post/brieven/{letter['id']}", action="dispatch", sent_on="2026-04-23", channel="post")
    company = web(app, tenant, "company1")
    page = company.get(f"/post/brieven/{letter['id']}").text
    assert "Bezwaar indienen" in page and "Bezwaartermijn" in page
    r = post(company, f"/post/brieven/{letter['id']}", action="objection", grounds="Wij trekken ons verzoek in.")
    assert "Bezwaar vastgelegd" in r.text
    assert "Beslissen" not in company.get(f"/post/brieven/{letter['id']}").text
    [objection] = client.get("/api/v1/objections", headers=tenant.auth("office")).json
    assert "Beslissen" not in office.get(f"/post/brieven/{letter['id']}").text  # the office does not decide
    r = post(decider, f"/post/brieven/{letter['id']}", action="decide", objection_id=objection["id"],
             outcome="well_founded", motivation="Het verzoek is ingetrokken.", new_decision="Het certificaat blijft.")
    assert "Beslissing vastgelegd" in r.text and "gegrond" in r.text
    assert "Bezwaar en beroep" in office.get("/post/bezwaren").text


def test_the_quality_manager_writes_and_approves_a_template(app, client, tenant, clock):
    qm = web(app, tenant, "quality_manager")
    page = qm.get("/post/sjablonen?kind=receipt").text
    assert "Nieuwe versie schrijven" in page and "{{ ontvangen_op }}" in page
    r = post(qm, "/post/sjablonen", action="write", kind="receipt", subject="Ontvangen: {{ stuk }}",
             body="Wij ontvingen {{ onbekend }}.")
    assert r.status_code == 422 and "onbekend" in r.text
    r = post(qm, "/post/sjablonen", action="write", kind="receipt", subject="Ontvangen: {{ stuk }}",
             body="Op {{ ontvangen_op }} ontvingen wij {{ stuk }}.")
    assert "opgeslagen als concept" in r.text
    [draft] = [t for t in client.get("/api/v1/letter-templates?kind=receipt", headers=tenant.auth("quality_manager")).json
               if t["status"] == "draft"]
    r = post(qm, "/post/sjablonen", action="approve", template_id=draft["id"], kind="receipt")
    assert "goedgekeurd" in r.text
    assert post(web(app, tenant, "office"), "/post/sjablonen", action="approve", template_id=draft["id"]).status_code \
        == 403
    assert web(app, tenant, "company1").get("/post/sjablonen").status_code == 403


def test_an_intention_the_company_answers_on_the_besluiten_page(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 3, 2))
    decider = web(app, tenant, "decider")
    r = post(decider, f"/certificaten/{cid}/besluiten", action="intend", kind="suspend", reason="Stillegging.")
    assert "Voornemen vastgelegd" in r.text and "wacht op verzending" in r.text
    [letter] = letters_of(client, tenant, status="waiting")
    post(web(app, tenant, "office"), f"/post/brieven/{letter['id']}", action="dispatch", sent_on="2026-04-23",
         channel="post")
    company = web(app, tenant, "company1")
    page = company.get(f"/certificaten/{cid}/besluiten").text
    assert "Uw zienswijze" in page and "07-05-2026" in page  # 2 weeks from the day after the dispatch
    intended = client.get(f"/api/v1/certificates/{cid}/intended-decisions", headers=tenant.auth("decider")).json[0]
    r = post(company, f"/certificaten/{cid}/besluiten", action="zienswijze", intended_id=intended["id"],
             text="De stillegging is opgeheven.")
    assert "Zienswijze vastgelegd" in r.text
    assert post(company, f"/certificaten/{cid}/besluiten", action="weigh", intended_id=intended["id"],
                weighing="x").status_code == 403
    r = post(decider, f"/certificaten/{cid}/besluiten", action="weigh", intended_id=intended["id"],
             weighing="De stillegging is opgeheven; geen schorsing nodig.")
    assert "Weging vastgelegd" in r.text


def test_a_notice_recorded_determined_and_kept_on_the_sanctions_page(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    number = client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("office")).json["number"]
    office = web(app, tenant, "office")
    r = post(office, "/bevindingen/sancties", action="record", certificate_number="SC-540/0000/0",
             authority="inspectorate", kind="stillegging", received_on="2026-04-22", description="x")
    assert r.status_code == 422 and "Onbekend certificaatnummer" in r.text
    r = post(office, "/bevindingen/sancties", action="record", certificate_number=number, authority="inspectorate",
             kind="stillegging", received_on="2026-04-22", description="Stillegging op de Dorpsstraat.")
    assert "Stillegging op de Dorpsstraat" in r.text
    [notice] = client.get("/api/v1/sanction-notices", headers=tenant.auth("office")).json
    incoming = client.get("/api/v1/incoming-documents?kind=notice", headers=tenant.auth("office")).json
    assert incoming[0]["received_on"] == "2026-04-22"
    post(office, "/bevindingen/sancties", action="determine", notice_id=notice["id"], deviation="1",
         assessment="incident", determination="Eenmalig; eerdere rapporten zonder afwijking.")
    assert post(office, "/bevindingen/sancties", action="decide", notice_id=notice["id"], outcome="keep",
                motivation="x").status_code == 403
    r = post(web(app, tenant, "decider"), "/bevindingen/sancties", action="decide", notice_id=notice["id"],
             outcome="keep", motivation="Incident; de procedure voor categorie A volgt.")
    assert "jaarverslag" in r.text
    assert any(x["kind"] == "finding_result" for x in letters_of(client, tenant, status="waiting"))
