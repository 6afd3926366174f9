"""Tenant isolation on every API route with an id in its path.

The test walks the app's URL map, so a new route without a sample here fails it: every
route must prove that another CKI's or another company's ids answer 404 (or 403 where
the role may not use the route at all), never data."""
import re
from datetime import date, datetime, timezone

import pytest

from cki.core.auth import Principal
from cki.core.db import db
from tests.conftest import ROLES, Tenant

#: URL parameter -> which row of the tenant it names.
ID_PARAMS = {
    "company_id": "company1",
    "branch_id": "branch1",
    "user_id": "user_admin",
    "melding_id": "melding1",
    "message_id": "lavs_message",
    "dossier_id": "dossier1",
    "register_message_id": "register_message",
    "token_id": "token_admin",
    "client_id": "api_client",
    "certificate_id": "certificate",
    "audit_id": "audit",
    "proposal_id": "proposal",
    "photo_id": "photo",
    "finding_id": "finding",
    "intended_id": "intended",
    "notice_id": "notice",
    "letter_id": "letter",
    "objection_id": "objection",
    "document_id": "incoming",
    "attachment_id": "attachment",
    "template_id": "template",
    "notification_id": "notification",
    "mail_id": "mail",
}

#: A valid body per (rule, method), so the answer is about the id, not the body.
BODIES = {
    ("/api/v1/companies/<int:company_id>", "PATCH"): {"name": "Overgenomen"},
    ("/api/v1/companies/<int:company_id>/branches", "POST"): {"address": "Elders 1"},
    ("/api/v1/branches/<int:branch_id>", "PATCH"): {"address": "Elders 2"},
    ("/api/v1/users/<int:user_id>", "PATCH"): {"name": "Overgenomen"},
    ("/api/v1/users/<int:user_id>/qualifications", "POST"): {
        "scheme": "SC-540", "function": "assessor", "valid_from": "2026-01-01"},
    ("/api/v1/meldingen/<int:melding_id>", "PATCH"): {"place": "Elders"},
    ("/api/v1/meldingen/<int:melding_id>/cancel", "POST"): {},
    ("/api/v1/meldingen/<int:melding_id>/looked-at", "POST"): {},
    ("/api/v1/meldingen/<int:melding_id>/approval", "POST"): {"approve": True, "note": "x"},
    ("/api/v1/meldingen/<int:melding_id>/merge", "POST"): {"other_id": 1, "note": "x"},
    ("/api/v1/meldingen/<int:melding_id>/split", "POST"): {
        "street": "Elders 1", "postcode": "1234AB", "place": "Elders", "note": "x"},
    ("/api/v1/meldingen/<int:melding_id>/audit-selection", "POST"): {"planned_on": "2030-01-08"},
    ("/api/v1/lavs/messages/<int:message_id>/retry", "POST"): {},
    ("/api/v1/lavs/messages/<int:message_id>/discard", "POST"): {"reason": "Testbericht"},
    ("/api/v1/companies/<int:company_id>/project-overview/sample", "POST"): {"n": 1},
    ("/api/v1/dossiers/<int:dossier_id>/declaration", "POST"): {
        "lock_version": 1, "declared_on": "2026-01-05", "held_or_applied_elsewhere": False},
    ("/api/v1/dossiers/<int:dossier_id>/assessors", "POST"): {"lock_version": 1, "user_id": 1},
    ("/api/v1/register/messages/<int:register_message_id>/acknowledge", "POST"): {},
    ("/api/v1/register/messages/<int:register_message_id>/retry", "POST"): {},
    ("/api/v1/register/messages/<int:register_message_id>/confirm", "POST"): {"reference": "SCA-1"},
    ("/api/v1/register/messages/<int:register_message_id>/permission", "POST"): {"granted": True,
                                                                                "on": "2026-11-02"},
    ("/api/v1/auth/tokens/<int:token_id>", "DELETE"): {},
    ("/api/v1/api-clients/<int:client_id>", "PATCH"): {"name": "Overgenomen"},
    ("/api/v1/api-clients/<int:client_id>/rotate", "POST"): {},
    ("/api/v1/users/<int:user_id>/conflict-declarations", "POST"): {
        "company_id": 1, "declared_on": "2026-01-05", "clear": True},
    ("/api/v1/certificates/<int:certificate_id>/not-continuing", "POST"): {"received_on": "2026-11-02", "document": "x"},
    ("/api/v1/certificates/<int:certificate_id>/figures", "POST"): {
        "period_index": 0, "branch_id": 1, "figures": {"avg_dia": 1, "avg_reports": 1}},
    ("/api/v1/certificates/<int:certificate_id>/catch-ups", "POST"): {"period_index": 1, "reason": "x"},
    ("/api/v1/audits/<int:audit_id>/done", "POST"): {"lock_version": 1, "done_on": "2026-11-02"},
    ("/api/v1/audits/<int:audit_id>/cancel", "POST"): {"lock_version": 1, "reason": "x"},
    ("/api/v1/withdrawal-proposals/<int:proposal_id>/decision", "POST"): {"confirm": False, "reason": "x"},
    ("/api/v1/audits/<int:audit_id>/report", "PUT"): {"lock_version": 0, "answers": {}},
    ("/api/v1/audits/<int:audit_id>/report/submit", "POST"): {"lock_version": 1},
    ("/api/v1/audits/<int:audit_id>/report/review", "POST"): {"lock_version": 1, "approve": True},
    ("/api/v1/audits/<int:audit_id>/report/photos", "POST"): {},
    ("/api/v1/findings/<int:finding_id>/steps", "POST"): {"lock_version": 1, "step": "T1"},
    ("/api/v1/findings/<int:finding_id>/raise", "POST"): {"reason": "x"},
    ("/api/v1/findings/<int:finding_id>/decisions", "POST"): {"about": "x", "decision": "x"},
    ("/api/v1/certificates/<int:certificate_id>/intended-decisions", "POST"): {
        "kind": "withdraw", "reason": "x", "sent_on": "2026-11-02"},
    ("/api/v1/intended-decisions/<int:intended_id>/zienswijze", "POST"): {"text": "x"},
    ("/api/v1/intended-decisions/<int:intended_id>/weigh", "POST"): {"weighing": "x"},
    ("/api/v1/certificates/<int:certificate_id>/withdraw", "POST"): {"on": "2026-11-02", "reason": "x",
                                                                    "at_own_request": True},
    ("/api/v1/certificates/<int:certificate_id>/suspend", "POST"): {"start": "2026-11-02", "end": "2026-12-01",
                                                                   "reason": "x", "at_own_request": True},
    ("/api/v1/certificates/<int:certificate_id>/lift-suspension", "POST"): {"on": "2026-11-02"},
    ("/api/v1/sanction-notices/<int:notice_id>/determination", "POST"): {"deviation": False, "determination": "x"},
    ("/api/v1/sanction-notices/<int:notice_id>/decision", "POST"): {"outcome": "keep"},
    ("/api/v1/findings/<int:finding_id>/reminder", "POST"): {},
    ("/api/v1/letters/<int:letter_id>/dispatch", "POST"): {"sent_on": "2026-11-02", "channel": "post"},
    ("/api/v1/letters/<int:letter_id>/objections", "POST"): {"grounds": "x"},
    ("/api/v1/objections/<int:objection_id>/hearing", "POST"): {"hearing_on": "2026-11-03"},
    ("/api/v1/objections/<int:objection_id>/decision", "POST"): {"outcome": "unfounded", "motivation": "x"},
    ("/api/v1/incoming-documents/<int:document_id>/attachments", "POST"): {},
    ("/api/v1/letter-templates/<int:template_id>/approve", "POST"): {},
    ("/api/v1/notifications/<int:notification_id>/read", "POST"): {},
    ("/api/v1/outgoing-mail/<int:mail_id>/retry", "POST"): {},
}


