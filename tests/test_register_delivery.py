"""Delivery to the SCA register over real HTTP and real SMTP on loopback (issue 15, first part): a
grant delivered with a valid signature and its PDF; the receiver down, retried later and delivered
once; parked after N failures and retried by staff; never out of order within a certificate; a
withdrawal sent at once; by e-mail with the PDF attached."""
import base64
from datetime import date

import pytest
import sqlalchemy as sa

from cki.core.db import db
from cki.jobs import tasks
from cki.register.models import RegisterMessage
from tests.register_receiver import Running, make_receiver
from tests.test_letters import _free_port, smtp  # noqa: F401 (the fixture)
from tests.test_surveillance import certify

SECRET = "gedeeld-geheim"


@pytest.fixture
def clock_start():
    return "2026-04-23"


@pytest.fixture
def https(app, monkeypatch):
    def configure(url):
        for key, value in (("REGISTER_TRANSPORT", "https"), ("REGISTER_URL", url), ("REGISTER_SECRET", SECRET),
                           ("REGISTER_TIMEOUT", 3), ("REGISTER_MAX_ATTEMPTS", 3)):
            monkeypatch.setitem(app.config, key, value)
    return configure


def messages(app):
    with app.app_context():
        return db.session.scalars(sa.select(RegisterMessage).order_by(RegisterMessage.id)).all()


def due_now(app):
    """The backoff has passed."""
    with app.app_context():
        db.session.execute(sa.update(RegisterMessage).where(RegisterMessage.status == "queued")
                           .values(next_attempt_at=sa.func.now()))
        db.session.commit()


def grant_and_withdraw(app, client, tenant):
    from flask import g

    from cki.certificates import operations
    from cki.certificates.models import Certificate
    from cki.core.auth import Principal

    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    with app.test_request_context():
        g.principal = Principal(cki_id=tenant.cki_id, label="test")
        operations.send_grant(db.session.get(Certificate, cid))
        db.session.commit()
    r = client.post(f"/api/v1/certificates/{cid}/withdraw", headers=tenant.auth("decider"), json={
        "on": "2026-04-23", "reason": "Op eigen verzoek.", "at_own_request": True})
    assert r.status_code == 200, r.json
    return cid


def test_a_grant_and_its_withdrawal_delivered_signed_in_order_with_the_pdf(app, client, tenant, clock, https):
    receiver = make_receiver(SECRET)
    running = Running(receiver)
    try:
        https(running.url)
        # the withdrawal goes at once, as its request ends (the grant before it, in order): no job ran
        grant_and_withdraw(app, client, tenant)
        assert len(receiver.messages) == 2
        assert tasks.deliver_register(app) == 0  # once
    finally:
        running.stop()
    granted, withdrawn = receiver.messages.values()
    assert (granted["kind"], withdrawn["kind"]) == ("granted", "withdrawn")  # in order
    assert base64.b64decode(granted["certificate_pdf_base64"]).startswith(b"%PDF")
    assert withdrawn["certificate"]["withdrawn_on"] == "2026-04-23" and "certificate_pdf_base64" not in withdrawn
    assert [(m.status, m.transport, m.attempts) for m in messages(app)] == [("delivered", "https", 1)] * 2


def test_a_receiver_that_is_down_is_tried_again_later_and_gets_each_message_once(app, client, tenant, clock, https):
    https(f"http://127.0.0.1:{_free_port()}/messages")  # nobody listens
    grant_and_withdraw(app, client, tenant)
    assert tasks.deliver_register(app) == 0
    first, second = messages(app)
    assert (first.status, first.attempts, second.attempts) == ("queued", 1, 0)  # the withdrawal waits its turn
    assert first.last_error and first.next_attempt_at is not None
    receiver = make_receiver(SECRET, fail_first=1)
    running = Running(receiver)
    try:
        https(running.url)
        due_now(app)
        assert tasks.deliver_register(app) == 0  # 503 once
        due_now(app)
        assert tasks.deliver_register(app) == 2
    finally:
        running.stop()
    assert list(receiver.messages) == [first.id, second.id]


