"""LAVS messages into the register: new, change, withdrawal, malformed, unknown company,
and the same job also submitted through the API: nothing lost, nothing doubled."""
import mailbox
from datetime import date
from pathlib import Path

import pytest

from cki.certificates.models import Certificate
from cki.core.db import db
from cki.meldingen.models import InboundLavsMessage, Melding

EXAMPLES = Path(__file__).resolve().parent.parent / "cki" / "meldingen" / "lavs" / "examples"


@pytest.fixture
def clock_start():
    return "2026-11-30"


def upload(client, tenant, name, content_type="application/xml"):
    r = client.post("/api/v1/lavs/messages", data=(EXAMPLES / name).read_bytes(), content_type=content_type,
                    headers=tenant.auth("office"))
    assert r.status_code == 201, r.json
    return r.json


def meldingen(app):
    """Meldingen at the example messages' address (the tenant fixture has others)."""
    with app.app_context():
        return db.session.scalars(db.select(Melding).where(Melding.postcode == "5613DM").order_by(Melding.id)).all()


def test_new_change_withdrawal(app, client, tenant, zuid, clock):
    [new] = upload(client, tenant, "startmelding.xml")
    assert new["status"] == "processed" and new["kind"] == "new"
    m = client.get(f"/api/v1/meldingen/{new['melding_id']}", headers=tenant.auth("planner")).json
    assert m["channel"] == "lavs" and m["lavs_project_id"] == "LAVS-2026-0471185"
    assert m["planned_start"] == "2026-12-07" and m["planned_start_time"] == "07:30" and m["postcode"] == "5613DM"
    assert m["worker_count"] == 4 and m["timeliness"] == "on_time"

    [change] = upload(client, tenant, "wijziging.xml")
    assert change["status"] == "processed" and change["melding_id"] == new["melding_id"]
    m = client.get(f"/api/v1/meldingen/{new['melding_id']}", headers=tenant.auth("planner")).json
    assert [r["kind"] for r in m["revisions"]] == ["new", "change"]
    assert m["planned_end"] == "2026-12-10" and m["planned_end_time"] == "12:00" and m["worker_count"] == 6
    assert m["revisions"][0]["data"]["planned_end"] == "2026-12-09" and m["revisions"][0]["data"]["worker_count"] == 4

    [withdrawal] = upload(client, tenant, "intrekking.xml")
    assert withdrawal["status"] == "processed"
    m = client.get(f"/api/v1/meldingen/{new['melding_id']}", headers=tenant.auth("planner")).json
    assert m["status"] == "cancelled"
    assert len(meldingen(app)) == 1


def test_the_same_message_twice_is_kept_once(app, client, tenant, zuid, clock):
    first = upload(client, tenant, "startmelding.xml")
    again = upload(client, tenant, "startmelding.xml")
    assert first[0]["id"] == again[0]["id"]
    assert len(meldingen(app)) == 1


def test_malformed_and_unknown_company_are_parked_with_the_reason(app, client, tenant, zuid, clock):
    [broken] = upload(client, tenant, "kapot.xml")
    [unknown] = upload(client, tenant, "onbekend-bedrijf.xml")
    assert broken["status"] == "parked" and broken["reason"].startswith("Niet te lezen")
    assert unknown["status"] == "parked" and "87654321" in unknown["reason"]
    parked = client.get("/api/v1/lavs/messages?status=parked", headers=tenant.auth("planner")).json
    assert {p["id"] for p in parked} == {broken["id"], unknown["id"]}
    with app.app_context():  # the raw bytes are kept
        raw = db.session.get(InboundLavsMessage, broken["id"]).raw
        assert raw == (EXAMPLES / "kapot.xml").read_bytes()
    assert meldingen(app) == []


def test_change_without_a_start_is_parked(client, tenant, zuid, clock):
    [change] = upload(client, tenant, "wijziging.xml")
    assert change["status"] == "parked" and "LAVS-2026-0471185" in change["reason"]


def test_parked_for_unknown_company_can_be_retried_after_registering_it(request, client, tenant, clock):
    [msg] = upload(client, tenant, "startmelding.xml")
    assert msg["status"] == "parked" and "23456789" in msg["reason"]
    request.getfixturevalue("zuid")  # staff register the company and its certificate
    r = client.post(f"/api/v1/lavs/messages/{msg['id']}/retry", headers=tenant.auth("office"))
    assert r.status_code == 200 and r.json["status"] == "processed" and r.json["melding_id"]


