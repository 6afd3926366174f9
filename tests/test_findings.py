"""A finding runs its procedure through the API on concrete dates (RULES.md §6): category A closed
at T4 with the company answering in the portal's API, a T6 ending in a withdrawal proposal a decider
confirms, a B raised to A, staff decisions, and who may do what."""
import re
from datetime import date

import pytest

from tests.test_surveillance import certify, declare_clear, plan


@pytest.fixture
def clock_start():
    return "2026-04-23"


def finding_of(app, client, tenant, clock, *, scheme="SC-540", category="A", found="2026-04-23", company="company1"):
    """A final report with one finding of ``category``, found on ``found``; returns (certificate id, finding)."""
    cid = certify(app, tenant, company, scheme, date(2026, 3, 2))
    declare_clear(client, tenant, company=company)
    kind = "branch"
    audit = plan(client, tenant, cid, kind=kind, planned_on=found,
                 branch_id=tenant.ids["branch1" if company == "company1" else "branch2"]).json
    final_report(client, tenant, audit["id"], scheme=scheme, kind=kind, category=category, done_on=found)
    findings = client.get(f"/api/v1/findings?certificate_id={cid}&status=all", headers=tenant.auth("planner")).json
    assert len(findings) == 1
    return cid, findings[0]


def final_report(client, tenant, audit_id, *, scheme, kind, category, done_on, line=0,
                 evidence="Geen dossiers bewaard."):
    """The assessor's report of an audit with one finding on checklist line ``line``, approved."""
    me = tenant.auth("assessor")
    url = f"/api/v1/audits/{audit_id}/report"
    items = client.get(f"/api/v1/checklists?scheme={scheme}&kind={kind}", headers=me).json["items"]
    answers = {i["key"]: {"outcome": "conform"} for i in items}
    answers[items[line]["key"]] = {"outcome": "finding", "category": category, "evidence": evidence}
    v = client.put(url, json={"lock_version": 0, "answers": answers}, headers=me).json["lock_version"]
    v = client.post(f"{url}/submit", json={"lock_version": v, "done_on": done_on}, headers=me).json["lock_version"]
    r = client.post(f"{url}/review", json={"lock_version": v, "approve": True}, headers=tenant.auth("team_leader"))
    assert r.status_code == 200, r.json


def send_result(client, tenant, finding, on):
    """The office sends the letter with the finding's result on ``on``: its T1 or N1 is done that day."""
    office = tenant.auth("office")
    letter = next(x for x in client.get("/api/v1/letters?status=waiting", headers=office).json
                  if x["certificate_id"] == finding["certificate_id"] and x["kind"] in ("audit_report", "finding_result")
                  and (x["kind"] == "audit_report" or x["regarding_id"] == finding["id"]))
    r = client.post(f"/api/v1/letters/{letter['id']}/dispatch", json={"sent_on": on, "channel": "post"}, headers=office)
    assert r.status_code == 200, r.json
    return client.get(f"/api/v1/findings/{finding['id']}", headers=office)


def step(client, who, finding, name, on=None, outcome=None, text=None, *, tenant=None):
    """Record a step; T1 and N1 (done by sending the result letter) through the post register."""
    if name in ("T1", "N1") and on and tenant is not None:
        return send_result(client, tenant, finding, on)
    body = {"lock_version": finding["lock_version"], "step": name}
    if on:
        body["completed_on"] = on
    if outcome:
        body["outcome"] = outcome
    if text:
        body["text"] = text
    return client.post(f"/api/v1/findings/{finding['id']}/steps", json=body, headers=who)


def test_a_category_a_finding_closed_at_t4_with_the_company_answering(app, client, tenant, clock):
    cid, f = finding_of(app, client, tenant, clock)
    assert (f["category"], f["procedure"], f["status"]) == ("A", "category_a", "open")
    assert f["next_step"] == {"step": "T1", "actor": "cki", "due": "2026-04-29"}  # across Koningsdag
    tl, company = tenant.auth("team_leader"), tenant.auth("company1")
    # the company cannot set the CKI's steps, nor staff T1 by hand: the result letter's dispatch does
    assert step(client, company, f, "T1").status_code == 422
    clock("2026-04-28")
    r = step(client, tl, f, "T1", on="2026-04-28")
    assert r.status_code == 422 and "postregister" in r.json["message"]
    f = step(client, tl, f, "T1", on="2026-04-28", tenant=tenant).json
    assert f["next_step"] == {"step": "T2", "actor": "company", "due": "2026-05-01"}
    clock("2026-04-30")  # the company answers in the portal (API): dated the day it arrives
    r = step(client, company, f, "T2", text="Dossiers worden voortaan centraal bewaard; procedure aangepast.")
    assert r.status_code == 200, r.json
    f = r.json
    assert f["steps"][-1]["completed_on"] == "2026-04-30" and f["next_step"]["due"] == "2026-05-19"
    clock("2026-05-18")
    f = step(client, tl, f, "T3", on="2026-05-12").json
    r = step(client, tl, f, "T4", on="2026-05-18")
    assert r.status_code == 422 and "uitkomst" in r.json["message"]
    f = step(client, tl, f, "T4", on="2026-05-18", outcome="complies").json
    assert f["status"] == "closed" and f["next_step"] is None
    assert [s["status"] for s in f["timeline"][:4]] == ["on_time"] * 4
    # the company sees its finding with the steps; the other company does not
    assert client.get(f"/api/v1/findings/{f['id']}", headers=company).json["status"] == "closed"
    assert client.get(f"/api/v1/findings/{f['id']}", headers=tenant.auth("company2")).status_code == 404