def test_parked_after_n_failures_and_sent_again_by_staff(app, client, tenant, clock, https):
    receiver = make_receiver(SECRET, fail_first=3)
    running = Running(receiver)
    try:
        https(running.url)
        grant_and_withdraw(app, client, tenant)
        for _ in range(3):
            due_now(app)
            tasks.deliver_register(app)
        first, second = messages(app)
        assert (first.status, first.attempts, second.status) == ("parked", 3, "queued")
        due_now(app)
        assert tasks.deliver_register(app) == 0  # the withdrawal never overtakes the parked grant
        listed = client.get("/api/v1/register/messages?pending=false", headers=tenant.auth("office")).json
        assert [m["status"] for m in listed] == ["parked", "queued"] and "503" in listed[0]["last_error"]
        assert client.post(f"/api/v1/register/messages/{second.id}/retry",
                           headers=tenant.auth("office")).status_code == 409
        r = client.post(f"/api/v1/register/messages/{first.id}/retry", headers=tenant.auth("office"))
        assert r.status_code == 200 and r.json["status"] == "queued"
        assert tasks.deliver_register(app) == 2
    finally:
        running.stop()
    assert list(receiver.messages) == [first.id, second.id]


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(app, client, tenant, clock, https, monkeypatch):
    receiver = make_receiver("een ander geheim")
    running = Running(receiver)
    try:
        https(running.url)
        grant_and_withdraw(app, client, tenant)
        assert tasks.deliver_register(app) == 0
    finally:
        running.stop()
    first = messages(app)[0]
    assert first.status == "queued" and "401" in first.last_error and receiver.messages == {}


def test_by_email_with_the_certificate_pdf_attached(app, client, tenant, clock, smtp, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "REGISTER_TRANSPORT", "email")
    monkeypatch.setitem(app.config, "REGISTER_EMAIL", "register@sca.example")
    grant_and_withdraw(app, client, tenant)  # sent at once
    assert tasks.deliver_register(app) == 0
    grant, withdrawal = smtp.messages
    assert grant["To"] == "register@sca.example" and "granted" in grant["Subject"]
    [pdf] = list(grant.iter_attachments())
    assert pdf.get_content_type() == "application/pdf" and pdf.get_content().startswith(b"%PDF")
    assert "withdrawn" in withdrawal["Subject"] and not list(withdrawal.iter_attachments())


def test_the_office_confirms_with_the_registers_reference_and_sends_the_monthly_summary(app, client, tenant, clock,
                                                                                          https):
    from tests.test_web import login, post

    receiver = make_receiver(SECRET)
    running = Running(receiver)
    try:
        https(running.url)
        cid = grant_and_withdraw(app, client, tenant)
        tasks.deliver_register(app)
    finally:
        running.stop()
    first, second = messages(app)
    office = app.test_client()
    login(office, tenant.emails["office"])
    start = office.get("/start").text
    assert "2 registratie(s) te bevestigen" in start
    # each confirmation is a deadline of the office: 5 werkdagen after delivery on Thursday 23 April
    # 2026, past Koningsdag (Monday 27 April), so Friday 1 May; flagged the day after
    due = confirmation_deadlines(app)
    assert sorted(due.values()) == [("open", date(2026, 5, 1), "office")] * 2
    assert "Registratie bevestigen: granted" in start
    assert tasks.sweep_deadlines(app, on=date(2026, 5, 4)).flagged == 2
    r = post(office, "/post/register/", action="confirm", message_id=first.id, reference="SCA-2026-0042")
    assert "Registratie bevestigd" in r.text and "SCA-2026-0042" in r.text
    r = client.post(f"/api/v1/register/messages/{first.id}/confirm", json={"reference": "x"},
                    headers=tenant.auth("office"))
    assert r.status_code == 409  # once
    assert "1 registratie(s) te bevestigen" in office.get("/start").text
    assert confirmation_deadlines(app)[first.id][0] == "done" and confirmation_deadlines(app)[second.id][0] == "open"
    csv = client.get("/api/v1/register/summary.csv", headers=tenant.auth("office"))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.decode().splitlines()[0].startswith("certificaatnummer;")
    assert cid  # the withdrawn certificate is no longer current: not in the summary
    number = messages(app)[0].payload["number"]
    assert number not in csv.data.decode()


