"""Letters and the post register (RULES.md §3, §6): letters from the template version in effect,
sent by post or by e-mail with their PDF to a real SMTP server on loopback, terms running from the
dispatch and receipt dates, bezwaar and beroep per besluit, templates only in effect once the
quality manager approves them."""
import email
import email.policy
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from tests.test_concurrency import _free_port
from tests.test_findings import final_report, finding_of, step
from tests.test_surveillance import certify, plan


@pytest.fixture
def clock_start():
    return "2026-04-23"


class _Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server on loopback, and the app's mail settings pointing at it."""
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    for key, value in (("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", controller.port), ("MAIL_USE_TLS", False),
                       ("MAIL_SENDER", "post@cki.example")):
        monkeypatch.setitem(app.config, key, value)
    yield sink
    controller.stop()


def letters_of(client, tenant, who="office", **query):
    r = client.get("/api/v1/letters", query_string=query, headers=tenant.auth(who))
    assert r.status_code == 200, r.json
    return r.json


def send(client, tenant, letter_id, on, channel="post", **kw):
    return client.post(f"/api/v1/letters/{letter_id}/dispatch", json={"sent_on": on, "channel": channel, **kw},
                       headers=tenant.auth("office"))


def test_the_report_letter_is_interim_and_its_dispatch_date_is_the_day_t1_is_done(app, client, tenant, clock):
    cid, f = finding_of(app, client, tenant, clock)  # category A found on Thursday 23 April 2026
    [report] = letters_of(client, tenant, status="waiting", certificate_id=cid)
    assert report["kind"] == "audit_report" and not report["is_decision"] and "Bezwaar" not in report["body"]
    assert report["due_on"] == "2026-04-29"  # T1's deadline: the office sees by when it must go
    assert "Geen dossiers bewaard." in report["body"] and "uiterlijk 3 werkdagen na de datum van deze brief" in report["body"]
    company = tenant.auth("company1")
    # a letter still waiting is no letter yet for the company
    assert client.get(f"/api/v1/letters/{report['id']}", headers=company).status_code == 404
    assert letters_of(client, tenant, "company1") == []
    clock("2026-04-28")
    r = send(client, tenant, report["id"], "2026-04-29")
    assert r.status_code == 422 and "toekomst" in r.json["message"]
    r = send(client, tenant, report["id"], "2026-04-28")
    assert r.status_code == 200, r.json
    assert r.json["sent_on"] == "2026-04-28" and r.json["objection_due"] is None
    assert send(client, tenant, report["id"], "2026-04-28").status_code == 409  # sent once
    f = client.get(f"/api/v1/findings/{f['id']}", headers=tenant.auth("team_leader")).json
    assert f["steps"][0]["step"] == "T1" and f["steps"][0]["completed_on"] == "2026-04-28"
    assert f["next_step"] == {"step": "T2", "actor": "company", "due": "2026-05-01"}  # 3 werkdagen from the dispatch
    assert [x["reference"] for x in f["letters"]] == [report["reference"]]
    pdf = client.get(f"/api/v1/letters/{report['id']}/letter.pdf", headers=company)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/api/v1/letters/{report['id']}", headers=tenant.auth("company2")).status_code == 404


