"""The deadline watch (RULES.md §1–§6): every deadline a row written with the change that set it; a
sweep as of a chosen day reminds ahead, flags what is overdue and raises a B past its term to an A,
each once and dated by the rule; a rerun, a second sweep at the same moment (two processes on
PostgreSQL), a sweep killed in the middle, or one after a week of downtime neither repeats nor
loses anything; reminders reach a real SMTP server."""
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cki.core.db import db
from cki.deadlines.models import Deadline, DeadlineAction, Notification, OutgoingMail
from cki.jobs import tasks
from tests.conftest import PG_URL
from tests.test_findings import finding_of, send_result
from tests.test_letters import smtp  # noqa: F401 (the fixture)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clock_start():
    return "2026-04-23"


def rows(app, model, *where):
    with app.app_context():
        return db.session.scalars(sa.select(model).where(*where).order_by(model.id)).all()


def open_deadlines(app, subject_type, subject_id):
    return rows(app, Deadline, Deadline.subject_type == subject_type, Deadline.subject_id == subject_id,
                Deadline.state == "open")


def sweep(app, clock, day):
    clock(day)
    return tasks.sweep_deadlines(app, on=date.fromisoformat(day))


def test_a_sweep_reminds_flags_and_raises_a_b_past_its_term_once_each(app, client, tenant, clock, smtp):  # noqa: F811
    cid, b = finding_of(app, client, tenant, clock, category="B")  # SC-540, found Thursday 23 April 2026
    # N1 is done by the result letter: the letter's deadline is the office's, by N1's last day
    [letter_due] = rows(app, Deadline, Deadline.kind == "letter_dispatch", Deadline.state == "open")
    assert (letter_due.role, letter_due.due_on) == ("office", date(2026, 5, 1))  # 5 werkdagen past Koningsdag
    assert open_deadlines(app, "finding", b["id"]) == []
    clock("2026-04-28")
    send_result(client, tenant, b, "2026-04-28")
    assert rows(app, Deadline, Deadline.id == letter_due.id)[0].state == "done"
    [n2] = open_deadlines(app, "finding", b["id"])
    assert (n2.for_company, n2.due_on, n2.remind_on) == (True, date(2026, 5, 1), date(2026, 4, 29))

    assert sweep(app, clock, "2026-04-28").seen == 0  # nothing due yet
    result = sweep(app, clock, "2026-04-29")
    assert (result.reminded, result.flagged) == (1, 0)
    [note] = rows(app, Notification, Notification.deadline_id == n2.id)
    assert note.user_id == tenant.ids["company_user1"] and "Herinnering" in note.text and "01-05-2026" in note.text
    assert tasks.deliver_mail(app) == 1
    [message] = smtp.messages
    assert message["To"] == tenant.emails["company1"] and "Herinnering" in message["Subject"]
    assert sweep(app, clock, "2026-04-29").seen == 0  # a rerun that day finds nothing to do
    assert tasks.deliver_mail(app) == 0

    result = sweep(app, clock, "2026-05-04")  # N2 was due on Friday 1 May
    assert (result.reminded, result.flagged) == (0, 1)
    actions = rows(app, DeadlineAction, DeadlineAction.deadline_id == n2.id)
    assert [(a.action, a.acted_on) for a in actions] == [("remind", date(2026, 4, 29)), ("overdue", date(2026, 5, 2))]
    old = client.get(f"/api/v1/findings/{b['id']}", headers=tenant.auth("team_leader")).json
    assert old["status"] == "raised"
    a = client.get(f"/api/v1/findings/{old['raised_to_id']}", headers=tenant.auth("team_leader")).json
    # raised by the system, dated the day after the term (not the day the sweep ran)
    assert (a["category"], a["found_on"], a["raised_by"]) == ("A", "2026-05-02", "systeem (termijnbewaking)")
    told = {n.user_id for n in rows(app, Notification, Notification.deadline_id == n2.id)}
    assert {tenant.ids["company_user1"], tenant.ids["user_team_leader"]} <= told
    # the A's result letter waits for the office, due by its T1 (3 werkdagen from Saturday 2 May, past 5 May)
    waiting = rows(app, Deadline, Deadline.kind == "letter_dispatch", Deadline.state == "open")
    assert [d.due_on for d in waiting] == [date(2026, 5, 7)]
    before = len(rows(app, DeadlineAction)), len(rows(app, Notification))
    assert sweep(app, clock, "2026-05-04").seen == 0
    assert (len(rows(app, DeadlineAction)), len(rows(app, Notification))) == before