def confirmation_deadlines(app) -> dict:
    from cki.deadlines.models import Deadline

    with app.app_context():
        return {d.subject_id: (d.state, d.due_on, d.role) for d in db.session.scalars(db.select(Deadline).where(
            Deadline.kind == "register_confirmation"))}


def test_reconcile_reports_every_planted_difference(app, client, tenant, clock, tmp_path):
    from tests.test_surveillance import certify as give

    first = give(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    second = give(app, tenant, "company2", "SC-530", date(2026, 3, 2))
    numbers = {cid: client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("office")).json["number"]
               for cid in (first, second)}
    holder = client.get(f"/api/v1/certificates/{first}", headers=tenant.auth("office")).json["holder_name"]
    listing = tmp_path / "register.csv"
    listing.write_text("number,holder,status\n"
                       f"{numbers[first]},{holder},withdrawn\n"  # a status that differs
                       "SC-540/2020/9999,Spookbedrijf B.V.,valid\n")  # one we do not know; the second is missing
    runner = app.test_cli_runner()
    result = runner.invoke(args=["register", "reconcile", str(listing), "--cki", str(tenant.cki_id)])
    assert result.exit_code == 1, result.output
    assert f"{numbers[first]}: status in het register 'withdrawn', bij ons 'valid'" in result.output
    assert "SC-540/2020/9999: staat in het register, niet bij ons" in result.output
    assert f"{numbers[second]}: bij ons valid, niet in het register" in result.output
    assert "3 verschil(len)." in result.output


def test_a_permission_request_goes_to_sca_and_its_answer_unblocks_the_location_assessment(app, client, tenant,
                                                                                           clock, https):
    from tests.test_dossiers import Walk

    receiver = make_receiver(SECRET)
    running = Running(receiver)
    try:
        https(running.url)
        w = Walk(client, tenant, "SC-530").into_assessment()
        w.post("request-location", "planner", branch_id=w.branches()[0], address="Project 1, Utrecht")
        location = w.d["locations"][-1]["id"]
        assert tasks.deliver_register(app) == 1
    finally:
        running.stop()
    [request] = receiver.messages.values()
    assert request["kind"] == "location_request" and request["certificate"]["location_id"] == location
    # without SCA's permission no assessment on the location
    w.post("record-location-assessment", "assessor", expect=422, location_id=location, passed=True,
           on="2026-01-05", complete_result=True, containment=False, representative_reason="Gangbaar")
    sca = tenant.auth("sca")
    assert client.post(f"/api/v1/register/messages/{request['message_id']}/permission",
                       json={"granted": True, "on": "2026-01-05"}, headers=tenant.auth("planner")).status_code == 403
    r = client.post(f"/api/v1/register/messages/{request['message_id']}/permission",
                    json={"granted": True, "on": "2026-01-05"}, headers=sca)
    assert r.status_code == 200, r.json
    d = client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("planner")).json
    assert next(x for x in d["locations"] if x["id"] == location)["permission"] == "granted"
    w.d = d
    w.post("record-location-assessment", "assessor", location_id=location, passed=True, on="2026-01-05",
           complete_result=True, containment=False, representative_reason="Gangbaar project")
    # a second answer is refused by the dossier's own guard, with its reason
    r = client.post(f"/api/v1/register/messages/{request['message_id']}/permission",
                    json={"granted": False, "on": "2026-01-05"}, headers=sca)
    assert r.status_code == 422
    assert client.get(f"/api/v1/register/messages/{request['message_id']}/certificate.pdf",
                      headers=sca).status_code == 404