def test_an_sc530_t4_closed_with_every_step_on_another_day_and_the_answer_in_the_post_register(
        app, client, tenant, clock):
    cid, f = finding_of(app, client, tenant, clock, scheme="SC-530")  # found Thursday 23 April 2026
    assert f["next_step"]["due"] == "2026-04-30"  # 4 werkdagen across Koningsdag (27 April)
    [report] = letters_of(client, tenant, status="waiting", certificate_id=cid)
    clock("2026-04-24")
    assert send(client, tenant, report["id"], "2026-04-24").status_code == 200  # earlier than planned
    tl, company = tenant.auth("team_leader"), tenant.auth("company1")
    f = client.get(f"/api/v1/findings/{f['id']}", headers=tl).json
    assert f["next_step"]["due"] == "2026-05-01"  # T2: 4 werkdagen from Friday 24 April, Koningsdag skipped
    clock("2026-04-29")
    f = step(client, company, f, "T2", text="Werkinstructie aangepast.").json
    [answer] = f["answers"]
    assert (answer["received_on"], answer["channel"], answer["kind"]) == ("2026-04-29", "portal", "corrective_measures")
    r = client.post(f"/api/v1/incoming-documents/{answer['id']}/attachments", headers=company,
                    data={"file": (__import__("io").BytesIO(b"instructie v2"), "instructie.txt")},
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    assert client.post(f"/api/v1/incoming-documents/{answer['id']}/attachments", headers=tenant.auth("company2"),
                       data={"file": (__import__("io").BytesIO(b"x"), "x.txt")},
                       content_type="multipart/form-data").status_code == 404
    t3 = next(s for s in f["timeline"] if s["step"] == "T3")
    # target 10 and limit 14 werkdagen from the receipt, past 5 May, Hemelvaart and the Friday after it
    assert (t3["due"]["date"], t3["limit"]["date"]) == ("2026-05-18", "2026-05-22")
    clock("2026-05-21")
    f = step(client, tl, f, "T3", on="2026-05-20").json  # past the target, within the limit
    assert next(s for s in f["timeline"] if s["step"] == "T3")["status"] == "past_target"
    f = step(client, tl, f, "T4", on="2026-05-21", outcome="complies").json
    assert f["status"] == "closed"
    incoming = client.get("/api/v1/incoming-documents", headers=tenant.auth("office")).json
    assert [d["kind"] for d in incoming] == ["corrective_measures"] and incoming[0]["attachments"][0]["size"] == 13


def test_a_warning_is_written_at_t4_with_the_t5_date(app, client, tenant, clock):
    cid, f = finding_of(app, client, tenant, clock)
    tl = tenant.auth("team_leader")
    clock("2026-05-18")
    for name, on, outcome in (("T1", "2026-04-28", None), ("T2", "2026-04-30", None), ("T3", "2026-05-12", None),
                              ("T4", "2026-05-15", "warning")):
        r = step(client, tenant.auth("office") if name == "T2" else tl, f, name, on=on, outcome=outcome, tenant=tenant)
        assert r.status_code == 200, r.json
        f = r.json
    warning = next(x for x in letters_of(client, tenant, status="waiting", certificate_id=cid) if x["kind"] == "warning")
    assert not warning["is_decision"] and "Bezwaar" not in warning["body"]
    assert warning["due_on"] == "2026-05-15"  # to go out the day T4 was decided: T5 runs from T4
    assert "uiterlijk op 1 juni 2026" in warning["body"]  # T5: 10 werkdagen from T4 on 15 May, past Pinksteren
    assert f["next_step"] == {"step": "T5", "actor": "company", "due": "2026-06-01"}
    # a receipt by post registered by the office is in the incoming register with its receipt date
    incoming = client.get("/api/v1/incoming-documents?kind=corrective_measures", headers=tl).json
    assert incoming[0]["received_on"] == "2026-04-30" and incoming[0]["channel"] == "post"


def test_a_besluit_sent_by_email_with_its_pdf_and_a_bezwaar_term_moved_past_5_may(app, client, tenant, clock, smtp):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    clock("2027-03-24")
    r = client.post(f"/api/v1/certificates/{cid}/withdraw", headers=tenant.auth("decider"), json={
        "on": "2027-03-24", "reason": "Op verzoek van de houder: stopt met inventariseren.", "at_own_request": True})
    assert r.status_code == 200, r.json
    [letter] = letters_of(client, tenant, status="waiting", certificate_id=cid)
    assert letter["kind"] == "withdrawal" and letter["is_decision"] and "Bezwaar: tegen dit besluit" in letter["body"]
    assert "vanaf 25 maart 2028" in letter["body"]  # the 12-month block from the scheme data
    r = send(client, tenant, letter["id"], "2027-03-24", channel="email")
    assert r.status_code == 422 and "email_to" in r.json["errors"]["json"]
    r = send(client, tenant, letter["id"], "2027-03-24", channel="email", email_to="directie@company1.example")
    assert r.status_code == 200, r.json
    # 6 weeks from the day after dispatch end on Wednesday 5 May 2027 (Bevrijdingsdag), then Hemelvaart,
    # the Friday declared equal to a holiday and a weekend: the next working day is Monday 10 May
    assert r.json["objection_due"] == "2027-05-10" and "10 mei 2027" in r.json["body"]
    [message] = smtp.messages
    assert message["To"] == "directie@company1.example" and "besluit tot intrekking" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF") and attachment.get_filename().endswith(".pdf")
    assert "Bezwaar: tegen dit besluit" in message.get_body(("plain",)).get_content()


def test_a_mail_server_that_fails_leaves_the_letter_waiting(app, client, tenant, clock, monkeypatch):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    intended = client.post(f"/api/v1/certificates/{cid}/intended-decisions", headers=tenant.auth("decider"),
                           json={"kind": "withdraw", "reason": "T6 zonder effect."}).json
    [letter] = letters_of(client, tenant, status="waiting", certificate_id=cid)
    for key, value in (("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", _free_port()), ("MAIL_USE_TLS", False),
                       ("MAIL_TIMEOUT", 2)):
        monkeypatch.setitem(app.config, key, value)  # nobody listens there
    r = send(client, tenant, letter["id"], "2026-04-23", channel="email", email_to="a@b.example")
    assert r.status_code == 503 and "wacht nog" in r.json["message"]
    again = client.get(f"/api/v1/letters/{letter['id']}", headers=tenant.auth("office")).json
    assert (again["status"], again["sent_on"], again["channel"]) == ("waiting", None, None)
    # what the dispatch would have started did not start either: the zienswijze term
    [still] = client.get(f"/api/v1/certificates/{cid}/intended-decisions", headers=tenant.auth("decider")).json
    assert still["id"] == intended["id"] and (still["sent_on"], still["answer_due"]) == (None, None)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    r = send(client, tenant, letter["id"], "2026-04-23", channel="email", email_to="a@b.example")
    assert r.status_code == 422 and "mailserver" in r.json["message"]


def test_a_bezwaar_its_receipt_hearing_and_decision_and_a_beroep(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 3, 2))
    client.post(f"/api/v1/certificates/{cid}/withdraw", headers=tenant.auth("decider"), json={
        "on": "2026-04-23", "reason": "Op eigen verzoek.", "at_own_request": True})
    [besluit] = letters_of(client, tenant, status="waiting", certificate_id=cid)
    company = tenant.auth("company1")
    r = client.post(f"/api/v1/letters/{besluit['id']}/objections", json={"grounds": "x"}, headers=company)
    assert r.status_code == 404  # not sent: no letter for the company yet
    assert send(client, tenant, besluit["id"], "2026-04-23").json["objection_due"] == "2026-06-04"
    clock("2026-06-04")
    r = client.post(f"/api/v1/letters/{besluit['id']}/objections", headers=tenant.auth("office"),
                    json={"grounds": "Per post, op de laatste dag.", "received_on": "2026-06-04"})
    assert r.status_code == 201 and not r.json["late"]  # on the last day is in time
    clock("2026-06-05")  # a day late
    r = client.post(f"/api/v1/letters/{besluit['id']}/objections", json={"grounds": "Wij vroegen het niet."},
                    headers=company)
    assert r.status_code == 201, r.json
    objection = r.json
    assert objection["late"] and objection["received_on"] == "2026-06-05"
    receipt = next(x for x in letters_of(client, tenant, status="waiting")
                   if x["kind"] == "receipt" and x["regarding_id"] == objection["id"])
    assert not receipt["is_decision"] and "5 juni 2026" in receipt["body"]
    assert client.post(f"/api/v1/objections/{objection['id']}/decision", headers=tenant.auth("office"),
                       json={"outcome": "unfounded", "motivation": "x"}).status_code == 403
    r = client.post(f"/api/v1/objections/{objection['id']}/hearing", headers=tenant.auth("office"),
                    json={"hearing_on": "2026-06-04"})
    assert r.status_code == 422  # before the bezwaar arrived
    client.post(f"/api/v1/objections/{objection['id']}/hearing", headers=tenant.auth("office"),
                json={"hearing_on": "2026-06-05", "notes": "Gehoord."})
    clock("2026-06-19")
    r = client.post(f"/api/v1/objections/{objection['id']}/decision", headers=tenant.auth("decider"),
                    json={"outcome": "well_founded", "motivation": "x"})
    assert r.status_code == 422 and "new_decision" in r.json["errors"]["json"]
    r = client.post(f"/api/v1/objections/{objection['id']}/decision", headers=tenant.auth("decider"),
                    json={"outcome": "inadmissible", "motivation": "Te laat zonder verschoonbare reden (Awb 6:11)."})
    assert r.status_code == 200, r.json
    decision = client.get(f"/api/v1/letters/{r.json['decision_letter_id']}", headers=tenant.auth("office")).json
    # a decision on bezwaar is a besluit whose remedy is beroep at the court, not another bezwaar
    assert decision["kind"] == "objection_decision" and decision["is_decision"]
    assert "Beroep: tegen deze beslissing op bezwaar" in decision["body"] and "Bezwaar: tegen" not in decision["body"]
    assert "niet-ontvankelijk" in decision["body"]
    sent = send(client, tenant, decision["id"], "2026-06-19").json
    assert sent["objection_due"] == "2026-07-31" and "31 juli 2026" in sent["body"]
    office = tenant.auth("office")
    r = client.post(f"/api/v1/letters/{sent['id']}/objections", headers=office, json={"grounds": "y"})
    assert r.status_code == 422 and "kind" in r.json["errors"]["json"]  # no bezwaar against it
    r = client.post(f"/api/v1/letters/{sent['id']}/objections", headers=office,
                    json={"kind": "beroep", "grounds": "y", "received_on": "2026-06-19"})
    assert r.status_code == 422 and "court" in r.json["errors"]["json"]
    clock("2026-08-04")
    beroep = {"kind": "beroep", "grounds": "y", "court": "Rechtbank Utrecht"}
    r = client.post(f"/api/v1/letters/{sent['id']}/objections", headers=office,
                    json={**beroep, "received_on": "2026-08-03"})
    assert r.status_code == 201 and r.json["late"]  # after Friday 31 July
    r = client.post(f"/api/v1/letters/{sent['id']}/objections", headers=office,
                    json={**beroep, "received_on": "2026-08-03", "posted_on": "2026-07-31"})
    assert r.status_code == 201 and not r.json["late"]  # posted in time, received within a week (Awb 6:9)
    r = client.post(f"/api/v1/letters/{sent['id']}/objections", headers=office,
                    json={**beroep, "received_on": "2026-08-03", "posted_on": "2026-08-01"})
    assert r.status_code == 201 and r.json["late"]  # posted after the term
    clock("2026-08-10")
    r = client.post(f"/api/v1/letters/{sent['id']}/objections", headers=office,
                    json={**beroep, "received_on": "2026-08-08", "posted_on": "2026-07-31"})
    assert r.status_code == 201 and r.json["late"]  # posted in time but received more than a week after the term
    kinds = [o["kind"] for o in client.get("/api/v1/objections", headers=tenant.auth("reviewer")).json]
    assert sorted(kinds) == ["beroep"] * 4 + ["bezwaar", "bezwaar"]
    assert client.get("/api/v1/objections", headers=tenant.auth("company2")).json == []