def _event_samples():
    """A valid body for every dossier event route, so the answer is about the dossier id."""
    from cki.dossiers import schemas as s
    from cki.dossiers.permissions import EVENTS, event_path

    samples = {
        s.NoPayload: {}, s.ReasonPayload: {"reason": "x"}, s.ReviewPayload: {"passed": True},
        s.LocationRequestPayload: {"branch_id": 1, "address": "x"},
        s.PermissionPayload: {"location_id": 1, "granted": True},
        s.BranchAssessmentPayload: {"branch_id": 1, "passed": True},
        s.LocationAssessmentPayload: {"location_id": 1, "passed": True, "complete_result": True,
                                      "representative_reason": "x"},
        s.LocationPayload: {"location_id": 1}, s.WrongMeldingPayload: {}, s.AdvicePayload: {"advice": "x"},
        s.DecisionPayload: {"grant": True, "motivation": "x"}, s.RestartPayload: {"redo_documentation_review": True},
    }
    return {(f"/api/v1/dossiers/<int:dossier_id>/{event_path(event)}", "POST"): {"lock_version": 1, **samples[schema]}
            for event, (schema, _) in EVENTS.items()}


BODIES.update(_event_samples())


#: Path parameters that name public reference data, not a tenant's rows (the rules API).
PUBLIC_PARAMS = {"scheme"}