def test_after_a_week_down_the_first_sweep_catches_up_dated_by_the_rule(app, client, tenant, clock):
    cid, b = finding_of(app, client, tenant, clock, category="B")
    clock("2026-04-28")
    send_result(client, tenant, b, "2026-04-28")
    [n2] = open_deadlines(app, "finding", b["id"])
    result = sweep(app, clock, "2026-05-11")  # no sweep ran from 28 April until 11 May
    assert (result.reminded, result.flagged) == (0, 1)  # a reminder after the term says nothing: none
    [action] = rows(app, DeadlineAction, DeadlineAction.deadline_id == n2.id)
    assert (action.action, action.acted_on, action.swept_on) == ("overdue", date(2026, 5, 2), date(2026, 5, 11))
    old = client.get(f"/api/v1/findings/{b['id']}", headers=tenant.auth("team_leader")).json
    a = client.get(f"/api/v1/findings/{old['raised_to_id']}", headers=tenant.auth("team_leader")).json
    assert a["found_on"] == "2026-05-02"


def test_a_deadline_moved_by_a_step_is_reminded_of_again(app, client, tenant, clock):
    cid, f = finding_of(app, client, tenant, clock)  # category A: T2, T3... each a new deadline
    clock("2026-04-28")
    send_result(client, tenant, f, "2026-04-28")
    [t2] = open_deadlines(app, "finding", f["id"])
    sweep(app, clock, "2026-04-29")
    assert len(rows(app, Notification, Notification.deadline_id == t2.id)) == 1
    from tests.test_findings import step

    f = client.get(f"/api/v1/findings/{f['id']}", headers=tenant.auth("team_leader")).json
    step(client, tenant.auth("company1"), f, "T2", text="Maatregelen.")
    [t3] = open_deadlines(app, "finding", f["id"])
    # T3: 10 werkdagen from 29 April, past 5 May, Hemelvaart and the Friday after it; reminded anew
    assert t3.id == t2.id and t3.role == "team_leader" and t3.due_on == date(2026, 5, 18)
    assert t3.next_action_on == t3.remind_on == date(2026, 5, 12)  # 2 werkdagen before, past the holidays


def _probes(app, tenant, n, due):
    """``n`` deadlines of a test subject, due on ``due``, for the planners: the sweep's mechanics alone."""
    from cki.deadlines import operations

    with app.app_context():
        for i in range(n):
            operations.sync("probe", i + 1, cki_id=tenant.cki_id, company_id=None, on=date(2026, 4, 1), items=[
                operations.Item(kind="probe", due_on=due, label=f"Proef {i}", url="/start", role="planner")])
        db.session.commit()


def _sweep_process(app, day, *, pause=0.0):
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "test-secret",
           "SCHEDULER_ENABLED": "0", "FLASK_APP": "wsgi"}
    args = [str(Path(sys.executable).with_name("flask")), "sweep", "--now", day]
    if pause:
        args += ["--pause", str(pause)]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.skipif(not PG_URL, reason="two sweep processes at once: PostgreSQL (SQLite has one writer by design)")
def test_two_sweeps_started_at_once_do_the_work_once(app, tenant, clock):
    _probes(app, tenant, 12, date(2026, 4, 20))
    first, second = _sweep_process(app, "2026-04-23", pause=0.05), _sweep_process(app, "2026-04-23", pause=0.05)
    outs = [p.communicate(timeout=120)[0].decode() for p in (first, second)]
    assert first.returncode == second.returncode == 0, outs
    actions = rows(app, DeadlineAction)
    assert sorted((a.deadline_id, a.action) for a in actions) == sorted(
        (d.id, "overdue") for d in rows(app, Deadline, Deadline.subject_type == "probe"))
    planners = len([u for u in (tenant.ids["user_planner"],)])
    assert len(rows(app, Notification)) == 12 * planners


