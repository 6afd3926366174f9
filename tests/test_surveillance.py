"""Surveillance after the grant through the API (RULES.md §3–§4): the programme per period from a
certificate's own dates, planning with the assignment checks, secrecy of unannounced audits for the
company (also over time), recording, catch-up with the withdrawal proposal, recertification, expiry."""
import io
from datetime import date

import pytest
from flask import g

from cki.core.auth import Principal
from cki.core.db import db


@pytest.fixture
def clock_start():
    return "2026-11-24"


def certify(app, tenant, company: str, scheme: str, issued_on: date, *, branches: int = 1) -> int:
    """A granted dossier and its certificate, issued by the certificates domain itself."""
    from cki.certificates import operations as certificates
    from cki.companies import operations as companies
    from cki.companies.models import Company
    from cki.dossiers.models import Dossier
    from workflows.schemes import load_scheme

    with app.test_request_context():
        g.principal = Principal(cki_id=tenant.cki_id, label="test setup")
        company_row = db.session.get(Company, tenant.ids[company])
        for n in range(len(company_row.branches), branches):
            companies.create_branch(company_row, {"address": f"Filiaalweg {n}, Zwolle", "name": f"Filiaal {n}",
                                                  "kvk_number": None, "is_head_office": False})
        dossier = Dossier(cki_id=tenant.cki_id, company_id=company_row.id, scheme=scheme, scheme_version="x",
                          state="granted", applied_on=issued_on)
        db.session.add(dossier)
        db.session.flush()
        certificate = certificates.issue(dossier=dossier, company=company_row, branches=company_row.branches,
                                         scheme=load_scheme(scheme, issued_on), issued_on=issued_on)
        db.session.commit()
        return certificate.id


def declare_clear(client, tenant, who="assessor", company="company1", on="2026-01-05", clear=True):
    r = client.post(f"/api/v1/users/{tenant.ids[f'user_{who}']}/conflict-declarations",
                    json={"company_id": tenant.ids[company], "declared_on": on, "clear": clear},
                    headers=tenant.auth("quality_manager"))
    assert r.status_code == 201, r.json


def programme(client, tenant, certificate_id):
    r = client.get(f"/api/v1/certificates/{certificate_id}/programme", headers=tenant.auth("planner"))
    assert r.status_code == 200, r.json
    return r.json["periods"]


def line(period, kind, branch_id=None):
    return next(x for x in period["lines"] if x["kind"] == kind and (branch_id is None or x["branch_id"] == branch_id))


def plan(client, tenant, certificate_id, **kw):
    body = {"certificate_id": certificate_id, "kind": "total", "branch_id": tenant.ids["branch1"],
            "planned_on": "2026-12-08", "auditor_ids": [tenant.ids["user_assessor"]], **kw}
    return client.post("/api/v1/audits", json=body, headers=tenant.auth("planner"))


# -- the programme -----------------------------------------------------------------------------------


def test_sc530_programme_from_a_grant_on_31_january(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31), branches=2)
    periods = programme(client, tenant, cid)
    assert [(p["period"]["start"], p["period"]["end"]) for p in periods] == [
        ("2026-01-31", "2027-01-30"), ("2027-01-31", "2028-01-30"), ("2028-01-31", "2029-01-30")]
    assert [p["current"] for p in periods] == [True, False, False]
    first = periods[0]
    assert [x["kind"] for x in first["lines"]] == ["branch", "branch"]  # figures not declared yet
    assert any("ontbreken" in w for w in first["warnings"])

    head = tenant.ids["branch1"]
    r = client.post(f"/api/v1/certificates/{cid}/figures", json={
        "period_index": 0, "branch_id": head, "figures": {"project_days": 241}, "works": 6},
        headers=tenant.auth("company1"))
    assert r.status_code == 200, r.json
    assert any("minimaal 7" in w for w in r.json["warnings"])
    first = programme(client, tenant, cid)[0]
    assert line(first, "total")["required"] == 8 and line(first, "total")["unannounced"]
    assert any("vóór de verlening" in text for text in first["readings"])
    # SC-530 counts for the certificate: figures go on the head office
    other = [b["branch_id"] for b in client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json[
        "branches"] if not b["is_head_office"]][0]
    r = client.post(f"/api/v1/certificates/{cid}/figures", json={
        "period_index": 0, "branch_id": other, "figures": {"project_days": 3}}, headers=tenant.auth("planner"))
    assert r.status_code == 422 and "hoofdvestiging" in r.json["message"]
    # the table refuses what it cannot read
    r = client.post(f"/api/v1/certificates/{cid}/figures", json={
        "period_index": 1, "branch_id": head, "figures": {"avg_dia": 3}}, headers=tenant.auth("planner"))
    assert r.status_code == 422 and "figures" in r.json["errors"]["json"]


def test_sc540_programme_per_branch_from_a_leap_day_grant(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2024, 2, 29), branches=2)
    cert = client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json
    assert cert["valid_until"] == "2027-02-28" and cert["status"] == "valid"
    head, other = (b["branch_id"] for b in cert["branches"])
    for branch, figures in ((head, {"avg_dia": 3, "avg_reports": 400}), (other, {"avg_dia": 1, "avg_reports": 1100})):
        r = client.post(f"/api/v1/certificates/{cid}/figures", json={
            "period_index": 2, "branch_id": branch, "figures": figures}, headers=tenant.auth("office"))
        assert r.status_code == 200, r.json
    periods = programme(client, tenant, cid)
    assert [p["period"]["end"] for p in periods] == ["2025-02-27", "2026-02-27", "2027-02-28"]
    third = periods[2]
    assert third["current"]
    assert (line(third, "regular", head)["required"], line(third, "result_oriented", head)["required"]) == (4, 2)
    assert (line(third, "regular", other)["required"], line(third, "result_oriented", other)["required"]) == (6, 3)
    # recertification: the last year's audits are due 3 months before expiry
    assert third["due_by"] == "2026-11-28" and "B §5" in third["due_rule"]
    # periods 1 and 2 passed with nothing done: every line is behind
    assert periods[0]["behind"] == sum(x["total"] for x in periods[0]["lines"]) > 0