def add_tenant_rows(app, tenant: Tenant) -> Tenant:
    """Rows of every other kind a route can name: meldingen, a LAVS message, a dossier, a
    certificate with its message for the SCA register."""
    from flask import g

    from cki.certificates.models import Certificate, IntendedDecision
    from cki.companies.models import Company
    from cki.deadlines.models import Notification, OutgoingMail
    from cki.dossiers.operations import create_dossier
    from cki.findings.models import Finding, SanctionNotice
    from cki.letters.models import Attachment, IncomingDocument, Letter, LetterTemplate, Objection
    from cki.meldingen.models import InboundLavsMessage
    from cki.meldingen.operations import submit_melding
    from cki.register.models import RegisterMessage
    from cki.surveillance.models import Audit, AuditPhoto, AuditReport, Checklist, WithdrawalProposal
    from cki.users.models import ApiToken

    with app.test_request_context():
        g.principal = Principal(cki_id=tenant.cki_id, label="test setup")
        for n in (1, 2):
            company = db.session.get(Company, tenant.ids[f"company{n}"])
            melding, _ = submit_melding(company, {
                "scheme": "SC-530", "street": f"Werkstraat {n}", "postcode": "3511AB", "place": "Utrecht",
                "planned_start": date(2030, 1, 7), "planned_end": date(2030, 1, 9)}, channel="portal", source="portal")
            tenant.ids[f"melding{n}"] = melding.id
            dossier = create_dossier(tenant.cki_id, {"company_id": company.id, "scheme": "SC-540",
                                                     "applied_on": date(2026, 1, 5)})
            tenant.ids[f"dossier{n}"] = dossier.id
        lavs = InboundLavsMessage(cki_id=tenant.cki_id, message_key=f"test-{tenant.cki_id}", source="upload",
                                  received_on=date(2026, 11, 2),
                                  raw=b"<x/>", status="parked", reason="test")
        db.session.add(lavs)
        for n in (1, 2):
            certificate = Certificate(
                cki_id=tenant.cki_id, company_id=tenant.ids[f"company{n}"], dossier_id=tenant.ids[f"dossier{n}"],
                scheme="SC-540", number=f"SC-540/2026/{tenant.cki_id:03d}{n}", holder_name="x", holder_place="x",
                holder_kvk="12345678", branches=[{"branch_id": tenant.ids[f"branch{n}"], "is_head_office": True,
                                                  "name": None, "address": "x", "kvk_number": None}],
                issued_on=date(2026, 3, 2), valid_until=date(2029, 3, 1), pdf=b"%PDF-1.4")
            db.session.add(certificate)
            db.session.flush()
            audit = Audit(cki_id=tenant.cki_id, certificate_id=certificate.id, company_id=tenant.ids[f"company{n}"],
                          branch_id=tenant.ids[f"branch{n}"], kind="result_oriented", period_index=1,
                          planned_on=date(2026, 12, 8), unannounced=False)
            proposal = WithdrawalProposal(cki_id=tenant.cki_id, certificate_id=certificate.id,
                                          company_id=tenant.ids[f"company{n}"], period_index=1,
                                          ground="catch_up_exhausted", reason="x", source="B §4.3.3",
                                          proposed_on=date(2026, 11, 2))
            db.session.add_all([audit, proposal])
            db.session.flush()
            report = AuditReport(cki_id=tenant.cki_id, audit_id=audit.id, company_id=tenant.ids[f"company{n}"],
                                 checklist=Checklist(cki_id=tenant.cki_id, scheme="SC-540", kind="result_oriented",
                                                     version=n, items=[{"key": "k", "clause": "x", "text": "x"}]),
                                 status="final", answers={})
            db.session.add(report)
            db.session.flush()
            photo = AuditPhoto(cki_id=tenant.cki_id, report_id=report.id, item_key="k", filename="f.jpg",
                               content_type="image/jpeg", size=3, data=b"\xff\xd8\xff")
            db.session.add(photo)
            db.session.flush()
            finding = Finding(cki_id=tenant.cki_id, certificate_id=certificate.id, company_id=tenant.ids[f"company{n}"],
                              audit_id=audit.id, item_key="k", clause="x", text="x", category="B", evidence="x",
                              found_on=date(2026, 12, 8), procedure="non_a", status="open")
            db.session.add(finding)
            db.session.flush()
            intended = IntendedDecision(cki_id=tenant.cki_id, certificate_id=certificate.id,
                                        company_id=tenant.ids[f"company{n}"], kind="withdraw", reason="x",
                                        sent_on=date(2026, 11, 2), answer_due=date(2026, 11, 16))
            db.session.add(intended)
            db.session.flush()
            notice = SanctionNotice(cki_id=tenant.cki_id, company_id=tenant.ids[f"company{n}"],
                                    certificate_id=certificate.id, authority="inspectorate", kind="stillegging",
                                    received_on=date(2026, 11, 2), description="x")
            db.session.add(notice)
            db.session.flush()
            letter = Letter(cki_id=tenant.cki_id, company_id=tenant.ids[f"company{n}"], certificate_id=certificate.id,
                            kind="withdrawal", template_kind="withdrawal", scheme="SC-540", reference=f"x-{n}",
                            subject="x", body="x", is_decision=True, written_on=date(2026, 11, 2), status="sent",
                            sent_on=date(2026, 11, 2), channel="post", objection_due=date(2026, 12, 14))
            db.session.add(letter)
            db.session.flush()
            incoming = IncomingDocument(cki_id=tenant.cki_id, company_id=tenant.ids[f"company{n}"], kind="bezwaar",
                                        received_on=date(2026, 11, 3), channel="post", description="x",
                                        letter_id=letter.id, recorded_by="x")
            db.session.add(incoming)
            db.session.flush()
            attachment = Attachment(cki_id=tenant.cki_id, incoming_id=incoming.id, filename="x.txt",
                                    content_type="text/plain", size=1, data=b"x")
            objection = Objection(cki_id=tenant.cki_id, company_id=tenant.ids[f"company{n}"], letter_id=letter.id,
                                  kind="bezwaar", received_on=date(2026, 11, 3), incoming_id=incoming.id, grounds="x",
                                  recorded_by="x")
            db.session.add_all([attachment, objection])
            db.session.flush()
            if n == 1:
                notification = Notification(cki_id=tenant.cki_id, user_id=tenant.ids["user_admin"], text="x",
                                            dated_on=date(2026, 11, 2))
                outgoing = OutgoingMail(cki_id=tenant.cki_id, to="x@x.test", subject="x", body="x", status="failed",
                                        next_attempt_at=datetime(2026, 11, 2, tzinfo=timezone.utc))
                db.session.add_all([notification, outgoing])
                db.session.flush()
                tenant.ids.update({"notification": notification.id, "mail": outgoing.id})
                template = LetterTemplate(cki_id=tenant.cki_id, kind="reminder", version=1, subject="x", body="x",
                                          status="draft", written_by="x")
                db.session.add(template)
                db.session.flush()
                tenant.ids["template"] = template.id
            suffix = "" if n == 1 else "2"
            tenant.ids.update({f"letter{suffix}": letter.id, f"incoming{suffix}": incoming.id,
                               f"attachment{suffix}": attachment.id, f"objection{suffix}": objection.id})
            tenant.ids.update({f"certificate{suffix}": certificate.id, f"audit{suffix}": audit.id,
                               f"proposal{suffix}": proposal.id, f"photo{suffix}": photo.id,
                               f"finding{suffix}": finding.id, f"intended{suffix}": intended.id,
                               f"notice{suffix}": notice.id})
            if n == 1:
                message = RegisterMessage(cki_id=tenant.cki_id, certificate=certificate, kind="granted", payload={})
                db.session.add(message)
        db.session.commit()
        tenant.ids["lavs_message"] = lavs.id
        tenant.ids["token_admin"] = db.session.scalar(db.select(ApiToken.id).where(
            ApiToken.user_id == tenant.ids["user_admin"]))
        tenant.ids["register_message"] = message.id
    return tenant