def test_a_sweep_killed_in_the_middle_loses_and_doubles_nothing(app, tenant, clock):
    _probes(app, tenant, 6, date(2026, 4, 20))
    process = _sweep_process(app, "2026-04-23", pause=0.5)
    deadline = time.monotonic() + 60
    while not rows(app, DeadlineAction):  # wait for the first deadline to be done, then kill it
        assert time.monotonic() < deadline and process.poll() is None, process.stderr.read().decode()[-2000:]
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    done = len(rows(app, DeadlineAction))
    assert 1 <= done < 6
    rerun = _sweep_process(app, "2026-04-23")
    out = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, out
    actions = rows(app, DeadlineAction)
    assert len(actions) == 6 and len({a.deadline_id for a in actions}) == 6
    assert len(rows(app, Notification)) == 6
    assert all(d.next_action_on is None for d in rows(app, Deadline, Deadline.subject_type == "probe"))


def test_a_failed_mail_is_retried_and_kept_for_the_office(app, client, tenant, clock, monkeypatch):
    from tests.test_letters import _free_port

    _probes(app, tenant, 1, date(2026, 4, 24))
    sweep(app, clock, "2026-04-23")
    [message] = rows(app, OutgoingMail)
    for key, value in (("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", _free_port()), ("MAIL_USE_TLS", False),
                       ("MAIL_TIMEOUT", 2), ("MAIL_MAX_ATTEMPTS", 2)):
        monkeypatch.setitem(app.config, key, value)
    assert tasks.deliver_mail(app) == 0
    [message] = rows(app, OutgoingMail)
    assert (message.status, message.attempts) == ("queued", 1) and message.last_error
    with app.app_context():  # the backoff has passed
        db.session.execute(sa.update(OutgoingMail).values(next_attempt_at=sa.func.now()))
        db.session.commit()
    tasks.deliver_mail(app)
    [message] = rows(app, OutgoingMail)
    assert (message.status, message.attempts) == ("failed", 2)
    r = client.get("/api/v1/outgoing-mail?status=failed", headers=tenant.auth("office"))
    assert r.status_code == 200 and [m["id"] for m in r.json] == [message.id]
    r = client.post(f"/api/v1/outgoing-mail/{message.id}/retry", headers=tenant.auth("office"))
    assert r.status_code == 200 and r.json["status"] == "queued"


def test_the_personal_calendar_feed_parses_renews_and_keeps_an_unannounced_audit_secret(app, client, tenant, clock):
    from icalendar import Calendar

    from tests.test_surveillance import certify, declare_clear, plan

    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    announced = plan(client, tenant, cid, kind="branch", planned_on="2026-05-12").json
    secret = plan(client, tenant, cid, kind="total", planned_on="2026-05-13", location="Geheimstraat 1").json
    assert secret["unannounced"] and not announced["unannounced"]
    company = tenant.auth("company1")
    url = client.post("/api/v1/me/calendar-token", headers=company).json["url"]
    feed = client.get(url.replace("http://localhost", ""))
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    cal = Calendar.from_ical(feed.data)
    uids = [str(e.get("uid")) for e in cal.walk("VEVENT")]
    assert f"audit-{announced['id']}@cki" in uids and f"audit-{secret['id']}@cki" not in uids
    assert "Geheimstraat" not in feed.data.decode()
    assert cal.walk("VTIMEZONE"), "the feed names its time zone"
    # the assessor's own feed has both audits and its deadlines
    assessor = tenant.auth("assessor")
    own = client.post("/api/v1/me/calendar-token", headers=assessor).json["url"].replace("http://localhost", "")
    uids = [str(e.get("uid")) for e in Calendar.from_ical(client.get(own).data).walk("VEVENT")]
    assert {f"audit-{announced['id']}@cki", f"audit-{secret['id']}@cki"} <= set(uids)
    # renewing the secret ends the old address; an unknown one is a plain 404
    renewed = client.post("/api/v1/me/calendar-token", headers=company).json["url"].replace("http://localhost", "")
    assert client.get(url.replace("http://localhost", "")).status_code == 404
    assert client.get(renewed).status_code == 200
    # an API client (a system, no person) has no feed
    assert client.post("/api/v1/me/calendar-token", headers=tenant.auth("sca")).status_code == 403