def test_t6_without_effect_proposes_a_withdrawal_a_decider_confirms(app, client, tenant, clock):
    cid, f = finding_of(app, client, tenant, clock, scheme="SC-530")
    tl = tenant.auth("team_leader")
    clock("2026-07-31")
    for name, on, outcome in (("T1", "2026-04-29", None), ("T2", "2026-05-06", None), ("T3", "2026-05-27", None),
                              ("T4", "2026-06-02", "warning"), ("T5", "2026-06-19", None),
                              ("T6", "2026-06-24", "not_effective")):
        r = step(client, tl if name not in ("T2", "T5") else tenant.auth("office"), f, name, on=on, outcome=outcome,
                 tenant=tenant)
        assert r.status_code == 200, (name, r.json)
        f = r.json
        if name == "T3":
            assert f["timeline"][2]["status"] == "past_target"  # 10 werkdagen target, 14 the limit
    assert f["status"] == "withdrawal_proposed"
    proposals = client.get("/api/v1/withdrawal-proposals", headers=tenant.auth("decider")).json
    mine = [p for p in proposals if p["certificate_id"] == cid]
    assert len(mine) == 1 and "T6" in mine[0]["reason"]
    r = client.post(f"/api/v1/withdrawal-proposals/{mine[0]['id']}/decision",
                    json={"confirm": True, "reason": "Maatregelen niet effectief; intrekking volgt na zienswijze."},
                    headers=tenant.auth("decider"))
    assert r.json["status"] == "confirmed"
    assert client.get(f"/api/v1/certificates/{cid}", headers=tl).json["status"] == "valid"  # nothing by itself


def test_a_b_past_its_term_is_flagged_and_raised_to_a(app, client, tenant, clock):
    cid, b = finding_of(app, client, tenant, clock, category="B")
    assert b["procedure"] == "non_a"
    clock("2026-04-28")
    b = step(client, tenant.auth("team_leader"), b, "N1", on="2026-04-28", tenant=tenant).json
    clock("2026-05-04")  # N2 was due on 1 May
    b = client.get(f"/api/v1/findings/{b['id']}", headers=tenant.auth("planner")).json
    assert b["overdue_b"] and "niet op tijd" in b["flags"][0]
    from tests.test_web import login

    decider = app.test_client()
    login(decider, tenant.emails["decider"])
    assert f'href="/bevindingen/{b["id"]}"' in decider.get("/bevindingen/voorstellen").text  # in the queue
    r = client.post(f"/api/v1/findings/{b['id']}/decisions", json={
        "about": b["flags"][0], "decision": "Verhogen naar categorie A."}, headers=tenant.auth("team_leader"))
    assert r.status_code == 201 and r.json["decided_on"] == "2026-05-04"
    assert client.post(f"/api/v1/findings/{b['id']}/raise", json={"reason": "x"},
                       headers=tenant.auth("assessor")).status_code == 403
    r = client.post(f"/api/v1/findings/{b['id']}/raise", json={"reason": "N2 niet binnen de termijn beantwoord."},
                    headers=tenant.auth("team_leader"))
    assert r.status_code == 201, r.json
    a = r.json
    assert (a["category"], a["procedure"], a["found_on"], a["next_step"]["due"]) == ("A", "category_a", "2026-05-04",
                                                                                     "2026-05-08")  # 5 May skipped
    old = client.get(f"/api/v1/findings/{b['id']}", headers=tenant.auth("planner")).json
    assert (old["status"], old["raised_to_id"]) == ("raised", a["id"])
    assert f'href="/bevindingen/{b["id"]}"' not in decider.get("/bevindingen/voorstellen").text
    assert client.post(f"/api/v1/findings/{b['id']}/raise", json={"reason": "x"},
                       headers=tenant.auth("team_leader")).status_code == 422  # once


def test_a_remark_has_no_procedure(app, client, tenant, clock):
    cid, r = finding_of(app, client, tenant, clock, category="remark")
    assert (r["procedure"], r["status"], r["timeline"]) == (None, "closed", [])
    assert step(client, tenant.auth("team_leader"), r, "T1").status_code == 422


