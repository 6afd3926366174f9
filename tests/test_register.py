"""The SCA register fetches granted certificates from the outbox and acknowledges them;
it reads nothing else of the CKI."""
import pytest

from tests.test_dossiers import Walk


@pytest.fixture
def clock_start():
    return "2026-03-02"


@pytest.fixture
def granted(client, tenant, clock):
    w = Walk(client, tenant, "SC-530").into_assessment()
    w.pass_branches_and_locations(containment=True).to_decision()
    w.post("decide", "decider", grant=True, on="2026-02-20", motivation="Voldoet.")
    assert w.d["state"] == "granted"
    return w


def test_register_fetches_the_certificate_and_acknowledges_it(client, tenant, granted):
    sca = tenant.auth("sca")
    pending = client.get("/api/v1/register/messages", headers=sca)
    assert pending.status_code == 200
    [message] = [m for m in pending.json if m["kind"] == "granted"]  # after the locations' permission requests
    number = granted.d["certificate"]["number"]
    assert message["kind"] == "granted" and message["certificate"]["number"] == number
    assert message["certificate"]["valid_until"] == "2029-02-19"
    pdf = client.get(message["pdf_url"], headers=sca)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    ack = client.post(f"/api/v1/register/messages/{message['id']}/acknowledge", headers=sca)
    assert ack.status_code == 200 and ack.json["acknowledged_at"]
    again = client.post(f"/api/v1/register/messages/{message['id']}/acknowledge", headers=sca)
    assert again.json["acknowledged_at"] == ack.json["acknowledged_at"]  # a retry changes nothing
    assert message["id"] not in [m["id"] for m in client.get("/api/v1/register/messages", headers=sca).json]
    everything = client.get("/api/v1/register/messages?pending=false", headers=sca).json
    assert message["id"] in [m["id"] for m in everything]
    log = client.get(f"/api/v1/events?subject_type=register_messages&subject_id={message['id']}",
                     headers=tenant.auth("admin")).json
    assert [e["action"] for e in log] == ["register_acknowledged"]


def test_register_reads_nothing_but_its_outbox(client, tenant, granted):
    sca = tenant.auth("sca")
    for url in ("/api/v1/dossiers", f"/api/v1/dossiers/{granted.id}", "/api/v1/meldingen", "/api/v1/companies",
                f"/api/v1/dossiers/{granted.id}/certificate.pdf"):
        assert client.get(url, headers=sca).status_code == 403, url


def test_companies_may_not_read_the_outbox_and_staff_may_not_acknowledge(client, tenant, granted):
    assert client.get("/api/v1/register/messages", headers=tenant.auth("company1")).status_code == 403
    message = client.get("/api/v1/register/messages", headers=tenant.auth("office")).json[0]
    r = client.post(f"/api/v1/register/messages/{message['id']}/acknowledge", headers=tenant.auth("admin"))
    assert r.status_code == 403


def test_another_ckis_register_client_sees_none_of_it(client, tenant, other_tenant, granted):
    assert client.get("/api/v1/register/messages", headers=other_tenant.auth("sca")).json == []