def test_an_intention_waits_for_its_letter_and_the_zienswijze_term_runs_from_the_dispatch(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    decider = tenant.auth("decider")
    r = client.post(f"/api/v1/certificates/{cid}/intended-decisions", headers=decider,
                    json={"kind": "withdraw", "reason": "T6 zonder effect."})
    assert r.status_code == 201, r.json
    intended = r.json
    assert intended["sent_on"] is None and intended["answer_due"] is None
    r = client.post(f"/api/v1/intended-decisions/{intended['id']}/zienswijze", headers=tenant.auth("company1"),
                    json={"text": "x"})
    assert r.status_code == 404  # not sent: not yet the company's to see
    assert client.get(f"/api/v1/certificates/{cid}/intended-decisions", headers=tenant.auth("company1")).json == []
    r = client.post(f"/api/v1/intended-decisions/{intended['id']}/zienswijze", headers=tenant.auth("office"),
                    json={"text": "x", "received_on": "2026-04-23"})
    assert r.status_code == 422 and "nog niet verzonden" in r.json["message"]
    letter = client.get(f"/api/v1/letters/{intended['letter_id']}", headers=tenant.auth("office")).json
    assert letter["kind"] == "intended_withdrawal" and not letter["is_decision"] and "Bezwaar" not in letter["body"]
    assert "2 weken" in letter["body"]  # the term in words from the scheme data
    clock("2026-04-24")
    send(client, tenant, letter["id"], "2026-04-24")
    intended = next(i for i in client.get(f"/api/v1/certificates/{cid}/intended-decisions", headers=decider).json)
    assert (intended["sent_on"], intended["answer_due"]) == ("2026-04-24", "2026-05-08")


def test_templates_take_effect_only_once_the_quality_manager_approves_them(app, client, tenant, clock):
    qm = tenant.auth("quality_manager")
    shipped = client.get("/api/v1/letter-templates?kind=reminder", headers=qm).json
    assert [(t["version"], t["status"]) for t in shipped] == [(0, "shipped")]
    body = shipped[0]["body"]
    r = client.post("/api/v1/letter-templates", headers=qm, json={
        "kind": "reminder", "subject": "Herinnering", "body": "{{ bevinding.tekst }}"})
    assert r.status_code == 422 and "bevinding" in r.json["errors"]["json"]["body"][0]
    r = client.post("/api/v1/letter-templates", headers=qm, json={"kind": "reminder", "subject": "{% if %}", "body": "x"})
    assert r.status_code == 422 and "subject" in r.json["errors"]["json"]
    for bad in ("{{ 1 / 0 }}", "{{ wat.__class__.__mro__ }}"):  # fails on sample data; the sandbox holds
        r = client.post("/api/v1/letter-templates", headers=qm, json={"kind": "reminder", "subject": "x", "body": bad})
        assert r.status_code == 422 and "body" in r.json["errors"]["json"], bad
    r = client.post("/api/v1/letter-templates", headers=qm, json={  # a report without findings has none
        "kind": "audit_report", "subject": "x", "body": "{{ bevindingen[0].tekst }}"})
    assert r.status_code == 422 and "voorbeeldgegevens" in r.json["message"]
    assert client.post("/api/v1/letter-templates", headers=tenant.auth("office"), json={
        "kind": "reminder", "subject": "x", "body": "y"}).status_code == 403
    draft = client.post("/api/v1/letter-templates", headers=qm, json={
        "kind": "reminder", "subject": "Tweede herinnering: {{ waarover }}", "body": "Beste {{ bedrijf }},\n" + body,
        "note": "Persoonlijker"}).json
    assert (draft["version"], draft["status"]) == (1, "draft")
    cid, f = finding_of(app, client, tenant, clock)
    tl = tenant.auth("team_leader")
    clock("2026-04-28")
    f = step(client, tl, f, "T1", on="2026-04-28", tenant=tenant).json
    assert client.post(f"/api/v1/findings/{f['id']}/reminder", headers=tl).status_code == 201
    clock("2026-04-29")
    assert client.post(f"/api/v1/letter-templates/{draft['id']}/approve", headers=qm).json["status"] == "approved"
    assert client.post(f"/api/v1/letter-templates/{draft['id']}/approve", headers=qm).status_code == 409
    client.post(f"/api/v1/findings/{f['id']}/reminder", headers=tl)
    before, after = [x for x in letters_of(client, tenant, status="waiting") if x["kind"] == "reminder"]
    assert before["template_version"] is None and before["subject"].startswith("herinnering")
    assert after["template_version"] == 1 and after["subject"].startswith("Tweede herinnering")
    assert "1 mei 2026" in after["body"] and after["body"].startswith("Beste ")  # T2's last day
    assert [(t["version"], t["status"]) for t in client.get("/api/v1/letter-templates?kind=reminder",
                                                            headers=tenant.auth("reviewer")).json] == [(1, "approved")]


def test_several_bs_raised_together_as_one_a_only_where_the_scheme_knows_it(app, client, tenant, clock):
    cid, first = finding_of(app, client, tenant, clock, category="B")
    audit = plan(client, tenant, cid, kind="branch", planned_on="2026-04-23").json
    # a second B on the same certificate, from a second audit that day
    final_report(client, tenant, audit["id"], scheme="SC-540", kind="branch", category="B", done_on="2026-04-23",
                 line=1, evidence="Tweede.")
    me = tenant.auth("assessor")
    second = next(x for x in client.get(f"/api/v1/findings?certificate_id={cid}", headers=me).json
                  if x["id"] != first["id"])
    r = client.post(f"/api/v1/findings/{first['id']}/raise", headers=tenant.auth("team_leader"),
                    json={"reason": "Samen wegen zij als een A.", "together": [second["id"]]})
    assert r.status_code == 201, r.json
    raised = r.json
    assert raised["category"] == "A" and raised["procedure"] == "category_a"
    for b in (first, second):
        again = client.get(f"/api/v1/findings/{b['id']}", headers=me).json
        assert (again["status"], again["raised_to_id"]) == ("raised", raised["id"])
    assert any(x["kind"] == "finding_result" and x["regarding_id"] == raised["id"]
               for x in letters_of(client, tenant, status="waiting"))
    # SC-530: two open B's of one certificate, and the scheme data refuse to weigh them together
    cid2, b530 = finding_of(app, client, tenant, clock, scheme="SC-530", category="B", company="company2")
    audit = plan(client, tenant, cid2, kind="branch", planned_on="2026-04-23", branch_id=tenant.ids["branch2"]).json
    final_report(client, tenant, audit["id"], scheme="SC-530", kind="branch", category="B", done_on="2026-04-23",
                 line=1, evidence="Tweede.")
    other = next(x for x in client.get(f"/api/v1/findings?certificate_id={cid2}", headers=me).json
                 if x["id"] != b530["id"])
    r = client.post(f"/api/v1/findings/{b530['id']}/raise", headers=tenant.auth("team_leader"),
                    json={"reason": "x", "together": [other["id"]]})
    assert r.status_code == 422 and "kent het samen wegen" in r.json["errors"]["json"]["together"][0]


def test_a_letter_written_before_the_templates_is_sent_as_it_was_written(app, client, tenant, clock):
    from cki.core.db import db
    from cki.letters.models import Letter

    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    client.post(f"/api/v1/certificates/{cid}/withdraw", headers=tenant.auth("decider"), json={
        "on": "2026-04-23", "reason": "Op eigen verzoek.", "at_own_request": True})
    [letter] = letters_of(client, tenant, status="waiting", certificate_id=cid)
    with app.app_context():  # as migration 0021 leaves the dossiers' letters: no context to fill in again
        row = db.session.get(Letter, letter["id"])
        row.context, row.body = None, "Oude tekst van het besluit."
        db.session.commit()
    r = send(client, tenant, letter["id"], "2026-04-23")
    assert r.status_code == 200 and r.json["body"] == "Oude tekst van het besluit."
    assert r.json["objection_due"] == "2026-06-04"