@pytest.fixture
def tenant(app, tenant):
    return add_tenant_rows(app, tenant)


@pytest.fixture
def other_tenant(app, other_tenant):
    return add_tenant_rows(app, other_tenant)


def _id_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.arguments - PUBLIC_PARAMS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def _url(rule, ids: dict) -> str:
    def fill(match):
        name = match.group(1)
        assert name in ID_PARAMS, f"route {rule.rule}: add '{name}' to ID_PARAMS in {__file__}"
        return str(ids[ID_PARAMS[name]])

    return re.sub(r"<(?:\w+:)?(\w+)>", fill, rule.rule)


def _call(client, method, rule, url, headers):
    body = BODIES.get((rule.rule, method))
    assert method == "GET" or body is not None, f"add a sample body for {method} {rule.rule}"
    return client.open(url, method=method, json=body, headers=headers)


@pytest.mark.parametrize("who", ROLES + ("company1", "sca"))
def test_no_route_reaches_another_ckis_rows(app, client, tenant, other_tenant, who):
    checked = 0
    for rule, method in _id_routes(app):
        r = _call(client, method, rule, _url(rule, other_tenant.ids), tenant.auth(who))
        assert r.status_code in (403, 404), f"{who}: {method} {rule.rule} -> {r.status_code} {r.json}"
        checked += 1
    assert checked >= 8


