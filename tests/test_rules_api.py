"""The public rules API and CLI, on concrete dates across Dutch holidays."""
import pytest


@pytest.fixture(scope="module")
def api(app):
    return app.test_client()


def test_saturday_plus_three_is_wednesday(api):
    r = api.get("/api/v1/calendar/working-days?from=2026-11-21&days=3")
    assert r.status_code == 200
    assert r.json["from"] == "2026-11-21" and r.json["days"] == 3 and r.json["date"] == "2026-11-25"


def test_working_days_across_ascension_and_the_declared_day(api):
    r = api.get("/api/v1/calendar/working-days?from=2026-05-13&days=1").json
    assert r["date"] == "2026-05-18"
    assert {"date": "2026-05-14", "reason": "Hemelvaartsdag (Atw art. 3)"} in r["skipped"]
    assert any(d["date"] == "2026-05-15" and "Atw art. 3 lid 3" in d["reason"] for d in r["skipped"])


def test_negative_days_count_back_across_new_year_and_2_january(api):
    # Monday 5 January 2026 minus 2: Friday 2 January (declared) and 1 January are skipped.
    r = api.get("/api/v1/calendar/working-days?from=2026-01-05&days=-2").json
    assert r["date"] == "2025-12-30"


def test_no_decree_after_2028_is_warned(api):
    r = api.get("/api/v1/calendar/working-days?from=2028-12-20&days=20").json
    assert r["date"].startswith("2029-") and r["warnings"]


@pytest.mark.parametrize("day, working, reason", [
    ("2026-05-05", False, "Bevrijdingsdag (Atw art. 3)"),
    ("2026-05-04", True, None),
    ("2027-04-26", True, None),
    ("2026-04-03", False, "Goede Vrijdag (Atw art. 3 lid 2)"),
    ("2025-04-26", False, None),
    ("2026-11-24", True, None),
])
def test_is_working_day(api, day, working, reason):
    r = api.get(f"/api/v1/calendar/is-working-day?date={day}").json
    assert r["date"] == day and r["working_day"] is working
    if reason:
        assert r["reason"] == reason
    assert (r["reason"] is None) is working


@pytest.mark.parametrize("scheme, dues", [
    ("SC-540", ["2026-05-01", "2026-05-07", "2026-05-26", "2026-05-29", "2026-06-12", "2026-06-17"]),
    ("SC-530", ["2026-05-04", "2026-05-11", "2026-05-28", "2026-06-03", "2026-06-23", "2026-06-29"]),
])
def test_category_a_timeline_from_28_april_2026(api, scheme, dues):
    r = api.get(f"/api/v1/schemes/{scheme}/category-a-timeline?finding_date=2026-04-28")
    assert r.status_code == 200
    body = r.json
    assert body["scheme"] == scheme and body["finding_date"] == "2026-04-28"
    assert [s["step"] for s in body["steps"]] == ["T1", "T2", "T3", "T4", "T5", "T6"]
    assert [s["due"] for s in body["steps"]] == dues
    assert body["steps"][0]["actor"] == "cki" and body["steps"][1]["actor"] == "company"
    assert {"date": "2026-05-05", "reason": "Bevrijdingsdag (Atw art. 3)"} in body["steps"][1]["skipped"]
    if scheme == "SC-530":
        t3 = body["steps"][2]
        assert t3["working_days"] == 10 and t3["limit_working_days"] == 14 and t3["limit_due"] == "2026-06-03"
        assert body["steps"][-1]["cumulative"] == 40 and any("14" in n for n in body["notes"])
    else:
        assert body["steps"][-1]["cumulative"] == 32


def test_category_a_from_a_saturday_counts_monday_as_day_one(api):
    body = api.get("/api/v1/schemes/SC-540/category-a-timeline?finding_date=2026-11-21").json
    assert body["steps"][0]["due"] == "2026-11-25"


@pytest.mark.parametrize("scheme, start, channel, latest", [
    ("SC-540", "2026-05-06", "email", "2026-05-01"),   # 5 May and the weekend skipped
    ("SC-530", "2026-05-06", "fax", "2026-04-28"),
    ("SC-530", "2026-12-29", "email", "2026-12-24"),   # Christmas days skipped
    ("SC-540", "2026-01-05", "portal", "2025-12-30"),  # 1 and 2 January skipped
])
def test_melding_deadline(api, scheme, start, channel, latest):
    r = api.get(f"/api/v1/schemes/{scheme}/melding-deadline?start={start}&channel={channel}")
    assert r.status_code == 200 and r.json["latest_submission_date"] == latest


@pytest.mark.parametrize("query, total, regular, result_oriented", [
    ("avg_dia=2&avg_reports=499", 4, 3, 1),
    ("avg_dia=2.01&avg_reports=0", 6, 4, 2),
    ("avg_dia=1&avg_reports=1100", 9, 6, 3),
    ("avg_dia=1&avg_reports=1600", 9, 6, 3),
    ("avg_dia=1&avg_reports=1601", 12, 8, 4),
    ("avg_dia=9&avg_reports=10", 12, 8, 4),
])
def test_sc540_table_1(api, query, total, regular, result_oriented):
    r = api.get(f"/api/v1/schemes/SC-540/location-audits?{query}").json
    assert (r["total"], r["regular"], r["result_oriented"]) == (total, regular, result_oriented)


@pytest.mark.parametrize("days, total, warned", [(34, 6, True), (140, 6, False), (141, 7, False),
                                                 (840, 10, False), (841, 11, False)])
