"""The planner's board for a week: what to plan and what is behind per certificate, meldingen that
could serve an unannounced location audit, each auditor's load (API and page)."""
from datetime import date

import pytest

from tests.test_surveillance import certify, declare_clear, plan


@pytest.fixture
def clock_start():
    return "2026-11-24"


def test_the_board_of_a_week(app, client, tenant, clock):
    sc530 = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    client.post(f"/api/v1/certificates/{sc530}/figures", json={
        "period_index": 0, "branch_id": tenant.ids["branch1"], "figures": {"project_days": 100}, "works": 8},
        headers=tenant.auth("planner"))
    behind = certify(app, tenant, "company2", "SC-540", date(2024, 3, 4))  # periods 1 and 2 passed, nothing done
    declare_clear(client, tenant)
    assert plan(client, tenant, sc530, kind="total", planned_on="2026-11-25").status_code == 201
    assert plan(client, tenant, sc530, kind="branch", planned_on="2026-11-26").status_code == 201
    melding = client.post("/api/v1/meldingen", json={
        "scheme": "SC-530", "street": "Bouwweg 1", "postcode": "3511AB", "place": "Utrecht",
        "planned_start": "2026-11-27", "planned_end": "2026-11-30"}, headers=tenant.auth("company1")).json
    other = client.post("/api/v1/meldingen", json={  # a scheme the company holds no certificate for
        "scheme": "SC-540", "street": "Bouwweg 2", "postcode": "3511AB", "place": "Utrecht",
        "planned_start": "2026-11-27", "planned_end": "2026-11-27"}, headers=tenant.auth("company1")).json

    r = client.get("/api/v1/planning/board?date=2026-11-26", headers=tenant.auth("planner"))
    assert r.status_code == 200, r.json
    b = r.json
    assert (b["week"], b["week_start"], b["week_end"]) == (48, "2026-11-23", "2026-11-29")
    rows = {c["certificate_id"]: c for c in b["certificates"]}
    assert b["certificates"][0]["certificate_id"] == behind  # behind first
    assert rows[behind]["behind"] > 0
    # SC-530: 6 location audits, 1 planned: 5 still to plan; the branch audit is planned
    lines = {line["kind"]: line for line in rows[sc530]["lines"]}
    assert lines["total"]["to_plan"] == 5 and "branch" not in lines
    assert rows[sc530]["behind"] == 0 and rows[sc530]["due_by"] == "2027-01-30"
    assert [m["melding_id"] for m in b["meldingen"]] == [melding["id"]]
    assert other["id"] not in [m["melding_id"] for m in b["meldingen"]]
    load = {a["name"]: a for a in b["auditors"]}
    days = {d["date"]: d for d in load["assessor X"]["days"]}
    assert days["2026-11-25"]["location"] == 1 and days["2026-11-26"]["branch"] == 1
    # once an audit visits the melding, it is no longer a candidate
    plan(client, tenant, sc530, kind="total", planned_on="2026-11-27", melding_id=melding["id"])
    assert client.get("/api/v1/planning/board?date=2026-11-26", headers=tenant.auth("planner")).json["meldingen"] == []
    # who may see the board
    for who, code in (("company1", 403), ("reviewer", 200), ("team_leader", 200), ("office", 200)):
        assert client.get("/api/v1/planning/board", headers=tenant.auth(who)).status_code == code, who


def test_the_board_page(app, client, tenant, clock):
    from tests.test_web import login

    certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    web = app.test_client()
    login(web, tenant.emails["planner"])
    page = web.get("/planning/?datum=2026-11-26")
    assert page.status_code == 200 and "Planning, week 48" in page.text and "Nog te plannen" in page.text
    assert web.get("/planning/?datum=onzin").status_code == 200
    assert web.get("/planning/?datum=0001-01-01").status_code == 200
    company = app.test_client()
    login(company, tenant.emails["company1"])
    assert company.get("/planning/").status_code == 403


def test_the_board_shows_audits_whose_melding_changed(app, client, tenant, clock):
    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    melding = client.post("/api/v1/meldingen", json={
        "scheme": "SC-530", "street": "Bouwweg 9", "postcode": "3511AB", "place": "Utrecht",
        "planned_start": "2026-12-07", "planned_end": "2026-12-09"}, headers=tenant.auth("company1")).json
    audit = plan(client, tenant, cid, kind="total", planned_on="2026-12-08", melding_id=melding["id"]).json
    board = client.get("/api/v1/planning/board", headers=tenant.auth("planner")).json
    assert board["changed"] == []
    client.patch(f"/api/v1/meldingen/{melding['id']}", json={"planned_start": "2026-12-14", "planned_end": "2026-12-15"},
                 headers=tenant.auth("company1"))
    changed = client.get("/api/v1/planning/board", headers=tenant.auth("planner")).json["changed"]
    assert [(c["audit_id"], c["planned_on"]) for c in changed] == [(audit["id"], "2026-12-08")]
    assert "verplaatst" in changed[0]["alert"]


def test_location_audits_count_on_the_line_the_scheme_says(app, client, tenant, clock):
    """SC-530 counts location audits for the whole certificate, on the head office's line (C §4.3.1):
    one planned at another branch lowers the head office's 'to plan'; SC-540 counts per branch
    (B §4.3): there it lowers that branch's own line."""
    sc530 = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31), branches=2)
    head = tenant.ids["branch1"]
    other = next(b["branch_id"] for b in client.get(f"/api/v1/certificates/{sc530}", headers=tenant.auth(
        "planner")).json["branches"] if not b["is_head_office"])
    client.post(f"/api/v1/certificates/{sc530}/figures", json={
        "period_index": 0, "branch_id": head, "figures": {"project_days": 100}, "works": 8},
        headers=tenant.auth("planner"))
    declare_clear(client, tenant)
    assert plan(client, tenant, sc530, kind="total", branch_id=other, planned_on="2026-11-25").status_code == 201

    def lines(certificate_id):
        rows = client.get("/api/v1/planning/board?date=2026-11-26", headers=tenant.auth("planner")).json
        row = next(c for c in rows["certificates"] if c["certificate_id"] == certificate_id)
        return {(x["branch_id"], x["kind"]): x for x in row["lines"]}

    assert lines(sc530)[(head, "total")]["to_plan"] == 5 and (other, "total") not in lines(sc530)

    sc540 = certify(app, tenant, "company2", "SC-540", date(2026, 1, 31), branches=2)
    head2 = tenant.ids["branch2"]
    other2 = next(b["branch_id"] for b in client.get(f"/api/v1/certificates/{sc540}", headers=tenant.auth(
        "planner")).json["branches"] if not b["is_head_office"])
    for branch in (head2, other2):
        r = client.post(f"/api/v1/certificates/{sc540}/figures", json={
            "period_index": 0, "branch_id": branch, "figures": {"avg_dia": 3, "avg_reports": 400}},
            headers=tenant.auth("planner"))
        assert r.status_code == 200, r.json
    declare_clear(client, tenant, company="company2")
    before = lines(sc540)
    kind = next(k for (b, k) in before if b == other2 and k != "branch")
    assert plan(client, tenant, sc540, kind=kind, branch_id=other2, planned_on="2026-11-25").status_code == 201
    after = lines(sc540)
    assert after[(other2, kind)]["planned"] == before[(other2, kind)]["planned"] + 1
    assert after.get((head2, kind), {}).get("planned", 0) == before.get((head2, kind), {}).get("planned", 0)