def test_holder_not_continuing_moves_the_last_periods_due_date_to_its_end(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2024, 2, 29))
    r = client.post(f"/api/v1/certificates/{cid}/not-continuing",
                    json={"received_on": "2026-11-02", "document": "Brief 2026-0412: stopt per einde geldigheid"},
                    headers=tenant.auth("office"))
    assert r.status_code == 200 and r.json["not_continuing_on"] == "2026-11-02"
    assert programme(client, tenant, cid)[2]["due_by"] == "2027-02-28"
    r = client.post(f"/api/v1/certificates/{cid}/not-continuing", json={"received_on": "2024-01-01", "document": "x"},
                    headers=tenant.auth("office"))
    assert r.status_code == 422 and "received_on" in r.json["errors"]["json"]
    assert client.post(f"/api/v1/certificates/{cid}/not-continuing", json={"received_on": "2026-11-02", "document": "x"},
                       headers=tenant.auth("company1")).status_code == 403


# -- planning and assignment -------------------------------------------------------------------------


def test_assignment_refused_for_qualification_conflict_and_daily_cap(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    # no declaration about the company on file
    r = plan(client, tenant, cid, kind="regular")
    assert r.status_code == 422 and "belangenverstrengeling" in r.json["message"], r.json
    # a declaration that names an interest
    declare_clear(client, tenant, clear=False)
    r = plan(client, tenant, cid, kind="regular")
    assert r.status_code == 422 and "belang bij dit bedrijf" in r.json["message"]
    declare_clear(client, tenant, on="2026-06-01")  # a later, clear declaration decides
    # not an assessor / not qualified on the date
    r = plan(client, tenant, cid, kind="regular", auditor_ids=[tenant.ids["user_office"]])
    assert r.status_code == 422 and "rol beoordelaar" in r.json["message"]
    admin = tenant.auth("admin")
    new = client.post("/api/v1/users", json={"email": "nieuw@x.test", "name": "Nieuwe Beoordelaar", "kind": "staff",
                                              "roles": ["assessor"], "password": "een lang wachtwoord 123"},
                      headers=admin).json
    client.post(f"/api/v1/users/{new['id']}/qualifications", json={
        "scheme": "SC-540", "function": "assessor", "valid_from": "2025-01-01", "valid_to": "2026-12-07"}, headers=admin)
    client.post(f"/api/v1/users/{new['id']}/conflict-declarations", json={
        "company_id": tenant.ids["company1"], "declared_on": "2026-01-05", "clear": True}, headers=admin)
    r = plan(client, tenant, cid, kind="regular", auditor_ids=[new["id"]])
    assert r.status_code == 422 and "niet geldig op 08-12-2026" in r.json["message"]
    assert plan(client, tenant, cid, kind="regular", auditor_ids=[new["id"]], planned_on="2026-12-07").status_code == 201
    # daily cap: 2 location audits a day; SC-540 3 when the locations are close, recorded as such
    assert plan(client, tenant, cid, kind="regular").status_code == 201
    assert plan(client, tenant, cid, kind="result_oriented").status_code == 201
    r = plan(client, tenant, cid, kind="regular")
    assert r.status_code == 422 and "ten hoogste 2 per dag" in r.json["message"]
    # a third because the locations are close: only when the day's others are recorded as close too
    r = plan(client, tenant, cid, kind="regular", close_locations=True)
    assert r.status_code == 422 and "ten hoogste 2 per dag" in r.json["message"]
    for _ in range(3):
        r = plan(client, tenant, cid, kind="regular", close_locations=True, planned_on="2026-12-09")
        assert r.status_code == 201 and r.json["close_locations"]
    r = plan(client, tenant, cid, kind="regular", close_locations=True, planned_on="2026-12-09")
    assert r.status_code == 422 and "ten hoogste 3" in r.json["message"]
    # a branch audit is not a location audit
    assert plan(client, tenant, cid, kind="branch").status_code == 201
    # SC-530 has no "total" column in SC-540, and dates must lie in the validity and not in the past
    assert plan(client, tenant, cid, kind="total").status_code == 422
    assert plan(client, tenant, cid, kind="branch", planned_on="2026-11-23").json["errors"]["json"]["planned_on"]
    assert plan(client, tenant, cid, kind="branch", planned_on="2029-03-02").json["errors"]["json"]["planned_on"]
    # only planners plan
    body = {"certificate_id": cid, "kind": "branch", "branch_id": tenant.ids["branch1"], "planned_on": "2026-12-09",
            "auditor_ids": [tenant.ids["user_assessor"]]}
    for who in ("assessor", "office", "decider", "reviewer", "company1"):
        assert client.post("/api/v1/audits", json=body, headers=tenant.auth(who)).status_code == 403, who


def test_an_unannounced_audit_is_secret_for_the_company_until_it_took_place(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    secret = plan(client, tenant, cid, kind="total")
    announced = plan(client, tenant, cid, kind="branch", planned_on="2026-12-09")
    assert secret.status_code == announced.status_code == 201
    assert secret.json["unannounced"] and not announced.json["unannounced"]
    company = tenant.auth("company1")

    def company_sees():
        listed = {a["id"] for a in client.get("/api/v1/audits", headers=company).json}
        listed |= {a["id"] for a in client.get(f"/api/v1/audits?certificate_id={cid}", headers=company).json}
        direct = client.get(f"/api/v1/audits/{secret.json['id']}", headers=company).status_code
        return secret.json["id"] in listed, direct, announced.json["id"] in listed

    assert company_sees() == (False, 404, True)
    # the day passes: not yet recorded as done, so still secret (it may have been postponed)
    clock("2026-12-10")
    assert company_sees() == (False, 404, True)
    # the company cannot act on it either
    assert client.post(f"/api/v1/audits/{secret.json['id']}/cancel", json={"lock_version": 1, "reason": "x"},
                       headers=company).status_code == 403
    r = client.post(f"/api/v1/audits/{secret.json['id']}/done", json={"lock_version": 1, "done_on": "2026-12-08"},
                    headers=tenant.auth("assessor"))
    assert r.status_code == 200, r.json
    assert company_sees() == (True, 200, True)
    # the staff's view tells them more than the company's
    assert "melding_alert" not in client.get(f"/api/v1/audits/{secret.json['id']}", headers=company).json
    # a cancelled unannounced audit never shows
    cancelled = plan(client, tenant, cid, kind="total", planned_on="2026-12-15").json
    client.post(f"/api/v1/audits/{cancelled['id']}/cancel", json={"lock_version": 1, "reason": "ziek"},
                headers=tenant.auth("planner"))
    assert cancelled["id"] not in {a["id"] for a in client.get("/api/v1/audits", headers=company).json}
    # the other company of the CKI sees none of it
    assert client.get("/api/v1/audits", headers=tenant.auth("company2")).json == []


def test_recording_done_keeps_dates_in_order_and_counts_in_the_programme(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    audit = plan(client, tenant, cid, kind="branch").json
    url = f"/api/v1/audits/{audit['id']}/done"
    assert client.post(url, json={"lock_version": 1, "done_on": "2026-11-25"},
                       headers=tenant.auth("assessor")).json["errors"]["json"]["done_on"]  # in the future
    assert client.post(url, json={"lock_version": 1, "done_on": "2026-01-30"},
                       headers=tenant.auth("assessor")).json["errors"]["json"]["done_on"]  # before the grant
    assert client.post(url, json={"lock_version": 9, "done_on": "2026-11-20"},
                       headers=tenant.auth("assessor")).status_code == 409
    # an assessor who is not assigned may not record it
    assert client.post(url, json={"lock_version": 1, "done_on": "2026-11-20"},
                       headers=tenant.auth("team_leader")).status_code == 200
    assert client.post(url, json={"lock_version": 2, "done_on": "2026-11-20"},
                       headers=tenant.auth("assessor")).status_code == 422  # already done
    first = programme(client, tenant, cid)[0]
    assert line(first, "branch")["done"] == 1 and line(first, "branch")["behind"] == 0


def test_an_assessor_records_only_its_own_audits(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    admin = tenant.auth("admin")
    other = client.post("/api/v1/users", json={"email": "tweede@x.test", "name": "Tweede Beoordelaar", "kind": "staff",
                                                "roles": ["assessor"], "password": "een lang wachtwoord 123"},
                        headers=admin).json
    client.post(f"/api/v1/users/{other['id']}/qualifications", json={
        "scheme": "SC-530", "function": "assessor", "valid_from": "2025-01-01"}, headers=admin)
    client.post(f"/api/v1/users/{other['id']}/conflict-declarations",
        json={"company_id": tenant.ids["company1"], "declared_on": "2026-01-05", "clear": True}, headers=admin)
    audit = plan(client, tenant, cid, kind="branch", auditor_ids=[other["id"]]).json
    r = client.post(f"/api/v1/audits/{audit['id']}/done", json={"lock_version": 1, "done_on": "2026-11-20"},
                    headers=tenant.auth("assessor"))
    assert r.status_code == 422 and "toegewezen" in r.json["message"]


def test_the_audit_shows_when_its_melding_is_withdrawn_or_moved(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    melding = client.post("/api/v1/meldingen", json={
        "scheme": "SC-530", "street": "Werkstraat 5", "postcode": "3511AB", "place": "Utrecht",
        "planned_start": "2026-12-07", "planned_end": "2026-12-11"}, headers=tenant.auth("company1")).json
    r = plan(client, tenant, cid, kind="total", melding_id=melding["id"], planned_on="2026-12-14")
    assert r.status_code == 422 and "loopt het werk" in r.json["message"]
    audit = plan(client, tenant, cid, kind="total", melding_id=melding["id"]).json
    assert audit["location"] == "Werkstraat 5, 3511AB Utrecht" and audit["melding_alert"] is None
    r = client.patch(f"/api/v1/meldingen/{melding['id']}", json={"planned_start": "2026-12-14",
                                                                  "planned_end": "2026-12-16"},
                     headers=tenant.auth("company1"))
    assert r.status_code == 200, r.json
    alert = client.get(f"/api/v1/audits/{audit['id']}", headers=tenant.auth("planner")).json["melding_alert"]
    assert "verplaatst" in alert
    from tests.test_web import login
    planner = app.test_client()
    login(planner, tenant.emails["planner"])
    start = planner.get("/start").text  # on the planner's work list too
    assert "Gewijzigde meldingen" in start and f"Beoordeling {audit['id']}: melding {melding['id']}" in start
    client.post(f"/api/v1/meldingen/{melding['id']}/cancel", json={}, headers=tenant.auth("company1"))
    alert = client.get(f"/api/v1/audits/{audit['id']}", headers=tenant.auth("planner")).json["melding_alert"]
    assert "ingetrokken" in alert


# -- catch-up ----------------------------------------------------------------------------------------


def test_catch_up_once_then_a_withdrawal_proposal_for_a_decider(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2024, 1, 31))
    client.post(f"/api/v1/certificates/{cid}/figures", json={
        "period_index": 0, "branch_id": tenant.ids["branch1"], "figures": {"project_days": 100}, "works": 8},
        headers=tenant.auth("planner"))
    planner = tenant.auth("planner")
    r = client.post(f"/api/v1/certificates/{cid}/catch-ups", json={"period_index": 1, "reason": "Te weinig werken"},
                    headers=planner)
    assert r.status_code == 201, r.json
    assert {(s["kind"], s["count"]) for s in r.json["shortfall"]} == {("branch", 1), ("total", 6)}
    # the shortfall is added to the next period
    second = programme(client, tenant, cid)[1]
    assert line(second, "branch")["carried_in"] == 1 and line(second, "branch")["total"] == 2
    assert programme(client, tenant, cid)[0]["catch_up"]["reason"] == "Te weinig werken"
    # the same period twice is a conflict, not a second use
    assert client.post(f"/api/v1/certificates/{cid}/catch-ups", json={"period_index": 1, "reason": "x"},
                       headers=planner).status_code == 409
    # a second use within 4 consecutive periods: refused, and a proposal goes to a decider
    r = client.post(f"/api/v1/certificates/{cid}/catch-ups", json={"period_index": 2, "reason": "Weer te weinig"},
                    headers=planner)
    assert r.status_code == 422 and "beslisser" in r.json["message"]
    proposal_id = r.json["withdrawal_proposal_id"]
    proposals = client.get("/api/v1/withdrawal-proposals", headers=tenant.auth("decider")).json
    assert [(p["id"], p["certificate_id"], p["status"]) for p in proposals] == [(proposal_id, cid, "open")]
    # the certificate is not withdrawn by itself
    assert client.get(f"/api/v1/certificates/{cid}", headers=planner).json["status"] == "valid"
    assert client.post(f"/api/v1/withdrawal-proposals/{proposal_id}/decision", json={"confirm": True, "reason": "x"},
                       headers=planner).status_code == 403
    r = client.post(f"/api/v1/withdrawal-proposals/{proposal_id}/decision",
                    json={"confirm": False, "reason": "Het tekort kwam door een stillegging van de sector."},
                    headers=tenant.auth("decider"))
    assert r.status_code == 200 and r.json["status"] == "rejected"
    assert client.post(f"/api/v1/withdrawal-proposals/{proposal_id}/decision", json={"confirm": True, "reason": "x"},
                       headers=tenant.auth("decider")).status_code == 409
    # the last period has no next period
    r = client.post(f"/api/v1/certificates/{cid}/catch-ups", json={"period_index": 3, "reason": "x"}, headers=planner)
    assert r.status_code == 422 and "hercertificatie" in r.json["message"]


# -- expiry ------------------------------------------------------------------------------------------


def test_expiry_sets_expired_once_and_tells_the_register(app, client, tenant, clock):
    from cki.certificates.models import Certificate
    from cki.jobs import tasks
    from cki.register.models import RegisterMessage

    cid = certify(app, tenant, "company1", "SC-530", date(2023, 11, 24))
    assert client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json["valid_until"] == "2026-11-23"
    def status(certificate_id):
        with app.app_context():
            return db.session.get(Certificate, certificate_id).status

    assert tasks.sweep_deadlines(app, on=date(2026, 11, 23)).flagged == 0  # its last day: still valid
    assert status(cid) == "valid"
    assert tasks.sweep_deadlines(app, on=date(2026, 11, 24)).flagged == 1
    assert status(cid) == "expired"
    assert tasks.sweep_deadlines(app, on=date(2026, 11, 25)).flagged == 0  # once
    with app.app_context():
        kinds = db.session.scalars(db.select(RegisterMessage.kind).where(RegisterMessage.certificate_id == cid)
                                   .order_by(RegisterMessage.id)).all()
    assert kinds == ["expired"]  # issued directly here, without the dossier's grant effect
    cert = client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json
    assert (cert["status"], cert["expired_on"]) == ("expired", "2026-11-23")
    declare_clear(client, tenant)
    assert plan(client, tenant, cid, kind="branch").status_code == 422


# -- certificates list -------------------------------------------------------------------------------


def test_certificates_search_and_company_scope(app, client, tenant, clock):
    one = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    two = certify(app, tenant, "company2", "SC-540", date(2026, 2, 2))
    planner = tenant.auth("planner")

    def ids(query, who=planner):
        return [c["id"] for c in client.get(f"/api/v1/certificates{query}", headers=who).json]

    assert set(ids("")) == {one, two}
    number = client.get(f"/api/v1/certificates/{two}", headers=planner).json["number"]
    assert ids(f"?q={number}") == [two]
    kvk = client.get(f"/api/v1/certificates/{one}", headers=planner).json["holder_kvk"]
    assert ids(f"?q={kvk}") == [one]
    assert set(ids("?q=utrecht")) == {one, two}
    assert ids("?q=bedrijf%20", who=tenant.auth("company1")) == [one]
    assert client.get(f"/api/v1/certificates/{two}", headers=tenant.auth("company1")).status_code == 404
    assert client.get(f"/api/v1/certificates/{one}/certificate.pdf", headers=tenant.auth("company1")).data[:4] == b"%PDF"
    assert client.get(f"/api/v1/certificates/{one}/programme", headers=tenant.auth("company1")).status_code == 403


def test_man_days_and_the_fee_estimate_refused_above_the_legal_cap(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    client.post(f"/api/v1/certificates/{cid}/figures", json={
        "period_index": 0, "branch_id": tenant.ids["branch1"], "figures": {"project_days": 141}, "works": 8},
        headers=tenant.auth("planner"))
    first = programme(client, tenant, cid)[0]
    assert first["man_days"] == 1 + 7 * 0.5  # a periodic branch audit, 7 location audits
    app.config["HOURLY_RATE_EUR"] = "182"
    assert programme(client, tenant, cid)[0]["fee"] == {
        "man_days": 4.5, "hours": 36.0, "hourly_rate": "182", "amount": "6552.00", "cap_per_hour": "182",
        "source": "SC-530 Arboregeling art. 9.1 lid 1"}
    app.config["HOURLY_RATE_EUR"] = "182.50"
    assert "wettelijke maximum" in programme(client, tenant, cid)[0]["fee"]["refused"]
    app.config["HOURLY_RATE_EUR"] = "150"


def test_the_hourly_sweep_expires_certificates_dated_by_their_last_day(app, client, tenant, clock):
    from cki.jobs import tasks

    cid = certify(app, tenant, "company2", "SC-540", date(2023, 11, 1))
    clock("2026-11-09")  # a week late: the expiry is still dated by the certificate's last day
    assert tasks.sweep_deadlines(app).flagged == 1
    assert tasks.sweep_deadlines(app).flagged == 0
    cert = client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json
    assert (cert["status"], cert["expired_on"]) == ("expired", "2026-10-31")


# -- pages ---------------------------------------------------------------------------------------------


def test_the_certificate_pages_for_a_planner_and_the_company(app, client, tenant, clock):
    from tests.test_web import login, post

    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    client.post(f"/api/v1/certificates/{cid}/figures", json={
        "period_index": 0, "branch_id": tenant.ids["branch1"], "figures": {"project_days": 141}, "works": 8},
        headers=tenant.auth("planner"))
    planner = app.test_client()
    login(planner, tenant.emails["planner"])
    number = client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json["number"]
    listing = planner.get(f"/certificaten/?q={number}")
    assert listing.status_code == 200 and number in listing.text
    assert "Geen certificaat gevonden" in planner.get("/certificaten/?q=bestaatniet").text
    page = planner.get(f"/certificaten/{cid}")
    assert page.status_code == 200
    assert "Toezichtprogramma per periode" in page.text and "<svg" in page.text and "lopend" in page.text
    # plan an unannounced location audit through the form; a refusal shows the reason on the page
    refused = post(planner, f"/certificaten/{cid}/beoordelingen", kind="total", branch_id=tenant.ids["branch1"],
                   planned_on="2026-12-08", auditor_ids=tenant.ids["user_office"])
    assert "rol beoordelaar" in refused.text
    made = post(planner, f"/certificaten/{cid}/beoordelingen", kind="total", branch_id=tenant.ids["branch1"],
                planned_on="2026-12-08", auditor_ids=tenant.ids["user_assessor"], location="Geheimlaan 1")
    assert "onaangekondigd" in made.text and "Geheimlaan 1" in made.text
    # the company sees its certificate, not the programme, and not the secret audit
    company = app.test_client()
    login(company, tenant.emails["company1"])
    own = company.get(f"/certificaten/{cid}")
    assert own.status_code == 200 and "Toezichtprogramma" not in own.text and "Geheimlaan 1" not in own.text
    assert company.get("/certificaten/").text.count("/certificaten/") >= 1
    # the assessor records it as done; then the company sees it
    assessor = app.test_client()
    login(assessor, tenant.emails["assessor"])
    audit_id = client.get(f"/api/v1/audits?certificate_id={cid}", headers=tenant.auth("planner")).json[0]["id"]
    clock("2026-12-08")
    done = post(assessor, f"/certificaten/beoordelingen/{audit_id}/uitgevoerd", lock_version=1, done_on="2026-12-08")
    assert "uitgevoerd op 08-12-2026" in done.text
    assert "Geheimlaan 1" in company.get(f"/certificaten/{cid}").text


# -- audit execution: checklist, draft, review, findings, coverage --------------------------------------

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def test_a_report_from_draft_to_final_records_its_findings(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    audit = plan(client, tenant, cid, kind="total").json
    me = tenant.auth("assessor")
    url = f"/api/v1/audits/{audit['id']}/report"
    checklist = client.get("/api/v1/checklists?scheme=SC-530&kind=total", headers=me).json
    keys = [i["key"] for i in checklist["items"]]
    assert checklist["version"] == 1 and len(keys) >= 4
    # a draft, saved and finished later
    r = client.put(url, json={"lock_version": 0, "answers": {keys[0]: {"outcome": "conform"}}}, headers=me)
    assert r.status_code == 200 and r.json["status"] == "draft", r.json
    version = r.json["lock_version"]
    # a failed save changes nothing: the earlier draft stays whole
    bad = {keys[1]: {"outcome": "finding", "category": "Z", "evidence": "x"}, keys[2]: {"outcome": "conform"}}
    r = client.put(url, json={"lock_version": version, "answers": bad}, headers=me)
    assert r.status_code == 422 and "categorie" in r.json["message"]
    r = client.put(url, json={"lock_version": version, "answers": {keys[1]: {"outcome": "finding", "category": "B"}}},
                   headers=me)
    assert r.status_code == 422 and "bewijs" in r.json["message"]
    saved = client.get(url, headers=me).json
    assert saved["answers"] == {keys[0]: {"outcome": "conform"}} and saved["lock_version"] == version
    # a stale save is a conflict, not a silent overwrite
    assert client.put(url, json={"lock_version": version + 5, "answers": {}}, headers=me).status_code == 409
    # not finished: cannot be submitted
    r = client.post(f"{url}/submit", json={"lock_version": version}, headers=me)
    assert r.status_code == 422 and "nog niet ingevuld" in r.json["message"]
    answers = {k: {"outcome": "conform"} for k in keys[1:]}
    answers[keys[1]] = {"outcome": "finding", "category": "B", "evidence": "Logboek niet bijgewerkt op 8 december."}
    answers[keys[2]] = {"outcome": "not_applicable"}
    version = client.put(url, json={"lock_version": version, "answers": answers, "summary": "Goed verlopen."},
                         headers=me).json["lock_version"]
    # a photo as evidence: JPEG or PNG by content, within the size limit
    photo = client.post(f"{url}/photos", data={"item_key": keys[1], "file": (io.BytesIO(JPEG), "log.jpg")},
                        headers=me, content_type="multipart/form-data")
    assert photo.status_code == 201 and photo.json["content_type"] == "image/jpeg", photo.json
    fake = client.post(f"{url}/photos", data={"item_key": keys[1], "file": (io.BytesIO(b"MZ..."), "x.jpg")},
                       headers=me, content_type="multipart/form-data")
    assert fake.status_code == 422 and "JPEG of PNG" in fake.json["message"]
    app.config["PHOTO_MAX_BYTES"] = 50
    big = client.post(f"{url}/photos", data={"item_key": keys[1], "file": (io.BytesIO(JPEG), "big.jpg")},
                      headers=me, content_type="multipart/form-data")
    app.config["PHOTO_MAX_BYTES"] = 8_000_000
    assert big.status_code == 422
    clock("2026-12-08")
    r = client.post(f"{url}/submit", json={"lock_version": version, "done_on": "2026-12-08"}, headers=me)
    assert r.status_code == 200 and r.json["status"] == "submitted", r.json
    assert client.get(f"/api/v1/audits/{audit['id']}", headers=me).json["status"] == "done"
    # no more edits while under review; the auditor does not review its own report
    assert client.put(url, json={"lock_version": r.json["lock_version"], "answers": {}}, headers=me).status_code == 422
    tl = tenant.auth("team_leader")
    version = r.json["lock_version"]
    r = client.post(f"{url}/review", json={"lock_version": version, "approve": False}, headers=tl)
    assert r.status_code == 422 and "comment" in r.json["errors"]["json"]
    r = client.post(f"{url}/review", json={"lock_version": version, "approve": False,
                                           "comment": "Noem het tijdstip bij de afwijking."}, headers=tl)
    assert r.json["status"] == "returned"
    answers[keys[1]]["evidence"] += " Om 10:15 uur."
    version = client.put(url, json={"lock_version": r.json["lock_version"], "answers": answers},
                         headers=me).json["lock_version"]
    version = client.post(f"{url}/submit", json={"lock_version": version}, headers=me).json["lock_version"]
    # the company sees nothing of the report before it is final
    assert client.get(url, headers=tenant.auth("company1")).status_code == 404
    r = client.post(f"{url}/review", json={"lock_version": version, "approve": True}, headers=tl)
    assert r.status_code == 200 and r.json["status"] == "final" and r.json["final_on"] == "2026-12-08"
    findings = client.get(f"/api/v1/certificates/{cid}/findings", headers=tenant.auth("company1")).json
    assert [(f["clause"], f["category"], f["found_on"]) for f in findings] == [
        (checklist["items"][1]["clause"], "B", "2026-12-08")]
    assert client.get(url, headers=tenant.auth("company1")).json["status"] == "final"
    assert client.get(f"/api/v1/certificates/{cid}/findings", headers=tenant.auth("company2")).status_code == 404
    # coverage: conform and findings count as assessed, "not applicable" does not
    cov = client.get(f"/api/v1/certificates/{cid}/coverage", headers=tenant.auth("planner")).json
    rows = {row["clause"]: row for row in cov["rows"]}
    assert cov["periods"] == 3
    assert rows[checklist["items"][0]["clause"]]["per_period"][0] >= 1
    assert checklist["items"][2]["clause"] in cov["uncovered"]  # answered "not applicable" only
    assert any(not row["covered"] for row in cov["rows"])  # the branch checklist's clauses not yet


def test_a_new_checklist_version_leaves_started_reports_alone(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    declare_clear(client, tenant)
    audit = plan(client, tenant, cid, kind="branch").json
    me = tenant.auth("assessor")
    url = f"/api/v1/audits/{audit['id']}/report"
    started = client.put(url, json={"lock_version": 0, "answers": {}}, headers=me).json
    old = started["checklist"]
    new_items = [{"clause": i["clause"], "text": i["text"]} for i in old["items"]] + [
        {"clause": "SC-540 §5.1", "text": "Registratie van opleidingen van de DIA's"}]
    body = {"scheme": "SC-540", "kind": "branch", "items": new_items, "note": "Regel uit het schemadocument"}
    assert client.post("/api/v1/checklists", json=body, headers=tenant.auth("planner")).status_code == 403
    r = client.post("/api/v1/checklists", json=body, headers=tenant.auth("quality_manager"))
    assert r.status_code == 201 and r.json["version"] == 2
    assert [i["key"] for i in r.json["items"][:-1]] == [i["key"] for i in old["items"]]  # unchanged lines keep their key
    assert client.get(url, headers=me).json["checklist"]["version"] == 1
    other = plan(client, tenant, cid, kind="branch", planned_on="2026-12-10").json
    fresh = client.put(f"/api/v1/audits/{other['id']}/report", json={"lock_version": 0, "answers": {}}, headers=me).json
    assert fresh["checklist"]["version"] == 2


def test_who_audited_does_not_review_its_own_report(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    admin = tenant.auth("admin")
    both = client.post("/api/v1/users", json={"email": "tl2@x.test", "name": "Teamleider Twee", "kind": "staff",
                                               "roles": ["assessor", "team_leader"], "password": "een lang wachtwoord 123"},
                       headers=admin).json
    client.post(f"/api/v1/users/{both['id']}/qualifications", json={
        "scheme": "SC-530", "function": "assessor", "valid_from": "2025-01-01"}, headers=admin)
    client.post(f"/api/v1/users/{both['id']}/conflict-declarations", json={
        "company_id": tenant.ids["company1"], "declared_on": "2026-01-05", "clear": True}, headers=admin)
    token = client.post("/api/v1/auth/tokens", json={"email": "tl2@x.test", "password": "een lang wachtwoord 123"}).json
    me = {"Authorization": f"Bearer {token['token']}"}
    audit = plan(client, tenant, cid, kind="branch", auditor_ids=[both["id"]], planned_on="2026-11-24").json
    url = f"/api/v1/audits/{audit['id']}/report"
    items = client.get("/api/v1/checklists?scheme=SC-530&kind=branch", headers=me).json["items"]
    version = client.put(url, json={"lock_version": 0, "answers": {i["key"]: {"outcome": "conform"} for i in items}},
                         headers=me).json["lock_version"]
    version = client.post(f"{url}/submit", json={"lock_version": version}, headers=me).json["lock_version"]
    r = client.post(f"{url}/review", json={"lock_version": version, "approve": True}, headers=me)
    assert r.status_code == 422 and "eigen rapport" in r.json["message"]
    assert client.post(f"{url}/review", json={"lock_version": version, "approve": True},
                       headers=tenant.auth("team_leader")).json["status"] == "final"


def _version(html: str) -> int:
    import re

    return int(re.search(r'name="lock_version" value="(\d+)"', html).group(1))


def test_the_report_page_from_draft_to_final(app, client, tenant, clock):
    from tests.test_web import login, post

    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    audit = plan(client, tenant, cid, kind="branch", planned_on="2026-11-24").json
    items = client.get("/api/v1/checklists?scheme=SC-530&kind=branch", headers=tenant.auth("assessor")).json["items"]
    auditor = app.test_client()
    login(auditor, tenant.emails["assessor"])
    url = f"/certificaten/beoordelingen/{audit['id']}/rapport"
    page = auditor.get(url)
    assert page.status_code == 200 and items[0]["text"] in page.text and "Concept opslaan" in page.text
    # a refused save shows the reason and keeps what was typed
    refused = post(auditor, url, action="save", lock_version=0, **{f"outcome-{items[0]['key']}": "finding",
                                                                   f"evidence-{items[0]['key']}": "Geen register"})
    assert "Kies de categorie" in refused.text and "Geen register" in refused.text
    saved = post(auditor, url, action="save", lock_version=0, **{f"outcome-{items[0]['key']}": "conform"})
    assert "Concept opgeslagen" in saved.text
    answers = {f"outcome-{i['key']}": "conform" for i in items}
    answers[f"outcome-{items[1]['key']}"] = "finding"
    answers[f"category-{items[1]['key']}"] = "B"
    answers[f"evidence-{items[1]['key']}"] = "Twee dossiers onvolledig."
    done = post(auditor, url, action="submit", lock_version=_version(saved.text), done_on="2026-11-24", **answers)
    assert "Rapport ingediend" in done.text
    leader = app.test_client()
    login(leader, tenant.emails["team_leader"])
    review = leader.get(url).text
    assert "Goedkeuren" in review
    company = app.test_client()
    login(company, tenant.emails["company1"])
    assert company.get(url).status_code == 403  # not before it is final
    final = post(leader, url, action="approve", lock_version=_version(review))
    assert "definitief" in final.text
    assert client.get(f"/api/v1/certificates/{cid}/findings", headers=tenant.auth("company1")).json[0]["evidence"] == \
        "Twee dossiers onvolledig."
    final_page = company.get(url)  # the company reads its final report, and changes nothing
    assert final_page.status_code == 200 and "Twee dossiers onvolledig." in final_page.text
    assert "Concept opslaan" not in final_page.text and "Goedkeuren" not in final_page.text
    assert post(company, url, action="save", lock_version=9).status_code == 403


def test_the_quality_manager_keeps_the_checklists_in_the_ui(app, client, tenant, clock):
    from tests.test_web import login, post

    qm = app.test_client()
    login(qm, tenant.emails["quality_manager"])
    page = qm.get("/planning/checklists?scheme=SC-540&kind=regular")
    assert page.status_code == 200 and "Versie 1" in page.text and "B §4.3.1 |" in page.text
    bad = post(qm, "/planning/checklists", scheme="SC-540", kind="regular", lines="zonder streep")
    assert "Regel 1" in bad.text and "eis | tekst" in bad.text
    saved = post(qm, "/planning/checklists", scheme="SC-540", kind="regular", note="Eis 5.2 toegevoegd",
                 lines="B §4.3.1 | Uitvoering volgens het systeem\nSC-540 §5.2 | Monsters gelabeld en geregistreerd")
    assert "Versie 2 van de checklist is opgeslagen" in saved.text and "SC-540 §5.2 | Monsters" in saved.text
    api = client.get("/api/v1/checklists?scheme=SC-540&kind=regular", headers=tenant.auth("planner")).json
    assert api["version"] == 2 and [i["clause"] for i in api["items"]] == ["B §4.3.1", "SC-540 §5.2"]
    planner = app.test_client()
    login(planner, tenant.emails["planner"])
    assert "Opslaan als nieuwe versie" not in planner.get("/planning/checklists").text
    assert post(planner, "/planning/checklists", scheme="SC-540", kind="regular", lines="a | b").status_code == 403


def test_findings_and_coverage_on_the_certificate_page(app, client, tenant, clock):
    from tests.test_web import login

    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    audit = plan(client, tenant, cid, kind="branch", planned_on="2026-11-24").json
    me = tenant.auth("assessor")
    url = f"/api/v1/audits/{audit['id']}/report"
    items = client.get("/api/v1/checklists?scheme=SC-530&kind=branch", headers=me).json["items"]
    answers = {i["key"]: {"outcome": "conform"} for i in items}
    answers[items[0]["key"]] = {"outcome": "finding", "category": "A", "evidence": "Vestiging werkt buiten het systeem."}
    v = client.put(url, json={"lock_version": 0, "answers": answers}, headers=me).json["lock_version"]
    v = client.post(f"{url}/submit", json={"lock_version": v}, headers=me).json["lock_version"]
    client.post(f"{url}/review", json={"lock_version": v, "approve": True}, headers=tenant.auth("team_leader"))
    planner = app.test_client()
    login(planner, tenant.emails["planner"])
    page = planner.get(f"/certificaten/{cid}").text
    assert "Vestiging werkt buiten het systeem." in page and "Dekking van de schema-eisen" in page
    assert "nog niet beoordeeld" in page  # the location checklist's clauses
    company = app.test_client()
    login(company, tenant.emails["company1"])
    own = company.get(f"/certificaten/{cid}").text
    assert "Vestiging werkt buiten het systeem." in own and "Dekking van de schema-eisen" not in own


def test_a_result_oriented_audit_is_planned_from_the_sampled_project_overview(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    declare_clear(client, tenant)
    r = client.post("/api/v1/project-overview", json={"projects": [
        {"location": "Kerkstraat 1, Utrecht", "responsible_dia": "DIA J. Jansen", "remediated": "nee", "demolished": "nee"},
        {"location": "Dorpsweg 2, Utrecht", "responsible_dia": "DIA K. de Vries", "remediated": "ja", "demolished": "nee"}]},
        headers=tenant.auth("company1"))
    assert r.status_code == 201, r.json
    entries = {e["location"]: e["id"] for e in r.json}
    drawn = client.post(f"/api/v1/companies/{tenant.ids['company1']}/project-overview/sample", json={"n": 1},
                        headers=tenant.auth("planner")).json
    assert [e["location"] for e in drawn] == ["Kerkstraat 1, Utrecht"]  # the remediated one is never drawn
    audit = plan(client, tenant, cid, kind="result_oriented", overview_entry_id=entries["Kerkstraat 1, Utrecht"])
    assert audit.status_code == 201, audit.json
    assert audit.json["location"] == "Kerkstraat 1, Utrecht (verantwoordelijke DIA: DIA J. Jansen)"
    assert not audit.json["unannounced"]
    refused = plan(client, tenant, cid, kind="result_oriented", overview_entry_id=entries["Dorpsweg 2, Utrecht"])
    assert refused.status_code == 422 and "steekproef" in refused.json["message"]
    secret = plan(client, tenant, cid, kind="regular", overview_entry_id=entries["Kerkstraat 1, Utrecht"])
    assert secret.status_code == 422 and "met het bedrijf" in secret.json["message"]


def test_declared_figures_are_checked_against_meldingen_and_the_project_overview(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    for n in range(4):
        r = client.post("/api/v1/meldingen", json={
            "scheme": "SC-540", "street": f"Inventarisweg {n}", "postcode": "3511AB", "place": "Utrecht",
            "planned_start": "2026-12-07", "planned_end": "2026-12-07"}, headers=tenant.auth("company1"))
        assert r.status_code == 201, r.json
    client.post("/api/v1/project-overview", json={"projects": [
        {"location": f"Straat {n}", "responsible_dia": f"DIA {n % 3}", "remediated": "nee", "demolished": "nee"}
        for n in range(6)]}, headers=tenant.auth("company1"))
    body = {"period_index": 1, "branch_id": tenant.ids["branch1"], "figures": {"avg_dia": 3, "avg_reports": 4}}
    r = client.post(f"/api/v1/certificates/{cid}/figures", json=body, headers=tenant.auth("company1"))
    assert r.status_code == 200 and r.json["warnings"] == [], r.json
    body["figures"] = {"avg_dia": 1, "avg_reports": 40}
    warnings = client.post(f"/api/v1/certificates/{cid}/figures", json=body, headers=tenant.auth("company1")).json["warnings"]
    assert any("4 meldingen" in w for w in warnings) and any("3 verschillende verantwoordelijke DIA" in w for w in warnings)


def test_a_cancelled_audit_gets_no_report_and_a_later_day_rechecks_the_qualification(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    me = tenant.auth("assessor")
    audit = plan(client, tenant, cid, kind="branch", planned_on="2026-11-24").json
    url = f"/api/v1/audits/{audit['id']}/report"
    v = client.put(url, json={"lock_version": 0, "answers": {}}, headers=me).json["lock_version"]
    client.post(f"/api/v1/audits/{audit['id']}/cancel", json={"lock_version": 1, "reason": "ziek"},
                headers=tenant.auth("planner"))
    r = client.post(f"{url}/submit", json={"lock_version": v}, headers=me)
    assert r.status_code == 422 and "vervallen" in r.json["message"]
    # an auditor whose qualification ended before the day the audit actually took place
    admin = tenant.auth("admin")
    new = client.post("/api/v1/users", json={"email": "kort@x.test", "name": "Korte Kwalificatie", "kind": "staff",
                                              "roles": ["assessor"], "password": "een lang wachtwoord 123"},
                      headers=admin).json
    client.post(f"/api/v1/users/{new['id']}/qualifications", json={
        "scheme": "SC-530", "function": "assessor", "valid_from": "2025-01-01", "valid_to": "2026-11-24"}, headers=admin)
    client.post(f"/api/v1/users/{new['id']}/conflict-declarations", json={
        "company_id": tenant.ids["company1"], "declared_on": "2026-01-05", "clear": True}, headers=admin)
    other = plan(client, tenant, cid, kind="branch", planned_on="2026-11-24", auditor_ids=[new["id"]]).json
    clock("2026-11-26")
    r = client.post(f"/api/v1/audits/{other['id']}/done", json={"lock_version": 1, "done_on": "2026-11-25"},
                    headers=tenant.auth("team_leader"))
    assert r.status_code == 422 and "niet geldig op 25-11-2026" in r.json["message"]


def test_catch_up_counts_over_the_holders_successive_certificates_and_waits_for_the_periods_end(
        app, client, tenant, clock):
    first = certify(app, tenant, "company1", "SC-530", date(2020, 3, 2))
    planner = tenant.auth("planner")
    clock("2022-02-01")  # period 2 (2021-03-02 .. 2022-03-01) still runs
    r = client.post(f"/api/v1/certificates/{first}/catch-ups", json={"period_index": 2, "reason": "x"}, headers=planner)
    assert r.status_code == 422 and "loopt nog" in r.json["message"]
    clock("2022-03-02")
    r = client.post(f"/api/v1/certificates/{first}/catch-ups", json={"period_index": 2, "reason": "Corona"},
                    headers=planner)
    assert r.status_code == 201, r.json
    second = certify(app, tenant, "company1", "SC-530", date(2023, 3, 2))  # recertified
    clock("2024-03-02")
    r = client.post(f"/api/v1/certificates/{second}/catch-ups", json={"period_index": 1, "reason": "Weer weinig werk"},
                    headers=planner)
    assert r.status_code == 422 and "withdrawal_proposal_id" in r.json  # period 4 of the holder: within the window
