"""Complete initial-certification dossiers through the API, for both schemes."""
from datetime import date

import pytest

from cki.core.db import db
from cki.register.models import RegisterMessage

BRANCH2 = {"address": "Tweede straat 2, Amersfoort", "name": "Filiaal Amersfoort", "kvk_number": "30303030"}


@pytest.fixture
def clock_start():
    return "2026-03-02"


class Walk:
    """A dossier walked through the API, keeping the lock_version it last saw. The (frozen) clock
    walks with it: each step is recorded on its own date, as staff would, so no step is dated
    before the one it follows (the application date first, then each step's ``on``)."""

    def __init__(self, client, tenant, scheme, company="company1", applied_on="2026-01-05", branch2=False):
        self.client, self.tenant = client, tenant
        assert "CLOCK_TODAY" in client.application.config, "a Walk needs the clock fixture"
        client.application.config["CLOCK_TODAY"] = applied_on
        company_id = tenant.ids[company]
        if branch2:
            client.post(f"/api/v1/companies/{company_id}/branches", json=BRANCH2, headers=tenant.auth("planner"))
        r = client.post("/api/v1/dossiers", json={"company_id": company_id, "scheme": scheme,
                                                  "applied_on": applied_on}, headers=tenant.auth("planner"))
        assert r.status_code == 201, r.json
        self.d = r.json

    def today(self, day: str):
        """Move the frozen clock to ``day`` (never back)."""
        config = self.client.application.config
        config["CLOCK_TODAY"] = max(str(config.get("CLOCK_TODAY") or day), day)

    @property
    def id(self):
        return self.d["id"]

    def post(self, path, who, expect=200, **body):
        if "on" in body and expect == 200:
            self.today(body["on"])
        r = self.client.post(f"/api/v1/dossiers/{self.id}/{path}", headers=self.tenant.auth(who),
                             json={"lock_version": self.d["lock_version"], **body})
        assert r.status_code == expect, (path, r.status_code, r.json)
        if r.status_code == 200:
            self.d = r.json
        return r

    def branches(self):
        return [b["branch_id"] for b in self.d["branches"]]

    # -- the usual path ---------------------------------------------------------------
    def into_assessment(self):
        self.post("declaration", "planner", declared_on="2026-01-05", held_or_applied_elsewhere=False,
                  informed_of_rules=True)
        self.post("take-into-treatment", "planner")
        self.post("assessors", "planner", user_id=self.tenant.ids["user_assessor"])
        self.post("complete-documentation-review", "assessor", passed=True)
        assert self.d["state"] == "assessment"
        return self

    def location(self, branch_id, *, extra=False, permit=True):
        self.post("request-extra-location" if extra else "request-location", "planner",
                  branch_id=branch_id, address=f"Project {len(self.d['locations']) + 1}, Utrecht")
        loc = self.d["locations"][-1]["id"]
        if permit:  # SCA answers the same day (the clock's)
            self.post("record-sca-permission", "planner", location_id=loc, granted=True)
        return loc

    def assess_location(self, loc, on, passed=True, containment=False, who="assessor", expect=200):
        return self.post("record-location-assessment", who, expect=expect, location_id=loc, passed=passed, on=on,
                         complete_result=passed, containment=containment,
                         representative_reason="Gangbaar project voor dit bedrijf")

    def pass_branches_and_locations(self, containment=False):
        locations = {b: [self.location(b), self.location(b)] for b in self.branches()}  # SCA first, for all
        for b, pair in locations.items():
            self.post("record-branch-assessment", "assessor", branch_id=b, passed=True, on="2026-02-02")
            for n, (loc, day) in enumerate(zip(pair, ("2026-02-03", "2026-02-10"), strict=True)):
                self.assess_location(loc, day, containment=containment and n == 0)
        return self

    def to_decision(self):
        self.post("complete-assessment", "team_leader")
        self.post("record-advice", "team_leader", advice="Positief advies: alle onderdelen voldoen.")
        assert self.d["state"] == "decision"
        return self