def test_a_rebuild_writes_the_deadlines_of_what_is_open_and_changes_nothing_twice(app, client, tenant, clock):
    cid, b = finding_of(app, client, tenant, clock, category="B")
    clock("2026-04-28")
    send_result(client, tenant, b, "2026-04-28")
    with app.app_context():
        before = [(d.subject_type, d.kind, d.due_on, d.state) for d in db.session.scalars(
            sa.select(Deadline).order_by(Deadline.subject_type, Deadline.kind))]
        db.session.execute(sa.delete(Deadline))  # as a database from before migration 0022
        db.session.commit()
    runner = app.test_cli_runner()
    for _ in range(2):
        out = runner.invoke(args=["deadlines", "rebuild"])
        assert out.exit_code == 0 and "Termijnen bijgewerkt" in out.output, out.output
        with app.app_context():
            after = [(d.subject_type, d.kind, d.due_on, d.state) for d in db.session.scalars(
                sa.select(Deadline).order_by(Deadline.subject_type, Deadline.kind))]
        assert [x for x in after if x[3] == "open"] == [x for x in before if x[3] == "open"]
    # a rebuild after N2's term had passed: flagged as overdue, not acted on (no back-dated raise)
    with app.app_context():
        db.session.execute(sa.delete(Deadline))
        db.session.commit()
    clock("2026-05-11")
    out = app.test_cli_runner().invoke(args=["deadlines", "rebuild"])
    assert "1 termijn(en) waren al verstreken" in out.output, out.output
    [n2] = open_deadlines(app, "finding", b["id"])
    assert (n2.overdue_since, n2.next_action_on) == (date(2026, 5, 2), None)
    assert sweep(app, clock, "2026-05-11").flagged == 0
    assert client.get(f"/api/v1/findings/{b['id']}", headers=tenant.auth("planner")).json["status"] == "open"


def test_after_a_rebuild_a_certificate_past_its_last_day_still_expires_dated_by_it(app, client, tenant, clock):
    from tests.test_surveillance import certify

    cid = certify(app, tenant, "company2", "SC-540", date(2023, 5, 2))  # valid to 1 May 2026
    with app.app_context():
        db.session.execute(sa.delete(Deadline))  # as a database from before migration 0022
        db.session.commit()
    clock("2026-05-11")
    out = app.test_cli_runner().invoke(args=["deadlines", "rebuild"])
    assert out.exit_code == 0, out.output
    assert sweep(app, clock, "2026-05-11").flagged == 1  # left to the sweep, which carries it out
    cert = client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner")).json
    assert (cert["status"], cert["expired_on"]) == ("expired", "2026-05-01")


def test_the_messages_page_keeps_email_choices_and_makes_a_calendar_address(app, client, tenant, clock):
    from tests.test_web import login, post

    web = app.test_client()
    login(web, tenant.emails["planner"])
    page = web.get("/berichten/").text
    assert "Herinneringen per e-mail" in page and 'name="email_recertification" value="1" checked' in page
    r = post(web, "/berichten/", action="preferences", email_finding_step="1")  # all others off
    assert "opgeslagen" in r.text and 'name="email_recertification" value="1" checked' not in r.text
    prefs = {p["kind"]: p["email"] for p in client.get("/api/v1/me/reminder-preferences",
                                                        headers=tenant.auth("planner")).json}
    assert prefs["finding_step"] and not prefs["recertification"]
    # a planner's reminder of a recertification now comes in the app only
    _probes(app, tenant, 0, date(2026, 4, 24))
    from cki.deadlines import operations

    with app.app_context():
        operations.sync("probe", 99, cki_id=tenant.cki_id, company_id=None, on=date(2026, 4, 1), items=[
            operations.Item(kind="recertification", due_on=date(2026, 6, 1), label="Hercertificering X",
                            url="/start", role="planner")])
        db.session.commit()
    sweep(app, clock, "2026-05-20")
    assert [n.text for n in rows(app, Notification)] and rows(app, OutgoingMail) == []
    r = post(web, "/berichten/", action="calendar")
    assert "/kalender/" in r.text and ".ics" in r.text