def test_staff_with_the_right_role_get_404_not_403_for_foreign_ids(app, client, tenant, other_tenant):
    for rule, method in _id_routes(app):
        r = _call(client, method, rule, _url(rule, other_tenant.ids), tenant.auth("admin"))
        if r.status_code == 403:  # a route admins may not use: try every other role, and the register
            codes = {_call(client, method, rule, _url(rule, other_tenant.ids), tenant.auth(role)).status_code
                     for role in ROLES + ("sca",)}
            assert 404 in codes, f"{method} {rule.rule}: no role gets a 404 ({codes})"
        else:
            assert r.status_code == 404, f"{method} {rule.rule} -> {r.status_code}"


def test_company_user_cannot_reach_the_other_company_of_its_own_cki(app, client, tenant):
    other_company = dict(tenant.ids, company1=tenant.ids["company2"], branch1=tenant.ids["branch2"],
                         user_admin=tenant.ids["company_user2"], melding1=tenant.ids["melding2"],
                         dossier1=tenant.ids["dossier2"], certificate=tenant.ids["certificate2"],
                         audit=tenant.ids["audit2"], proposal=tenant.ids["proposal2"], photo=tenant.ids["photo2"],
                         finding=tenant.ids["finding2"], intended=tenant.ids["intended2"],
                         notice=tenant.ids["notice2"], letter=tenant.ids["letter2"],
                         incoming=tenant.ids["incoming2"], attachment=tenant.ids["attachment2"],
                         objection=tenant.ids["objection2"])
    for rule, method in _id_routes(app):
        r = _call(client, method, rule, _url(rule, other_company), tenant.auth("company1"))
        assert r.status_code in (403, 404), f"{method} {rule.rule} -> {r.status_code}"


def test_lists_never_show_another_ckis_rows(client, tenant, other_tenant):
    own = {"/api/v1/companies": lambda row: row["name"].startswith("Bedrijf X"),
           "/api/v1/users": lambda row: row["email"].endswith("@x.test"),
           "/api/v1/api-clients": lambda row: row["name"] == "SCA X"}
    seen = 0
    for who in ROLES:
        for route, is_own in own.items():
            r = client.get(route, headers=tenant.auth(who))
            if r.status_code == 200:
                assert r.json and all(is_own(row) for row in r.json), (who, route, r.json)
                seen += 1
    assert seen >= 3


# -- the outsourced assessor sees only the dossiers assigned to it, everywhere (RULES.md §7) --------

#: API routes an outsourced assessor may use: they show it no more than its assigned dossiers.
OUTSOURCED_ROUTES = {"/api/v1/dossiers", "/api/v1/dossiers/<int:dossier_id>", "/api/v1/events",
                     "/api/v1/dossiers/<int:dossier_id>/certificate.pdf", "/api/v1/dossiers/state-diagram",
                     "/api/v1/me", "/api/v1/auth/tokens", "/api/v1/audits", "/api/v1/audits/<int:audit_id>",
                     "/api/v1/checklists", "/api/v1/notifications", "/api/v1/me/reminder-preferences"}


@pytest.fixture
def outsourced(app, client, tenant):
    """The CKI's assessor, made outsourced and assigned to dossier 1 only; its token."""
    admin = tenant.auth("admin")
    uid = tenant.ids["user_assessor"]
    assert client.patch(f"/api/v1/users/{uid}", json={"outsourced": True}, headers=admin).status_code == 200
    d1 = client.get(f"/api/v1/dossiers/{tenant.ids['dossier1']}", headers=tenant.auth("planner")).json
    r = client.post(f"/api/v1/dossiers/{d1['id']}/assessors", json={"lock_version": d1["lock_version"], "user_id": uid},
                    headers=tenant.auth("planner"))
    assert r.status_code == 200, r.json
    return {"Authorization": f"Bearer {tenant.tokens['assessor']}"}