@pytest.mark.parametrize("scheme", ["SC-540", "SC-530"])
def test_grant_with_two_branches(client, tenant, clock, scheme):
    w = Walk(client, tenant, scheme, branch2=True).into_assessment()
    assert len(w.branches()) == 2
    w.pass_branches_and_locations(containment=True).to_decision()
    # 4-month window from the first location assessment; decision letter 10 werkdagen after the last.
    assert w.d["deadlines"]["window_end"]["date"] == "2026-06-03"
    assert w.d["deadlines"]["decision_letter_due"]["date"] == "2026-02-24"
    w.post("decide", "decider", grant=True, on="2026-02-20", motivation="Voldoet aan alle eisen.")
    assert w.d["state"] == "granted"
    cert = w.d["certificate"]
    assert cert["number"] == f"{scheme}/2026/0001"
    assert cert["issued_on"] == "2026-02-20" and cert["valid_until"] == "2029-02-19"
    assert cert["holder_kvk"] and len(cert["branches"]) == 2
    pdf = client.get(cert["pdf_url"], headers=tenant.auth("company1"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with client.application.app_context():
        sent = db.session.scalars(db.select(RegisterMessage).order_by(RegisterMessage.id)).all()
        # each project location asked SCA's permission first; an SC-540 candidate's inventories were
        # registered as provisional reports (B §3.5); the grant went with its certificate
        provisional = ["provisional"] * 4 if scheme == "SC-540" else []
        assert [m.kind for m in sent] == ["location_request"] * 4 + provisional + ["granted"]
        assert sent[-1].payload["number"] == cert["number"]
    # the company sees its own application and result, without staff internals
    seen = client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("company1")).json
    assert seen["state"] == "granted" and "actions" not in seen and "advice" not in seen
    assert client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("company2")).status_code == 404


def test_grant_after_one_extra_location(client, tenant, clock):
    w = Walk(client, tenant, "SC-540").into_assessment()
    b = w.branches()[0]
    w.post("record-branch-assessment", "assessor", branch_id=b, passed=True, on="2026-02-02")
    w.assess_location(w.location(b), "2026-02-03", passed=False)
    w.assess_location(w.location(b), "2026-02-05")
    w.assess_location(w.location(b, extra=True), "2026-02-12")
    w.to_decision()
    w.post("decide", "decider", grant=True, on="2026-02-20", motivation="Na extra locatie voldoende.")
    assert w.d["state"] == "granted"


def test_abort_after_a_failed_extra_location(client, tenant, clock):
    w = Walk(client, tenant, "SC-530").into_assessment()
    b = w.branches()[0]
    w.assess_location(w.location(b), "2026-02-03", passed=False)
    w.assess_location(w.location(b, extra=True), "2026-02-12", passed=False)
    assert w.d["state"] == "aborted"
    assert any(letter["kind"] == "aborted" for letter in w.d["letters"])


def test_only_one_extra_location(client, tenant, clock):
    w = Walk(client, tenant, "SC-540").into_assessment()
    b = w.branches()[0]
    w.assess_location(w.location(b), "2026-02-03", passed=False)
    w.location(b, extra=True)
    r = w.post("request-extra-location", "planner", expect=422, branch_id=b, address="Nog een")
    assert "extra" in r.json["message"].lower()


def test_abort_for_work_without_sca_permission(client, tenant, clock):
    w = Walk(client, tenant, "SC-540").into_assessment()
    loc = w.location(w.branches()[0], permit=False)
    r = w.assess_location(loc, "2026-02-03", expect=422)
    assert "SCA" in r.json["message"]
    w.post("record-work-without-permission", "assessor", location_id=loc)
    assert w.d["state"] == "aborted" and "zonder schriftelijke toestemming van SCA (B §3.4.2)" in w.d["closing_reason"]


@pytest.mark.parametrize("scheme, notice", [("SC-540", True), ("SC-530", False)])
def test_refusal(client, tenant, clock, scheme, notice):
    w = Walk(client, tenant, scheme).into_assessment().pass_branches_and_locations(containment=True).to_decision()
    w.post("decide", "decider", grant=False, on="2026-02-20", motivation="Onvoldoende aangetoond.")
    assert w.d["state"] == "refused" and w.d["certificate"] is None
    kinds = [letter["kind"] for letter in w.d["letters"]]
    assert ("provisional_reports_void" in kinds) is notice


def test_sc530_needs_a_containment_project(client, tenant, clock):
    w = Walk(client, tenant, "SC-530").into_assessment().pass_branches_and_locations(containment=False)
    r = w.post("complete-assessment", "team_leader", expect=422)
    assert "containment" in r.json["message"].lower()