def test_a_programme_with_audits_open_is_a_deadline_that_moves_on_with_the_period(app, client, tenant, clock):
    from tests.test_surveillance import certify, declare_clear, plan

    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    r = plan(client, tenant, cid, kind="branch", planned_on="2026-05-12")
    assert r.status_code == 201, r.json
    [quota] = open_deadlines(app, "programme", cid)
    periods = client.get(f"/api/v1/certificates/{cid}/programme", headers=tenant.auth("planner")).json["periods"]
    current = next(p for p in periods if p["current"])
    assert (quota.role, quota.due_on.isoformat()) == ("planner", current["due_by"])
    assert "nog uit te voeren" in quota.label
    # the period is due with audits open: flagged once, and the next period's deadline takes its place
    first_due = quota.due_on
    day = (first_due + __import__("datetime").timedelta(days=1)).isoformat()
    result = sweep(app, clock, day)
    assert result.flagged == 1
    [moved] = open_deadlines(app, "programme", cid)
    assert moved.id == quota.id and moved.due_on > first_due and moved.next_action_on is not None
    assert sweep(app, clock, day).flagged == 0


def test_the_last_periods_audits_are_the_recertification_unless_the_holder_stops(app, client, tenant, clock):
    from tests.test_surveillance import certify, declare_clear, plan

    cid = certify(app, tenant, "company1", "SC-540", date(2024, 2, 29))  # valid to 2027-02-28: in its last period
    declare_clear(client, tenant)
    assert plan(client, tenant, cid, kind="branch", planned_on="2026-05-12").status_code == 201
    [due] = open_deadlines(app, "programme", cid)
    periods = client.get(f"/api/v1/certificates/{cid}/programme", headers=tenant.auth("planner")).json["periods"]
    assert (due.kind, due.due_on.isoformat()) == ("recertification", periods[-1]["due_by"])
    assert "hercertificering" in due.label and due.due_on < date(2027, 2, 28)  # about 3 months before expiry
    r = client.post(f"/api/v1/certificates/{cid}/not-continuing", headers=tenant.auth("office"),
                    json={"received_on": "2026-04-23", "document": "Brief: stopt per einde geldigheid"})
    assert r.status_code == 200, r.json
    [due] = open_deadlines(app, "programme", cid)  # no recertification: the last period's quota, due at its end
    assert (due.kind, due.due_on) == ("audit_quota", date(2027, 2, 28))


def test_a_last_periods_quota_flagged_before_the_upgrade_stays_flagged_as_recertification(app, client, tenant, clock):
    from flask import g

    from cki.certificates.models import Certificate
    from cki.core.auth import Principal
    from cki.surveillance import operations as surveillance
    from tests.test_surveillance import certify

    cid = certify(app, tenant, "company1", "SC-540", date(2024, 2, 29))
    [row] = open_deadlines(app, "programme", cid)
    clock("2026-12-15")  # past the recertification date: flagged, as an older version did it, under the old kind
    assert sweep(app, clock, "2026-12-15").flagged == 1
    with app.app_context():
        db.session.execute(sa.update(Deadline).where(Deadline.id == row.id).values(kind="audit_quota"))
        db.session.commit()
    with app.test_request_context():
        g.principal = Principal(cki_id=tenant.cki_id, label="test")
        surveillance.track_programme(db.session.get(Certificate, cid))
        db.session.commit()
    [again] = open_deadlines(app, "programme", cid)
    assert (again.id, again.kind) == (row.id, "recertification")  # the same row, its actions kept
    assert sweep(app, clock, "2026-12-16").flagged == 0  # not flagged a second time


