"""Sanctions by the inspectorate and other authorities (A §4.2, RULES.md §6): the determination
decides what may follow, a keep is motivated and listed for the annual report and starts the §8.2
procedure as a finding of the category the scheme gives (SC-530: only a stillegging is A)."""
from datetime import date

import pytest

from tests.test_surveillance import certify


@pytest.fixture
def clock_start():
    return "2026-06-01"


def notice(client, tenant, **kw):
    body = {"authority": "inspectorate", "kind": "stillegging", "received_on": "2026-05-28",
            "description": "Stillegging Kerkstraat 4: geen onderdruk in de containment.", **kw}
    r = client.post("/api/v1/sanction-notices", json=body, headers=tenant.auth("office"))
    assert r.status_code == 201, r.json
    return r.json


def determine(client, tenant, n, deviation, assessment=None):
    r = client.post(f"/api/v1/sanction-notices/{n['id']}/determination", headers=tenant.auth("decider"), json={
        "deviation": deviation, "assessment": assessment, "determination": "Vastgesteld uit eigen rapporten."})
    assert r.status_code == 200, r.json
    return r.json


def decide(client, tenant, n, outcome, motivation=None):
    return client.post(f"/api/v1/sanction-notices/{n['id']}/decision", headers=tenant.auth("decider"),
                       json={"outcome": outcome, "motivation": motivation})


def test_an_sc530_stillegging_kept_as_an_incident_becomes_a_category_a_finding(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2025, 3, 3))
    n = notice(client, tenant, certificate_id=cid)
    assert decide(client, tenant, n, "keep", "x").status_code == 422  # determine first
    determine(client, tenant, n, True, "incident")
    assert decide(client, tenant, n, "withdraw").status_code == 422  # an incident: kept, the §8.2 path
    r = decide(client, tenant, n, "keep")
    assert r.status_code == 422 and "jaarverslag" in r.json["message"]  # motivation required
    r = decide(client, tenant, n, "keep", "Eenmalig: de meter viel uit; eerdere rapporten zonder afwijking.")
    assert r.status_code == 200 and r.json["annual_report"]
    findings = client.get(f"/api/v1/findings?certificate_id={cid}", headers=tenant.auth("planner")).json
    assert [(f["category"], f["procedure"], f["found_on"]) for f in findings] == [("A", "category_a", "2026-06-01")]
    report = client.get("/api/v1/sanction-notices?annual_report=true", headers=tenant.auth("reviewer")).json
    assert [x["id"] for x in report] == [n["id"]]
    assert client.post("/api/v1/sanction-notices", json={}, headers=tenant.auth("reviewer")).status_code == 403


def test_an_sc530_proces_verbaal_that_deviates_becomes_a_b(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2025, 3, 3))
    n = notice(client, tenant, certificate_id=cid, kind="proces_verbaal")
    determine(client, tenant, n, True, "other_reason")
    assert decide(client, tenant, n, "keep", "Sanctie betrof een administratief verzuim.").status_code == 200
    findings = client.get(f"/api/v1/findings?certificate_id={cid}", headers=tenant.auth("planner")).json
    assert [(f["category"], f["procedure"]) for f in findings] == [("B", "non_a")]


def test_sc540_another_authoritys_heavy_fine_is_an_a_and_neither_means_withdrawal(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2025, 3, 3))
    kept = notice(client, tenant, certificate_id=cid, authority="other_authority", kind="heavy_fine")
    determine(client, tenant, kept, True, "incident")
    decide(client, tenant, kept, "keep", "Incident, elders goed beoordeeld.")
    assert [f["category"] for f in client.get(f"/api/v1/findings?certificate_id={cid}",
                                               headers=tenant.auth("planner")).json] == ["A"]
    n = notice(client, tenant, certificate_id=cid, kind="proces_verbaal")
    determine(client, tenant, n, True, "neither")
    assert decide(client, tenant, n, "keep", "x").status_code == 422
    r = decide(client, tenant, n, "withdraw")
    assert r.status_code == 200 and not r.json["annual_report"]
    assert client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json["status"] == "valid"
    # no deviation: weighed freely, kept without a finding
    free = notice(client, tenant, certificate_id=cid, kind="other")
    determine(client, tenant, free, False)
    assert decide(client, tenant, free, "keep").json["annual_report"] is False


def test_a_notice_about_a_candidate(app, client, tenant, clock):
    d = client.post("/api/v1/dossiers", json={"company_id": tenant.ids["company2"], "scheme": "SC-530",
                                              "applied_on": "2026-05-20"}, headers=tenant.auth("planner")).json
    n = notice(client, tenant, dossier_id=d["id"])
    determine(client, tenant, n, True, "neither")
    assert decide(client, tenant, n, "keep", "x").status_code == 422
    r = decide(client, tenant, n, "weigh_in_assessment", "Meewegen bij de beoordeling op locatie.")
    assert r.status_code == 200 and r.json["annual_report"]
    assert client.post("/api/v1/sanction-notices", headers=tenant.auth("office"), json={
        "authority": "inspectorate", "kind": "stillegging", "received_on": "2026-05-28", "description": "x"}
    ).status_code == 422  # neither certificate nor dossier