def lapse_expired_dossiers(app, on):
    """The deadline sweep as of ``on``: how many dossiers it declared lapsed."""
    from cki.dossiers.models import Dossier
    from cki.jobs.tasks import sweep_deadlines

    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).where(Dossier.state == "lapsed"))
    sweep_deadlines(app, on=date.fromisoformat(on))
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).where(Dossier.state == "lapsed")) - before


def test_expiry_after_four_months(app, client, tenant, clock):

    clock("2026-04-20")
    w = Walk(client, tenant, "SC-540").into_assessment()
    b = w.branches()[0]
    w.post("record-branch-assessment", "assessor", branch_id=b, passed=True, on="2026-03-31")
    w.assess_location(w.location(b), "2026-03-31")
    w.assess_location(w.location(b), "2026-04-14")
    w.to_decision()
    assert w.d["deadlines"]["window_end"]["date"] == "2026-07-31"
    clock("2026-08-03")
    r = w.post("decide", "decider", expect=422, grant=True, on="2026-08-03", motivation="Te laat")
    assert "31-07-2026" in r.json["message"]
    assert lapse_expired_dossiers(app, "2026-07-31") == 0  # its last day
    assert lapse_expired_dossiers(app, "2026-08-03") == 1
    d = client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("planner")).json
    assert d["state"] == "lapsed"
    log = client.get(f"/api/v1/events?subject_type=dossiers&subject_id={w.id}", headers=tenant.auth("planner")).json
    assert [e["actor_label"] for e in log if e["action"] == "dossier.lapse"] == ["systeem (termijnbewaking)"]
    assert lapse_expired_dossiers(app, "2026-08-03") == 0  # idempotent
    with app.app_context():  # lapsed: its window and the provisional reports' expiry are no one's work any more
        from cki.deadlines.models import Deadline
        rows = db.session.scalars(db.select(Deadline).where(Deadline.subject_type == "dossier",
                                                            Deadline.subject_id == w.id)).all()
        assert {(d.kind, d.state) for d in rows if d.kind in ("window_end", "provisional_report_expiry")} == {
            ("window_end", "done"), ("provisional_report_expiry", "done")}


def test_the_lapse_job_logs_a_refusal_instead_of_swallowing_it(app, client, tenant, clock, monkeypatch, caplog):
    from cki.core.errors import Conflict
    from cki.dossiers import operations

    clock("2026-04-20")
    w = Walk(client, tenant, "SC-540").into_assessment()
    b = w.branches()[0]
    w.assess_location(w.location(b), "2026-03-31")
    clock("2026-08-03")

    def refused(*args, **kwargs):
        raise Conflict("lock_version", "Het dossier is intussen door iemand anders gewijzigd.")

    monkeypatch.setattr(operations, "fire_event", refused)
    assert lapse_expired_dossiers(app, "2026-08-03") == 0
    assert f"dossier {w.id} niet verlopen verklaard: Het dossier is intussen" in caplog.text
    monkeypatch.undo()  # the refusal undid the sweep's work on it: the next sweep lapses it
    assert lapse_expired_dossiers(app, "2026-08-04") == 1


def test_rejected_within_12_months_of_a_withdrawal(client, tenant, clock):
    clock("2026-12-01")
    w = Walk(client, tenant, "SC-540", applied_on="2026-11-30")
    w.post("declaration", "planner", declared_on="2026-11-30", held_or_applied_elsewhere=True,
           consent_to_transfer=True, informed_of_rules=True,
           withdrawals_elsewhere=[{"withdrawn_on": "2025-12-01"}])
    r = w.post("take-into-treatment", "planner", expect=422)
    assert "12" in r.json["message"] and "A §4.1" in r.json["message"]
    w.post("reject-application", "planner", reason="Certificaat ingetrokken op 2025-12-01 (A §4.1 b).")
    assert w.d["state"] == "rejected"


def test_prior_cki_needs_consent_before_treatment(client, tenant, clock):
    w = Walk(client, tenant, "SC-530")
    r = w.post("take-into-treatment", "planner", expect=422)
    assert "verklaring" in r.json["message"].lower()
    w.post("declaration", "planner", declared_on="2026-01-05", held_or_applied_elsewhere=True,
           consent_to_transfer=False, informed_of_rules=True)
    r = w.post("take-into-treatment", "planner", expect=422)
    assert "toestemming" in r.json["message"].lower()