def test_a_bezwaar_term_is_only_reminded_of_and_ends_quietly_or_when_contested(app, client, tenant, clock):
    from tests.test_letters import letters_of, send
    from tests.test_surveillance import certify

    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    client.post(f"/api/v1/certificates/{cid}/withdraw", headers=tenant.auth("decider"),
                json={"on": "2026-04-23", "reason": "Op eigen verzoek.", "at_own_request": True})
    [letter] = letters_of(client, tenant, status="waiting", certificate_id=cid)
    send(client, tenant, letter["id"], "2026-04-23")
    [term] = open_deadlines(app, "letter", letter["id"])
    assert (term.kind, term.due_on, term.passive) == ("objection_term", date(2026, 6, 4), True)
    result = sweep(app, clock, "2026-06-08")
    assert (result.flagged, rows(app, Deadline, Deadline.id == term.id)[0].state) == (0, "done")
    assert not [n for n in rows(app, Notification) if "verstreken" in n.text]


def test_one_failing_deadline_does_not_hold_up_the_sweep(app, tenant, clock, monkeypatch):
    from cki.deadlines import operations

    _probes(app, tenant, 3, date(2026, 4, 20))

    def fails_on_the_second(deadline, on, **_):
        if deadline.subject_id == 2:
            raise RuntimeError("kapot")

    operations.overdue.connect(fails_on_the_second)
    try:
        result = sweep(app, clock, "2026-04-23")
    finally:
        operations.overdue.disconnect(fails_on_the_second)
    assert (result.flagged, result.failed) == (2, 1)
    assert sweep(app, clock, "2026-04-23").flagged == 1  # the next sweep finishes it
    assert len(rows(app, DeadlineAction)) == 3


def test_a_sent_mail_is_not_sent_again_and_a_far_suspension_end_is_refused_not_an_error(app, client, tenant, clock):
    from tests.test_surveillance import certify

    _probes(app, tenant, 1, date(2026, 4, 24))
    sweep(app, clock, "2026-04-23")
    [message] = rows(app, OutgoingMail)
    r = client.post(f"/api/v1/outgoing-mail/{message.id}/retry", headers=tenant.auth("office"))
    assert r.status_code == 409  # queued, not failed
    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    r = client.post(f"/api/v1/certificates/{cid}/suspend", headers=tenant.auth("decider"), json={
        "start": "2026-04-23", "end": "2150-01-01", "reason": "x", "at_own_request": True})
    assert r.status_code == 422 and "end" in r.json["errors"]["json"]  # beyond the calendar: said, not a 500


def test_the_next_step_on_the_same_due_date_is_reminded_of_anew(app, tenant, clock):
    from cki.deadlines import operations

    def state(step, label=None):
        with app.app_context():
            operations.sync("probe", 1, cki_id=tenant.cki_id, company_id=None, on=date(2026, 4, 1), items=[
                operations.Item(kind="finding_step", due_on=date(2026, 4, 28), label=label or f"Stap {step}",
                                url="/start", role="planner", step=step)])
            db.session.commit()

    state("T2")
    assert sweep(app, clock, "2026-04-24").reminded == 1
    state("T2", "Stap T2 van Nieuwe Naam B.V.")  # the same step, its label changed (a renamed holder): nothing new
    assert sweep(app, clock, "2026-04-24").seen == 0
    state("T3")  # another step, by chance due on the same day: a new reminder
    assert sweep(app, clock, "2026-04-24").reminded == 1
    assert len(rows(app, Notification)) == 2


