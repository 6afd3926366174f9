"""Foundation through the API: tokens, roles, tenant isolation, validation."""
import re

import pytest

from cki.core.db import db
from cki.events.models import EventLogEntry
from cki.events.operations import AppendOnlyError
from tests.conftest import PASSWORD


def test_token_login_and_me(client, tenant):
    r = client.post("/api/v1/auth/tokens", json={"email": tenant.emails["planner"], "password": PASSWORD})
    assert r.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json['token']}"}).json
    assert me["cki_id"] == tenant.cki_id and me["roles"] == ["planner"] and me["company_id"] is None


def test_wrong_password_and_missing_token(client, tenant):
    r = client.post("/api/v1/auth/tokens", json={"email": tenant.emails["planner"], "password": "nope"})
    assert r.status_code == 401
    assert client.get("/api/v1/companies").status_code == 401
    assert client.get("/api/v1/companies", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_token_carries_every_role_and_dies_with_expiry_or_deactivation(app, client, tenant):
    from datetime import timedelta

    from cki.users.models import ApiToken

    admin, uid = tenant.auth("admin"), tenant.ids["user_decider"]
    client.patch(f"/api/v1/users/{uid}", json={"roles": ["decider", "assessor"]}, headers=admin)
    assert client.get("/api/v1/me", headers=tenant.auth("decider")).json["roles"] == ["assessor", "decider"]
    assert client.get("/api/v1/dossiers", headers=tenant.auth("decider")).status_code == 200

    client.patch(f"/api/v1/users/{uid}", json={"active": False}, headers=admin)
    assert client.get("/api/v1/dossiers", headers=tenant.auth("decider")).status_code == 401

    with app.app_context():
        for token in db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == tenant.ids["user_planner"])):
            token.expires_at = token.expires_at - timedelta(days=2)
        db.session.commit()
    assert client.get("/api/v1/companies", headers=tenant.auth("planner")).status_code == 401


def test_company_user_sees_only_its_own_company(client, tenant):
    listed = client.get("/api/v1/companies", headers=tenant.auth("company1")).json
    assert [c["id"] for c in listed] == [tenant.ids["company1"]]
    assert client.get(f"/api/v1/companies/{tenant.ids['company2']}",
                      headers=tenant.auth("company1")).status_code == 404
    assert client.get(f"/api/v1/branches/{tenant.ids['branch2']}",
                      headers=tenant.auth("company1")).status_code == 404


@pytest.mark.parametrize("route", ["/api/v1/users", "/api/v1/api-clients", "/api/v1/cki",
                                   "/api/v1/events?subject_type=companies&subject_id=1"])
def test_company_user_cannot_reach_staff_routes(client, tenant, route):
    assert client.get(route, headers=tenant.auth("company1")).status_code == 403


def test_company_user_cannot_create_or_change(client, tenant):
    h = tenant.auth("company1")
    assert client.post("/api/v1/companies", json={"name": "A", "place": "B", "kvk_number": "11112222"},
                       headers=h).status_code == 403
    assert client.patch(f"/api/v1/companies/{tenant.ids['company1']}", json={"name": "Ander"},
                        headers=h).status_code == 403


def test_roles_enforced_among_staff(client, tenant):
    body = {"email": "new@x.test", "name": "Nieuw", "kind": "staff", "roles": ["assessor"],
            "password": "lang-genoeg-wachtwoord"}
    assert client.post("/api/v1/users", json=body, headers=tenant.auth("planner")).status_code == 403
    r = client.post("/api/v1/users", json=body, headers=tenant.auth("admin"))
    assert r.status_code == 201 and r.json["roles"] == ["assessor"]
    assert client.put("/api/v1/cki/calendar", json={"calendar_closed": []},
                      headers=tenant.auth("planner")).status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"name": "A", "place": "B", "kvk_number": "1234567"}, "kvk_number"),
    ({"name": "A", "place": "B", "kvk_number": "1234567a"}, "kvk_number"),
    ({"name": " ", "place": "B", "kvk_number": "12345678"}, "name"),
    ({"place": "B", "kvk_number": "12345678"}, "name"),
    ({"name": "A", "place": "B", "kvk_number": "12345678", "bogus": 1}, "bogus"),
])
def test_bad_company_input_is_422_with_the_field(client, tenant, body, field):
    r = client.post("/api/v1/companies", json=body, headers=tenant.auth("planner"))
    assert r.status_code == 422
    assert field in r.json["errors"]["json"]