def test_decider_who_was_an_assessor_is_refused(client, tenant, clock):
    # The admin makes the team leader's colleague both assessor and decider.
    admin = tenant.auth("admin")
    client.patch(f"/api/v1/users/{tenant.ids['user_decider']}", json={"roles": ["decider", "assessor"]}, headers=admin)
    client.post(f"/api/v1/users/{tenant.ids['user_decider']}/qualifications", headers=admin,
                json={"scheme": "SC-540", "function": "assessor", "valid_from": "2020-01-01"})
    w = Walk(client, tenant, "SC-540").into_assessment()
    w.post("assessors", "planner", user_id=tenant.ids["user_decider"])
    b = w.branches()[0]
    w.post("record-branch-assessment", "decider", branch_id=b, passed=True, on="2026-02-02")
    w.assess_location(w.location(b), "2026-02-03")
    w.assess_location(w.location(b), "2026-02-10")
    w.to_decision()
    r = w.post("decide", "decider", expect=422, grant=True, on="2026-02-20", motivation="Prima")
    assert "beoordelaar" in r.json["message"].lower()


def test_decision_needs_the_team_leaders_advice(client, tenant, clock):
    w = Walk(client, tenant, "SC-540").into_assessment().pass_branches_and_locations()
    w.post("complete-assessment", "team_leader")
    r = w.post("decide", "decider", expect=422, grant=True, on="2026-02-20", motivation="Prima")
    assert "advies" in r.json["message"].lower()


def test_stale_lock_version_is_409_and_writes_nothing(client, tenant, clock):
    w = Walk(client, tenant, "SC-540").into_assessment()
    stale = w.d["lock_version"]
    w.location(w.branches()[0])  # someone else acts first
    r = client.post(f"/api/v1/dossiers/{w.id}/request-location", headers=tenant.auth("planner"),
                    json={"lock_version": stale, "branch_id": w.branches()[0], "address": "Dubbel"})
    assert r.status_code == 409
    d = client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("planner")).json
    assert len(d["locations"]) == 1


def test_roles_per_step(client, tenant, clock):
    w = Walk(client, tenant, "SC-540").into_assessment()
    w.post("complete-assessment", "assessor", expect=403)
    w.post("request-location", "company1", expect=403, branch_id=w.branches()[0], address="X")


def test_next_actions_explain_why_not(client, tenant, clock):
    w = Walk(client, tenant, "SC-540")
    actions = {a["event"]: a for a in w.d["actions"]}
    take = actions["take_into_treatment"]
    assert take["allowed"] is False and any("A §4.1" in r["source"] for r in take["refusals"])


def test_state_diagram_is_generated(client, tenant):
    r = client.get("/api/v1/dossiers/state-diagram", headers=tenant.auth("planner"))
    assert r.status_code == 200 and "stateDiagram" in r.text and "granted" in r.text.lower()
    assert client.get("/api/v1/dossiers/state-diagram", headers=tenant.auth("company1")).status_code == 403


@pytest.mark.parametrize("redo", [True, False])
def test_a_restart_after_the_lapse_resets_what_staff_chose(app, client, tenant, clock, redo):
    w = Walk(client, tenant, "SC-540").into_assessment()
    b = w.branches()[0]
    w.post("record-branch-assessment", "assessor", branch_id=b, passed=True, on="2026-02-02")
    w.assess_location(w.location(b), "2026-02-03")
    w.today("2026-06-04")  # the window ended on 2026-06-03
    assert lapse_expired_dossiers(app, "2026-06-04") == 1
    w.d = client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("planner")).json
    assert w.d["state"] == "lapsed"
    w.post("restart-after-lapse", "planner", redo_documentation_review=redo)
    assert all(loc["reset"] for loc in w.d["locations"]) and all(a["reset"] for a in w.d["branch_assessments"])
    assert "window_end" not in w.d["deadlines"]  # the results lapsed: the window starts again
    if redo:
        assert w.d["state"] == "documentation_review"
        assert w.d["documentation_review_passed"] is None and w.d["documentation_reviewed_on"] is None
        w.post("request-location", "planner", expect=422, branch_id=b, address="Nieuw project")
        w.post("complete-documentation-review", "assessor", passed=True)
    else:
        assert w.d["state"] == "assessment" and w.d["documentation_review_passed"] is True
    w.post("request-location", "planner", branch_id=b, address="Nieuw project")