def test_meldingen_starting_tomorrow_that_no_one_looked_at_are_on_the_planners_list(app, client, tenant, clock):
    from tests.test_meldingen import submit
    from tests.test_web import login

    clock("2026-12-17")
    a = submit(client, tenant, street="Kerkstraat 1", planned_start="2026-12-28", planned_end="2026-12-30")
    b = submit(client, tenant, street="Kerkstraat 2", planned_start="2026-12-28", planned_end="2026-12-30")
    c = submit(client, tenant, street="Kerkstraat 3", planned_start="2026-12-29", planned_end="2026-12-30")
    unseen = lambda: {d.subject_id: (d.state, d.due_on) for d in rows(  # noqa: E731
        app, Deadline, Deadline.kind == "melding_unseen")}
    # Monday 28 December: the werkdag before is Thursday 24 (Christmas and the weekend between)
    assert sweep(app, clock, "2026-12-23").reminded == 0 and unseen() == {}
    planner = app.test_client()
    login(planner, tenant.emails["planner"])
    assert "Eerst bekeken door" in planner.get(f"/meldingen/{b['id']}").text  # the planner opened b
    assert client.get(f"/api/v1/meldingen/{b['id']}", headers=tenant.auth("company1")).json.get("looked_at") is None
    assert sweep(app, clock, "2026-12-24").reminded == 1
    assert unseen() == {a["id"]: ("open", date(2026, 12, 28))}  # not b (looked at), not c (Tuesday: not yet)
    [note] = rows(app, Notification, Notification.text.contains(f"Melding {a['id']} "))
    assert "begint 28-12-2026 en is door niemand bekeken" in note.text and note.dated_on == date(2026, 12, 24)
    assert f"Melding {a['id']} (Kerkstraat 1, Utrecht)" in planner.get("/start").text
    assert sweep(app, clock, "2026-12-24").reminded == 0  # once
    # the company moves a to Tuesday: its watch starts over with the new date
    r = client.patch(f"/api/v1/meldingen/{a['id']}", json={"planned_start": "2026-12-29"},
                     headers=tenant.auth("company1"))
    assert r.status_code == 200, r.json
    assert unseen()[a["id"]][0] == "done"
    assert client.post(f"/api/v1/meldingen/{c['id']}/looked-at", headers=tenant.auth("company1")).status_code == 403
    r = client.post(f"/api/v1/meldingen/{c['id']}/looked-at", headers=tenant.auth("team_leader"))
    assert r.status_code == 200 and r.json["looked_at_by"]
    assert sweep(app, clock, "2026-12-28").reminded == 1
    assert unseen() == {a["id"]: ("open", date(2026, 12, 29))}  # c was looked at through the API
    assert sweep(app, clock, "2026-12-30").reminded == 0 and unseen()[a["id"]][0] == "done"  # started: ends quietly


def test_the_assessors_work_list_holds_the_reports_to_finish(app, client, tenant, clock):
    from tests.test_surveillance import certify, declare_clear, plan
    from tests.test_web import login

    cid = certify(app, tenant, "company1", "SC-540", date(2026, 3, 2))
    declare_clear(client, tenant)
    audit = plan(client, tenant, cid, kind="branch", planned_on="2026-04-23").json
    me = tenant.auth("assessor")
    items = client.get("/api/v1/checklists?scheme=SC-540&kind=branch", headers=me).json["items"]
    r = client.put(f"/api/v1/audits/{audit['id']}/report", headers=me,
                   json={"lock_version": 0, "answers": {items[0]["key"]: {"outcome": "conform"}}})
    assert r.status_code == 200, r.json
    assessor = app.test_client()
    login(assessor, tenant.emails["assessor"])
    start = assessor.get("/start").text
    assert "Rapporten af te maken" in start and f"Rapport van beoordeling {audit['id']}: concept" in start
    other = app.test_client()
    login(other, tenant.emails["planner"])
    assert f"Rapport van beoordeling {audit['id']}: concept" not in other.get("/start").text  # the auditor's own
    lock = client.get(f"/api/v1/audits/{audit['id']}", headers=tenant.auth("planner")).json["lock_version"]
    r = client.post(f"/api/v1/audits/{audit['id']}/cancel", json={"reason": "Vervalt.", "lock_version": lock},
                    headers=tenant.auth("planner"))
    assert r.status_code == 200, r.json
    assert f"Rapport van beoordeling {audit['id']}" not in assessor.get("/start").text  # nothing left to finish