def test_the_same_job_by_api_and_by_lavs_is_linked(app, client, tenant, zuid, clock):
    # The company's own system notified the job first...
    r = client.post("/api/v1/users", headers=tenant.auth("admin"), json={
        "email": "portal@zuid.test", "name": "Zuid", "kind": "company", "company_id": zuid,
        "password": "lang-genoeg-wachtwoord"})
    token = client.post("/api/v1/auth/tokens", json={"email": "portal@zuid.test",
                                                     "password": "lang-genoeg-wachtwoord"}).json["token"]
    r = client.post("/api/v1/meldingen", headers={"Authorization": f"Bearer {token}"}, json={
        "scheme": "SC-530", "street": "Tongelresestraat 214", "postcode": "5613 DM", "place": "Eindhoven",
        "planned_start": "2026-12-07", "planned_end": "2026-12-09"})
    assert r.status_code == 201
    # ...then LAVS sent its startmelding: linked to the same melding, which gains the LAVS id.
    [msg] = upload(client, tenant, "startmelding.xml")
    assert msg["status"] == "processed" and msg["melding_id"] == r.json["id"]
    m = client.get(f"/api/v1/meldingen/{r.json['id']}", headers=tenant.auth("planner")).json
    assert m["lavs_project_id"] == "LAVS-2026-0471185" and [x["kind"] for x in m["revisions"]] == ["new", "link"]
    assert len(meldingen(app)) == 1


def test_eml_upload_and_maildir_polling(app, client, tenant, zuid, clock, tmp_path):
    from cki.jobs.tasks import poll_lavs_mailbox

    box = mailbox.Maildir(tmp_path / "lavs", create=True)
    box.add((EXAMPLES / "startmelding.eml").read_bytes())
    box.add(b"From: x@example.org\nSubject: geen bijlage\n\nGeen XML hier.\n")
    app.config.update(LAVS_MAILDIR=str(tmp_path / "lavs"), LAVS_CKI_KVK="10000000")
    try:
        assert poll_lavs_mailbox(app) == 2
        assert poll_lavs_mailbox(app) == 0  # marked done: not fetched twice
    finally:
        app.config.update(LAVS_MAILDIR="", LAVS_CKI_KVK="")
    listed = client.get("/api/v1/lavs/messages", headers=tenant.auth("planner")).json
    assert sorted(m["status"] for m in listed) == ["parked", "processed"]
    assert len(meldingen(app)) == 1


def test_upload_needs_staff(client, tenant):
    r = client.post("/api/v1/lavs/messages", data=(EXAMPLES / "startmelding.xml").read_bytes(),
                    content_type="application/xml", headers=tenant.auth("company1"))
    assert r.status_code == 403


def _variant(name: str, **replace: str) -> bytes:
    raw = (EXAMPLES / name).read_bytes()
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return raw


def _post(client, tenant, raw: bytes):
    r = client.post("/api/v1/lavs/messages", data=raw, content_type="application/xml", headers=tenant.auth("office"))
    assert r.status_code == 201, r.json
    return r.json


def test_a_message_parked_for_days_is_judged_by_the_day_lavs_sent_it(request, app, client, tenant, clock):
    # Sent Thursday 3 December for a start on Monday 7 December: the latest day (2 werkdagen).
    clock("2026-12-03")
    [msg] = _post(client, tenant, _variant("startmelding.xml", **{"2026-11-30T14:02:11": "2026-12-03T10:00:00"}))
    assert msg["status"] == "parked"  # the company is not registered yet
    clock("2026-12-04")  # staff register it the next day and retry
    request.getfixturevalue("zuid")
    r = client.post(f"/api/v1/lavs/messages/{msg['id']}/retry", headers=tenant.auth("office"))
    m = client.get(f"/api/v1/meldingen/{r.json['melding_id']}", headers=tenant.auth("planner")).json
    assert m["timeliness"] == "on_time" and m["submitted_on"] == "2026-12-03" and m["warning"] is None