def test_sc530_table_4_3(api, days, total, warned):
    r = api.get(f"/api/v1/schemes/SC-530/location-audits?project_days={days}").json
    assert r["total"] == total and bool(r["warnings"]) is warned


def test_sc530_fewer_than_seven_works_is_warned(api):
    r = api.get("/api/v1/schemes/SC-530/location-audits?project_days=300&works=5").json
    assert r["total"] == 8 and any("7" in w for w in r["warnings"])


def test_project_days_from_logbook_entries(api):
    entries = [
        # two workers overlapping 08:00-14:00 on one project: the union is 6 h -> 1 day
        {"project": "A", "worker": "m-101", "date": "2026-03-02", "start": "08:00", "end": "12:00",
         "activity": "removal", "ppe": True},
        {"project": "A", "worker": "m-102", "date": "2026-03-02", "start": "10:00", "end": "14:00",
         "activity": "cleanup", "ppe": True},
        # containment building does not count; 3 h of packing -> 0.5
        {"project": "B", "worker": "m-101", "date": "2026-03-02", "start": "13:00", "end": "18:00",
         "activity": "containment", "ppe": True},
        {"project": "B", "worker": "m-103", "date": "2026-03-03", "start": "08:00", "end": "11:00",
         "activity": "packing", "ppe": True},
        # without PPE it is not counted: 2:59 h -> 0
        {"project": "C", "worker": "m-104", "date": "2026-03-03", "start": "08:00", "end": "12:00",
         "activity": "removal", "ppe": False},
    ]
    r = api.post("/api/v1/schemes/SC-530/project-days", json={"entries": entries})
    assert r.status_code == 200
    by_key = {(d["project"], d["date"]): d for d in r.json["days"]}
    assert by_key[("A", "2026-03-02")]["project_days"] == 1 and by_key[("A", "2026-03-02")]["hours"] == 6
    assert by_key[("B", "2026-03-03")]["project_days"] == 0.5
    assert by_key.get(("B", "2026-03-02"), {"project_days": 0})["project_days"] == 0
    assert r.json["total"] == 1.5


@pytest.mark.parametrize("method, url, body, location, field", [
    ("get", "/api/v1/calendar/working-days?from=2026-02-30&days=1", None, "query", "from"),
    ("get", "/api/v1/calendar/working-days?from=2026-01-01&days=5001", None, "query", "days"),
    ("get", "/api/v1/calendar/working-days?from=2026-01-01&days=-5001", None, "query", "days"),
    ("get", "/api/v1/calendar/working-days?from=2026-01-01", None, "query", "days"),
    ("get", "/api/v1/calendar/is-working-day?date=gisteren", None, "query", "date"),
    ("get", "/api/v1/calendar/is-working-day?date=1850-01-01", None, "query", "date"),
    ("get", "/api/v1/schemes/SC-999/category-a-timeline?finding_date=2026-04-28", None, "path", "scheme"),
    ("get", "/api/v1/schemes/SC-540/melding-deadline?start=2026-05-06&channel=duif", None, "query", "channel"),
    ("get", "/api/v1/schemes/SC-540/location-audits?avg_dia=-1&avg_reports=3", None, "query", "avg_dia"),
    ("get", "/api/v1/schemes/SC-540/location-audits?avg_dia=1", None, "query", "avg_reports"),
    ("get", "/api/v1/schemes/SC-530/location-audits?avg_dia=1", None, "query", "project_days"),
    ("post", "/api/v1/schemes/SC-540/project-days", {"entries": []}, "path", "scheme"),
    ("post", "/api/v1/schemes/SC-530/project-days", {"entries": [{
        "project": "A", "worker": "1", "date": "2026-03-02", "start": "12:00", "end": "08:00",
        "activity": "removal", "ppe": True}]}, "json", "entries"),
    ("post", "/api/v1/schemes/SC-530/project-days", {"entries": [{
        "project": "A", "worker": "1", "date": "2026-03-02", "start": "08:00", "end": "12:00",
        "activity": "koffie", "ppe": True}]}, "json", "entries"),
])
def test_bad_input_is_422_with_the_field(api, method, url, body, location, field):
    r = getattr(api, method)(url, json=body)
    assert r.status_code == 422, r.text
    assert field in r.json["errors"][location]


def test_rules_routes_are_public_and_documented(api):
    spec = api.get("/api/v1/openapi.json").json
    for path in ("/api/v1/calendar/working-days", "/api/v1/calendar/is-working-day",
                 "/api/v1/schemes/{scheme}/category-a-timeline", "/api/v1/schemes/{scheme}/melding-deadline",
                 "/api/v1/schemes/{scheme}/location-audits", "/api/v1/schemes/{scheme}/project-days"):
        ops = spec["paths"][path]
        assert all(op.get("security") == [] for op in ops.values() if isinstance(op, dict) and "responses" in op)


def test_cli_timeline_and_workday(app):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["rules", "timeline", "SC-540", "2026-04-28"]).output
    assert "T1" in out and "2026-05-01" in out and "T6" in out and "2026-06-17" in out
    assert "Bevrijdingsdag" in out
    out = runner.invoke(args=["rules", "workday", "2026-05-05"]).output
    assert "geen werkdag" in out and "Bevrijdingsdag" in out
    result = runner.invoke(args=["rules", "workday", "2026-02-30"])
    assert result.exit_code != 0 and "geen datum" in result.output