def test_a_change_of_holder_data_or_branches_reaches_the_register_and_the_certificate(app, client, tenant, clock,
                                                                                     https):
    from pypdf import PdfReader

    cid = certify(app, tenant, "company1", "SC-530", date(2026, 3, 2))
    company_id, branch_id = tenant.ids["company1"], tenant.ids["branch1"]
    admin = tenant.auth("admin")
    receiver = make_receiver(SECRET)
    running = Running(receiver)
    try:
        https(running.url)
        clock("2026-05-04")
        r = client.patch(f"/api/v1/companies/{company_id}", json={"name": "Nieuwe Naam Sanering B.V."}, headers=admin)
        assert r.status_code == 200, r.json
        r = client.patch(f"/api/v1/branches/{branch_id}", json={"address": "Nieuweweg 9, Utrecht"}, headers=admin)
        assert r.status_code == 200, r.json
        r = client.post(f"/api/v1/companies/{company_id}/branches", headers=admin, json={
            "address": "Filiaalstraat 3, Zwolle", "name": "Filiaal Zwolle", "kvk_number": None, "is_head_office": False})
        assert r.status_code == 201, r.json
        client.patch(f"/api/v1/companies/{company_id}", json={"name": "Nieuwe Naam Sanering B.V."}, headers=admin)
        assert tasks.deliver_register(app) == 3  # the same name again changed nothing: no message
    finally:
        running.stop()
    name, address, new_branch = receiver.messages.values()
    assert [m["kind"] for m in (name, address, new_branch)] == ["holder_changed"] * 3
    assert name["certificate"]["holder_name"] == "Nieuwe Naam Sanering B.V."
    assert name["certificate"]["change"]["company"]["before"]["name"] != "Nieuwe Naam Sanering B.V."
    assert "Nieuweweg 9, Utrecht" in [b["address"] for b in address["certificate"]["branches"]]
    # a new branch is told to the register, but not printed: it joins after its assessment
    assert new_branch["certificate"]["change"]["branch"]["after"]["address"] == "Filiaalstraat 3, Zwolle"
    assert "Filiaalstraat 3, Zwolle" not in [b["address"] for b in new_branch["certificate"]["branches"]]
    assert "certificate_pdf_base64" in address and "certificate_pdf_base64" not in new_branch
    # each message carries the PDF as it read when written: the rename's shows the old address
    from pypdf import PdfReader as _Reader

    def pdf_text(message):
        data = base64.b64decode(message["certificate_pdf_base64"])
        return "".join(page.extract_text() for page in _Reader(__import__("io").BytesIO(data)).pages)

    assert "Nieuwe Naam" in pdf_text(name) and "Nieuweweg 9" not in pdf_text(name)
    # the rename does not remind of the expiry again: a label is not a step
    from cki.deadlines.models import Deadline
    with app.app_context():
        expiry = db.session.scalar(db.select(Deadline).where(Deadline.kind == "certificate_expiry",
                                                             Deadline.subject_id == cid))
        assert expiry.round == 0 and "Nieuwe Naam Sanering B.V." in expiry.label
    cert = client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json
    assert (cert["holder_name"], cert["issued_on"], cert["valid_until"]) == (
        "Nieuwe Naam Sanering B.V.", "2026-03-02", "2029-03-01")  # same validity
    pdf = client.get(f"/api/v1/certificates/{cid}/certificate.pdf", headers=tenant.auth("planner")).data
    text = "".join(page.extract_text() for page in PdfReader(__import__("io").BytesIO(pdf)).pages)
    assert "Nieuwe Naam Sanering B.V." in text and "Nieuweweg 9, Utrecht" in text and "4 mei 2026" in text


def test_an_sc540_candidates_provisional_reports_are_registered_and_voided_at_sca(app, client, tenant, clock, https):
    from tests.test_dossiers import Walk

    receiver = make_receiver(SECRET)
    running = Running(receiver)
    try:
        https(running.url)
        clock("2026-03-31")
        w = Walk(client, tenant, "SC-540").into_assessment()
        w.assess_location(w.location(w.branches()[0]), "2026-03-31")
        assert w.d["deadlines"]["provisional_report_expiry"]["date"] == "2026-07-31"  # 4 months from the inventory
        w.post("reject-application", "planner", reason="Aanvraag ingetrokken door de kandidaat.")
        tasks.deliver_register(app)
    finally:
        running.stop()
    kinds = [m["kind"] for m in receiver.messages.values()]
    assert kinds == ["location_request", "provisional", "provisional_void"]  # in order, per dossier
    _, provisional, void = receiver.messages.values()
    assert provisional["certificate"]["inventory_on"] == "2026-03-31"
    assert provisional["certificate"]["expires_on"] == "2026-07-31"
    assert provisional["certificate"]["report_text"] == "Niet geschikt voor de aanvraag van een omgevingsvergunning"
    assert void["certificate"]["state"] == "rejected" and void["certificate"]["source"]