def test_a_change_sent_before_one_already_applied_is_kept_but_not_applied(app, client, tenant, zuid, clock):
    upload(client, tenant, "startmelding.xml")
    later = _variant("wijziging.xml", **{"2026-12-03T09:45:30": "2026-12-03T11:00:00", "<m:AantalAsbestwerkers>6":
                                         "<m:AantalAsbestwerkers>8", "2026-12-10T12:00": "2026-12-11T12:00",
                                         "</m:BerichtId>": "-later</m:BerichtId>"})
    [applied] = _post(client, tenant, later)
    [stale] = upload(client, tenant, "wijziging.xml")  # sent 09:45, arrives after the 11:00 one
    assert applied["status"] == "processed" and applied["reason"] is None
    assert stale["status"] == "processed" and "Niet toegepast" in stale["reason"] and "03-12-2026 11:00" in stale["reason"]
    m = client.get(f"/api/v1/meldingen/{applied['melding_id']}", headers=tenant.auth("planner")).json
    assert (m["worker_count"], m["planned_end"]) == (8, "2026-12-11")
    assert [r["kind"] for r in m["revisions"]] == ["new", "change"] and len(meldingen(app)) == 1


def test_a_message_that_fails_in_processing_is_parked_and_the_mailbox_goes_on(app, client, tenant, zuid, clock,
                                                                              tmp_path, monkeypatch):
    from cki.jobs.tasks import poll_lavs_mailbox
    from cki.meldingen import operations

    def broken(*_args, **_kwargs):
        raise RuntimeError("onverwachte fout")

    # Any failure while placing a message: it must not stay 'received' and block the mailbox.
    monkeypatch.setattr(operations, "submit_melding", broken)
    box = mailbox.Maildir(tmp_path / "lavs", create=True)
    box.add(_mail(_variant("startmelding.xml")))
    box.add(_mail(_variant("onbekend-bedrijf.xml")))
    app.config.update(LAVS_MAILDIR=str(tmp_path / "lavs"), LAVS_CKI_KVK="10000000")
    try:
        assert poll_lavs_mailbox(app) == 2
        assert poll_lavs_mailbox(app) == 0
    finally:
        app.config.update(LAVS_MAILDIR="", LAVS_CKI_KVK="")
    listed = client.get("/api/v1/lavs/messages", headers=tenant.auth("planner")).json
    assert sorted(m["status"] for m in listed) == ["parked", "parked"]
    assert any(m["reason"] == "Verwerking mislukt: onverwachte fout" for m in listed)


def _mail(xml: bytes) -> bytes:
    import email.message

    msg = email.message.EmailMessage()
    msg["From"], msg["Subject"] = "noreply@lavs.example", "LAVS melding"
    msg.set_content("Zie bijlage.")
    msg.add_attachment(xml, maintype="application", subtype="xml", filename="melding.xml")
    return msg.as_bytes()


def test_the_same_message_id_with_other_content_is_kept_and_parked(app, client, tenant, zuid, clock):
    [first] = upload(client, tenant, "startmelding.xml")
    [other] = _post(client, tenant, _variant("startmelding.xml", **{"<m:AantalAsbestwerkers>4": "<m:AantalAsbestwerkers>9"}))
    assert other["id"] != first["id"] and other["status"] == "parked" and f"bericht {first['id']}" in other["reason"]
    [again] = _post(client, tenant, _variant("startmelding.xml", **{"<m:AantalAsbestwerkers>4": "<m:AantalAsbestwerkers>9"}))
    assert again["id"] == other["id"]  # that one too is kept once
    assert len(meldingen(app)) == 1 and meldingen(app)[0].worker_count == 4
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(InboundLavsMessage)) == 2


def test_a_message_under_a_withdrawn_certificate_is_parked(app, client, tenant, zuid, clock):
    with app.app_context():
        certificate = db.session.scalar(db.select(Certificate).where(Certificate.company_id == zuid))
        certificate.withdrawn_on = date(2026, 12, 1)
        db.session.commit()
    [msg] = upload(client, tenant, "startmelding.xml")  # start 7 December
    assert msg["status"] == "parked" and "ingetrokken op 01-12-2026" in msg["reason"]
    assert meldingen(app) == []


def test_a_start_the_certificate_does_not_cover_is_parked_not_a_crash(app, client, tenant, zuid, clock):
    [msg] = _post(client, tenant, _variant("startmelding.xml", **{"2026-12-07T07:30": "2106-12-07T07:30",
                                                                 "2026-12-09T16:00": "2106-12-09T16:00"}))
    assert msg["status"] == "parked" and "niet geldig op de startdatum 07-12-2106" in msg["reason"]