def test_the_finding_pages_staff_steps_and_the_company_answers_in_the_portal(app, client, tenant, clock):
    from tests.test_web import login, post

    cid, f = finding_of(app, client, tenant, clock)
    leader = app.test_client()
    login(leader, tenant.emails["team_leader"])
    listing = leader.get("/bevindingen/")
    assert listing.status_code == 200 and f["clause"] in listing.text
    page = leader.get(f"/bevindingen/{f['id']}")
    assert page.status_code == 200 and "<svg" in page.text and "Termijnen" in page.text and "T1" in page.text
    clock("2026-04-28")
    refused = post(leader, f"/bevindingen/{f['id']}", action="step", lock_version=1, step="T1", completed_on="2026-04-28")
    assert refused.status_code == 422 and "postregister" in refused.text  # T1 is the result letter's dispatch
    send_result(client, tenant, f, "2026-04-28")
    company = app.test_client()
    login(company, tenant.emails["company1"])
    clock("2026-04-30")
    own = company.get(f"/bevindingen/{f['id']}")
    assert "Uw corrigerende maatregelen" in own.text and 'name="completed_on"' not in own.text
    answered = post(company, f"/bevindingen/{f['id']}", action="step", lock_version=2, step="T2",
                    text="Dossiers centraal bewaard.")
    assert "Stap vastgelegd" in answered.text, re.findall(r"alert.>([^<]*)", answered.text)
    assert "Dossiers centraal bewaard." in answered.text
    assert post(company, f"/bevindingen/{f['id']}", action="raise", reason="x").status_code == 403
    other = app.test_client()
    login(other, tenant.emails["company2"])
    assert other.get(f"/bevindingen/{f['id']}").status_code == 404
    clock("2026-05-18")
    post(leader, f"/bevindingen/{f['id']}", action="step", lock_version=3, step="T3", completed_on="2026-05-12")
    refused = post(leader, f"/bevindingen/{f['id']}", action="step", lock_version=4, step="T4",
                   completed_on="2026-05-19")
    assert "toekomst" in refused.text  # dated after today
    closed = post(leader, f"/bevindingen/{f['id']}", action="step", lock_version=4, step="T4",
                  completed_on="2026-05-18", outcome="complies")
    assert "afgesloten" in closed.text


def test_raising_is_not_dated_in_the_future(app, client, tenant, clock):
    cid, b = finding_of(app, client, tenant, clock, category="B")
    for on in ("2101-01-01", "2026-05-01"):  # beyond the calendar; after today (23 April)
        r = client.post(f"/api/v1/findings/{b['id']}/raise", json={"reason": "x", "on": on},
                        headers=tenant.auth("team_leader"))
        assert r.status_code == 422, on
    assert "toekomst" in r.json["message"]
    assert client.get("/api/v1/findings", headers=tenant.auth("planner")).status_code == 200


def test_the_deciders_queue_page(app, client, tenant, clock):
    from tests.test_web import login, post

    cid, f = finding_of(app, client, tenant, clock, scheme="SC-530")
    tl = tenant.auth("team_leader")
    clock("2026-07-31")
    for name, on, outcome in (("T1", "2026-04-29", None), ("T2", "2026-05-06", None), ("T3", "2026-05-20", None),
                              ("T4", "2026-05-26", "warning"), ("T5", "2026-06-12", None),
                              ("T6", "2026-06-17", "not_effective")):
        f = step(client, tl if name not in ("T2", "T5") else tenant.auth("office"), f, name, on=on, outcome=outcome,
                 tenant=tenant).json
    decider = app.test_client()
    login(decider, tenant.emails["decider"])
    page = decider.get("/bevindingen/voorstellen")
    assert page.status_code == 200 and "T6" in page.text and "Bevestigen" in page.text
    proposal = client.get("/api/v1/withdrawal-proposals", headers=tenant.auth("decider")).json[0]
    assert "redenen" in post(decider, "/bevindingen/voorstellen", proposal_id=proposal["id"], confirm="0",
                              reason=" ").text
    done = post(decider, "/bevindingen/voorstellen", proposal_id=proposal["id"], confirm="0",
                reason="Maatregelen alsnog aangetoond bij een extra beoordeling.")
    assert "Geen open voorstellen" in done.text
    planner = app.test_client()
    login(planner, tenant.emails["planner"])
    assert "Bevestigen" not in planner.get("/bevindingen/voorstellen").text
    assert post(planner, "/bevindingen/voorstellen", proposal_id=proposal["id"], confirm="1",
                reason="x").status_code == 403


def test_a_blank_staff_decision_on_the_page_is_refused(app, client, tenant, clock):
    from tests.test_web import login, post

    cid, b = finding_of(app, client, tenant, clock, category="B")
    leader = app.test_client()
    login(leader, tenant.emails["team_leader"])
    r = post(leader, f"/bevindingen/{b['id']}", action="decision", about="x", decision="  ")
    assert r.status_code == 422 and "Geef de beslissing" in r.text
    assert client.get(f"/api/v1/findings/{b['id']}", headers=tenant.auth("planner")).json["decisions"] == []