def test_an_outsourced_assessor_reads_only_its_assigned_dossiers_through_the_api(app, client, tenant, outsourced):
    d1, d2 = tenant.ids["dossier1"], tenant.ids["dossier2"]
    assert [d["id"] for d in client.get("/api/v1/dossiers", headers=outsourced).json] == [d1]
    assert client.get(f"/api/v1/dossiers/{d1}", headers=outsourced).status_code == 200
    assert client.get(f"/api/v1/dossiers/{d2}", headers=outsourced).status_code == 404
    assert client.get(f"/api/v1/events?subject_type=dossiers&subject_id={d1}", headers=outsourced).status_code == 200
    # audits: only those assigned to it (none here)
    assert client.get("/api/v1/audits", headers=outsourced).json == []
    assert client.get(f"/api/v1/audits/{tenant.ids['audit']}", headers=outsourced).status_code == 404
    for subject in (f"dossiers&subject_id={d2}", f"companies&subject_id={tenant.ids['company1']}",
                    f"meldingen&subject_id={tenant.ids['melding1']}"):
        assert client.get(f"/api/v1/events?subject_type={subject}", headers=outsourced).status_code == 404
    # every other GET route: refused, whatever it would show
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or "GET" not in rule.methods or rule.rule in OUTSOURCED_ROUTES:
            continue
        if rule.endpoint.startswith(("rules_api.", "api-docs.")):
            continue  # public reference data
        url = _url(rule, tenant.ids)
        r = client.get(url + ("?subject_type=x&subject_id=1" if "events" in url else ""), headers=outsourced)
        assert r.status_code in (403, 404), (rule.rule, r.status_code)


def test_an_outsourced_assessor_sees_only_its_dossiers_in_the_pages(app, client, tenant, outsourced):
    from tests.test_web import login

    login(client, tenant.emails["assessor"])
    index = client.get("/dossiers/")
    assert index.status_code == 200
    assert f"/dossiers/{tenant.ids['dossier1']}" in index.text and f"/dossiers/{tenant.ids['dossier2']}" not in index.text
    assert client.get(f"/dossiers/{tenant.ids['dossier2']}").status_code == 404
    for page in ("/meldingen/", f"/meldingen/{tenant.ids['melding1']}", "/meldingen/lavs", "/bedrijven/",
                 f"/bedrijven/{tenant.ids['company1']}", "/meldingen/fax"):
        assert client.get(page).status_code == 403, page


# -- unannounced means secret (RULES.md §4): nothing of it reaches the company until it took place --


def _company_get_routes(app, ids):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(("static", "api-docs.")):
            continue
        if rule.arguments - set(ID_PARAMS):
            continue
        yield _url(rule, ids) if rule.arguments else rule.rule


def test_an_unannounced_audit_reaches_the_company_nowhere_before_it_took_place(app, client, tenant, clock):
    from cki.surveillance.models import Audit
    from tests.test_web import login

    marker = "Geheimstraat 99"
    with app.app_context():
        secret = Audit(cki_id=tenant.cki_id, certificate_id=tenant.ids["certificate"], company_id=tenant.ids["company1"],
                       branch_id=tenant.ids["branch1"], kind="regular", period_index=1, planned_on=date(2026, 12, 9),
                       unannounced=True, location=marker)
        db.session.add(secret)
        db.session.commit()
        secret_id = secret.id
    ids = dict(tenant.ids, audit=secret_id)

    web = app.test_client()
    login(web, tenant.emails["company1"])

    def company_reads():
        bodies = []
        for url in _company_get_routes(app, ids):
            r = client.get(url, headers=tenant.auth("company1")) if url.startswith("/api/") else web.get(url)
            bodies.append((url, r.status_code, r.get_data().decode("utf-8", "replace")))
        return bodies

    for day in ("2026-11-24", "2026-12-09", "2026-12-10"):  # before, on and after the planned day
        clock(day)
        leaks = [(url, code) for url, code, body in company_reads() if marker in body]
        assert leaks == [], f"{day}: the secret audit shows in {leaks}"
        assert client.get(f"/api/v1/audits/{secret_id}", headers=tenant.auth("company1")).status_code == 404

    r = client.post(f"/api/v1/audits/{secret_id}/done", json={"lock_version": 1, "done_on": "2026-12-09"},
                    headers=tenant.auth("team_leader"))
    assert r.status_code == 200, r.json
    assert any(marker in body for url, code, body in company_reads() if url.startswith("/api/v1/audits"))