def test_a_verzonden_later_than_the_arrival_is_not_trusted_beyond_the_arrival(app, client, tenant, zuid, clock):
    # Arrives Thursday 3 December (the latest day for a start on Monday 7 December) but claims to be
    # sent on Friday 4 December: the lead time counts from the arrival, not from a date in its future.
    clock("2026-12-03")
    [msg] = _post(client, tenant, _variant("startmelding.xml", **{"2026-11-30T14:02:11": "2026-12-04T10:00:00"}))
    m = client.get(f"/api/v1/meldingen/{msg['melding_id']}", headers=tenant.auth("planner")).json
    assert m["submitted_on"] == "2026-12-03" and m["timeliness"] == "on_time"


def test_a_late_lavs_melding_is_registered_late_never_refused(app, client, tenant, zuid, clock):
    clock("2026-12-04")  # sent Friday for Monday 7 December: one werkdag short
    [msg] = _post(client, tenant, _variant("startmelding.xml", **{"2026-11-30T14:02:11": "2026-12-04T10:00:00"}))
    assert msg["status"] == "processed"
    m = client.get(f"/api/v1/meldingen/{msg['melding_id']}", headers=tenant.auth("planner")).json
    assert (m["timeliness"], m["status"]) == ("late", "registered") and "03-12-2026" in m["warning"]


def test_staff_read_a_parked_message_and_lay_it_aside_with_a_reason(app, client, tenant, clock, as_user):
    from tests.test_web import post

    [msg] = upload(client, tenant, "onbekend-bedrijf.xml")
    assert msg["status"] == "parked"
    r = client.get(f"/api/v1/lavs/messages/{msg['id']}", headers=tenant.auth("planner"))
    assert r.status_code == 200 and r.json["fields"]["company_kvk"] and "<" in r.json["raw"]
    assert client.get(f"/api/v1/lavs/messages/{msg['id']}", headers=tenant.auth("company1")).status_code == 403
    office = as_user("office")
    page = office.get(f"/meldingen/lavs/{msg['id']}").text
    assert "KvK-nummer bedrijf" in page and "&lt;" in page and "<m:Bericht" not in page  # the raw XML, escaped
    r = post(office, f"/meldingen/lavs/{msg['id']}/terzijde", reason="")
    assert "Niet terzijde gelegd" in r.text
    r = post(office, f"/meldingen/lavs/{msg['id']}/terzijde", reason="Testbericht van LAVS.")
    assert "terzijde gelegd; het blijft bewaard" in r.text
    stored = client.get(f"/api/v1/lavs/messages/{msg['id']}", headers=tenant.auth("planner")).json
    assert (stored["status"], stored["reason"]) == ("discarded", "Testbericht van LAVS.")
    log = client.get(f"/api/v1/events?subject_type=lavs_messages&subject_id={msg['id']}",
                     headers=tenant.auth("planner")).json
    assert log[-1]["action"] == "lavs.discarded"
    r = client.post(f"/api/v1/lavs/messages/{msg['id']}/retry", headers=tenant.auth("office"))
    assert r.status_code == 422  # laid aside: not processed again by accident


def test_staff_upload_a_message_in_the_page(app, client, tenant, zuid, clock, as_user):
    import io

    office = as_user("office")
    page = office.get("/meldingen/lavs")
    assert "Bericht uploaden" in page.text
    from tests.test_web import _csrf

    r = office.post("/meldingen/lavs/uploaden", follow_redirects=True, content_type="multipart/form-data", data={
        "csrf_token": _csrf(page.text), "file": (io.BytesIO((EXAMPLES / "startmelding.eml").read_bytes()), "m.eml")})
    assert "Bericht 1 verwerkt." in r.text
    assert len(meldingen(app)) == 1
    r = office.post("/meldingen/lavs/uploaden", follow_redirects=True, content_type="multipart/form-data", data={
        "csrf_token": _csrf(page.text), "file": (io.BytesIO(b"<kapot"), "kapot.xml")})
    assert "Bericht 2 geparkeerd: Niet te lezen: Het bericht is geen geldige XML (regel 1, kolom 7): een element " \
           "is niet afgesloten met" in r.text.replace("&#39;", "'")