def test_duplicate_kvk_in_one_cki_is_422(client, tenant):
    taken = client.get(f"/api/v1/companies/{tenant.ids['company1']}", headers=tenant.auth("planner")).json
    r = client.post("/api/v1/companies", json={"name": "Kopie", "place": "X", "kvk_number": taken["kvk_number"]},
                    headers=tenant.auth("planner"))
    assert r.status_code == 422 and "kvk_number" in r.json["errors"]["json"]


def test_bad_json_and_bad_types_are_422_not_500(client, tenant):
    r = client.post("/api/v1/companies", data="{not json", content_type="application/json",
                    headers=tenant.auth("planner"))
    assert r.status_code in (400, 422)
    r = client.post("/api/v1/users", json={"email": "x", "name": "", "kind": "alien", "password": "kort"},
                    headers=tenant.auth("admin"))
    assert r.status_code == 422
    assert {"email", "name", "kind", "password"} <= set(r.json["errors"]["json"])


def test_company_user_needs_a_company_of_this_cki(client, tenant, other_tenant):
    body = {"email": "p@x.test", "name": "P", "kind": "company", "password": "lang-genoeg-wachtwoord",
            "company_id": other_tenant.ids["company1"]}
    r = client.post("/api/v1/users", json=body, headers=tenant.auth("admin"))
    assert r.status_code == 422 and "company_id" in r.json["errors"]["json"]


def test_changes_write_the_event_log(client, tenant):
    cid = tenant.ids["company1"]
    r = client.patch(f"/api/v1/companies/{cid}", json={"place": "Zwolle"}, headers=tenant.auth("planner"))
    assert r.status_code == 200 and r.json["place"] == "Zwolle"
    log = client.get(f"/api/v1/events?subject_type=companies&subject_id={cid}", headers=tenant.auth("reviewer")).json
    last = log[-1]
    assert last["action"] == "company.updated"
    assert last["before"]["place"] == "Utrecht" and last["after"]["place"] == "Zwolle"
    assert last["actor_label"] == "planner X"


def test_event_log_is_append_only_in_the_orm(app, tenant):
    with app.app_context():
        entry = db.session.scalars(db.select(EventLogEntry)).first()
        entry.action = "forged"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(db.select(EventLogEntry)).first())
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()


def test_api_client_token_shown_once_and_works(client, tenant):
    r = client.post("/api/v1/api-clients", json={"name": "SCA-register", "kind": "sca_register"},
                    headers=tenant.auth("admin"))
    assert r.status_code == 201 and r.json["token"]
    listed = client.get("/api/v1/api-clients", headers=tenant.auth("admin")).json
    assert all("token" not in c for c in listed)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json['token']}"}).json
    assert me["client_id"] == r.json["id"]


def test_calendar_adjustments_validated(client, tenant):
    r = client.put("/api/v1/cki/calendar", json={"calendar_closed": [{"date": "2026-02-30", "reason": "x"}]},
                   headers=tenant.auth("admin"))
    assert r.status_code == 422
    r = client.put("/api/v1/cki/calendar", json={"calendar_closed": [{"date": "2026-12-31", "reason": "Oudejaarsdag"}]},
                   headers=tenant.auth("admin"))
    assert r.status_code == 200 and r.json["calendar_closed"] == [{"date": "2026-12-31", "reason": "Oudejaarsdag"}]


def test_openapi_document_lists_routes_and_bearer_security(client):
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/companies" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text):
        assert client.get(asset).status_code == 200, asset


def test_unknown_route_and_method_on_api_are_json(client, tenant):
    r = client.get("/api/v1/companies/999999", headers=tenant.auth("admin"))
    assert r.status_code == 404 and r.is_json
    r = client.delete("/api/v1/companies", headers=tenant.auth("admin"))
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
