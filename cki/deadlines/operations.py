"""Verbs of the deadline watch (termijnbewaking).

- :func:`sync`: a domain states a subject's deadlines as they stand after its change, in the same
  transaction; rows appear, move or are done with it. This domain knows no rule: the dates come
  computed, with the rule that made them.
- :func:`sweep`: as of a day, remind ahead of time (werkdagen per kind, configurable), flag what is
  overdue and let the owning domain act on it (:data:`overdue`: a B not handled in its term becomes
  an A). Each action is recorded once (a unique key) and dated by the rule, so a rerun, a second
  sweep or one after a crash or a week of downtime neither repeats nor loses anything.
- :func:`deliver_mail`: the e-mail outbox, retried with backoff, failures kept for the office.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app

from cki.core import mail
from cki.core.db import before_slow_io, db, utcnow
from cki.core.errors import Conflict
from cki.deadlines.models import (
    ActionKind,
    CalendarToken,
    Deadline,
    DeadlineAction,
    DeadlineState,
    MailStatus,
    Notification,
    OutgoingMail,
    ReminderPreference,
)
from workflows.calendar import OutOfCalendarRange, legal_calendar

_signals = Namespace()
#: Sent with (deadline, on=the day it became overdue) inside the sweep's transaction for it.
overdue = _signals.signal("deadline-overdue")
#: Sent with (on=the sweep's day) before a sweep reads what is due, in its own transaction: a
#: domain writes the deadlines that only the coming days make (a melding starting tomorrow unseen).
sweep_starting = _signals.signal("deadline-sweep-starting")

#: Kinds whose owner carries out what the deadline says when it passes (a dossier lapses, a
#: certificate expires): a rebuild leaves them to the sweep rather than marking them handled.
CARRIED_OUT: set[str] = set()

#: The sweep's lock among all processes and hosts (PostgreSQL advisory lock).
SWEEP_LOCK = 0x6B6B6932


@dataclass(frozen=True)
class Item:
    """One deadline of a subject, as its domain computed it."""

    kind: str
    due_on: date
    label: str
    url: str
    rule: str | None = None
    #: Which step of its subject it is, where one row carries successive steps (a finding's next
    #: step): another step is reminded and flagged anew, even on the same due date. A changed label
    #: alone (a holder renamed) is not a new step.
    step: str | None = None
    #: Kinds this deadline continues on the same subject (the last period's quota becoming the
    #: recertification): an open row of such a kind takes this kind, its actions kept.
    continues: tuple[str, ...] = ()
    role: str | None = None  # staff who act; for a company's deadline, staff told when it is missed
    user_id: int | None = None
    for_company: bool = False
    passive: bool = False  # only reminded of; done the day it passes, never flagged


def lead_workdays(kind: str) -> int:
    """How many werkdagen before the due date a reminder goes out (``REMINDER_LEAD_WORKDAYS``:
    ``kind:n`` pairs, ``default:n`` for the rest)."""
    leads = dict(part.split(":") for part in current_app.config["REMINDER_LEAD_WORKDAYS"].replace(" ", "").split(",")
                 if ":" in part)
    return int(leads.get(kind, leads.get("default", 2)))


def _actions(deadline: Deadline) -> set[str]:
    return set(db.session.scalars(sa.select(DeadlineAction.action).where(
        DeadlineAction.deadline_id == deadline.id, DeadlineAction.for_due_on == deadline.due_on,
        DeadlineAction.round == deadline.round)))


def _next_action_on(deadline: Deadline, done: set[str]) -> date | None:
    if deadline.state != DeadlineState.OPEN:
        return None
    if ActionKind.REMIND not in done and ActionKind.OVERDUE not in done and deadline.remind_on is not None:
        return deadline.remind_on
    if ActionKind.OVERDUE not in done:
        return deadline.due_on + timedelta(days=1)
    return None


def sync(subject_type: str, subject_id: int, *, cki_id: int, company_id: int | None, items: list[Item],
         on: date) -> None:
    """The subject's deadlines are now ``items``: new ones open, moved ones start over (a new due
    date may be reminded of again), the others are done as of ``on``."""
    existing = {d.kind: d for d in db.session.scalars(sa.select(Deadline).where(
        Deadline.subject_type == subject_type, Deadline.subject_id == subject_id))}
    cal = legal_calendar()
    for item in items:
        if item.kind not in existing:
            for kind in item.continues:
                if kind in existing and existing[kind].state == DeadlineState.OPEN:
                    existing[item.kind] = existing.pop(kind)
                    existing[item.kind].kind = item.kind
                    break
        deadline = existing.pop(item.kind, None)
        if deadline is None:
            deadline = Deadline(cki_id=cki_id, company_id=company_id, subject_type=subject_type, subject_id=subject_id,
                                kind=item.kind, state=DeadlineState.OPEN.value, round=0)
            db.session.add(deadline)
        elif (deadline.due_on, deadline.state) != (item.due_on, DeadlineState.OPEN):
            deadline.overdue_since = deadline.done_on = None  # a moved or reopened deadline starts over
        # (a row from before steps were kept: its label told the step)
        if deadline.id is not None and item.step is not None and (
                deadline.step != item.step if deadline.step is not None else deadline.label != item.label[:300]):
            deadline.round += 1  # another step on the same row: reminded and flagged anew
            deadline.overdue_since = None
        deadline.state = DeadlineState.OPEN.value
        deadline.due_on, deadline.label, deadline.url, deadline.rule = item.due_on, item.label[:300], item.url, item.rule
        deadline.role, deadline.user_id, deadline.for_company = item.role, item.user_id, item.for_company
        deadline.passive, deadline.step = item.passive, item.step
        lead = lead_workdays(item.kind)
        try:
            deadline.remind_on = cal.add(item.due_on, -lead) if lead else None
        except OutOfCalendarRange:  # decades ahead (a suspension "until 2150"): no reminder day to compute
            deadline.remind_on = None
        db.session.flush()
        deadline.next_action_on = _next_action_on(deadline, _actions(deadline))
    for deadline in existing.values():
        if deadline.state == DeadlineState.OPEN:
            deadline.state, deadline.done_on, deadline.next_action_on = DeadlineState.DONE.value, on, None
    db.session.flush()


def mark_past_as_flagged(on: date) -> int:
    """After a rebuild: what was already overdue before the watch existed is recorded as flagged on
    the day after its due date, without acting on it (no back-dated raises, no e-mails); staff see
    it in the overdue list and decide. What the law carries out by itself (:data:`CARRIED_OUT`: a
    lapse, an expiry) is left to the next sweep, dated by its rule as always."""
    past = db.session.scalars(sa.select(Deadline).where(Deadline.state == DeadlineState.OPEN.value,
                                                        Deadline.due_on < on, Deadline.next_action_on.is_not(None),
                                                        Deadline.kind.not_in(CARRIED_OUT or {""})))
    count = 0
    for deadline in past:
        if deadline.passive:
            deadline.state, deadline.done_on = DeadlineState.DONE.value, deadline.due_on + timedelta(days=1)
        elif ActionKind.OVERDUE not in _actions(deadline):
            _record(deadline, ActionKind.OVERDUE, deadline.due_on + timedelta(days=1), on)
            deadline.overdue_since = deadline.due_on + timedelta(days=1)
        deadline.next_action_on = None
        count += 1
    db.session.flush()
    return count


def close(subject_type: str, subject_id: int, *, on: date) -> None:
    """The subject has no deadlines any more (closed, withdrawn, decided)."""
    db.session.execute(sa.update(Deadline).where(
        Deadline.subject_type == subject_type, Deadline.subject_id == subject_id,
        Deadline.state == DeadlineState.OPEN.value).values(state=DeadlineState.DONE.value, done_on=on,
                                                             next_action_on=None))


# -- the sweep -----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    ran: bool = True  # False: another sweep held the lock
    reminded: int = 0
    flagged: int = 0
    seen: int = 0
    failed: int = 0  # deadlines whose action failed: logged, tried again by the next sweep


def sweep(on: date, *, before_each=None) -> SweepResult:
    """Act on every deadline whose next action falls on or before ``on``, each in its own
    transaction under a row lock; one sweep at a time (advisory lock on PostgreSQL).
    ``before_each`` is a test hook (a pause, to be killed in the middle)."""
    result = SweepResult()
    with _sweep_lock() as held:
        if not held:
            return SweepResult(ran=False)
        try:
            sweep_starting.send(on=on)
            db.session.commit()
        except Exception:  # the rest of the sweep still runs; the next one writes them
            db.session.rollback()
            current_app.logger.exception("termijnbewaking: termijnen van de komende dagen niet geschreven")
        ids = db.session.scalars(sa.select(Deadline.id).where(Deadline.next_action_on <= on)
                                 .order_by(Deadline.next_action_on, Deadline.id)).all()
        db.session.commit()
        for deadline_id in ids:
            if before_each is not None:
                before_each(deadline_id)
            deadline = db.session.scalar(sa.select(Deadline).where(
                Deadline.id == deadline_id, Deadline.next_action_on <= on).with_for_update(skip_locked=True))
            if deadline is None:  # done meanwhile, or another process has it
                db.session.rollback()
                continue
            result.seen += 1
            try:
                _act(deadline, on, result)
                db.session.commit()
            except Exception:  # one deadline's failure must not hold up the others
                db.session.rollback()
                result.failed += 1
                current_app.logger.exception("termijnbewaking: termijn %s niet afgehandeld", deadline_id)
    return result


class _sweep_lock:
    """A session-level advisory lock on a connection of its own, held for the whole sweep."""

    def __enter__(self):
        self.conn = None
        if db.engine.dialect.name != "postgresql":
            return True  # SQLite: one writer at a time, and the row checks below keep it once
        self.conn = db.engine.connect()
        held = self.conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": SWEEP_LOCK}).scalar()
        self.conn.commit()
        if not held:
            self.conn.close()
            self.conn = None
        return bool(held)

    def __exit__(self, *exc):
        if self.conn is not None:
            self.conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": SWEEP_LOCK})
            self.conn.commit()
            self.conn.close()
        return False


def _record(deadline: Deadline, action: ActionKind, acted_on: date, on: date) -> None:
    db.session.add(DeadlineAction(cki_id=deadline.cki_id, deadline_id=deadline.id, action=action.value,
                                  for_due_on=deadline.due_on, round=deadline.round, acted_on=acted_on, swept_on=on))
    db.session.flush()  # the unique key: a second sweep that got here too fails here, not later


def _act(deadline: Deadline, on: date, result: SweepResult) -> None:
    done = _actions(deadline)
    overdue_on = deadline.due_on + timedelta(days=1)
    if (ActionKind.REMIND not in done and deadline.remind_on is not None and deadline.remind_on <= on
            and on <= deadline.due_on):  # after the due date a reminder says nothing the flag does not
        _record(deadline, ActionKind.REMIND, deadline.remind_on, on)
        _notify(deadline, f"Herinnering: {deadline.label}, uiterlijk {deadline.due_on:%d-%m-%Y}.",
                deadline.remind_on)
        done.add(ActionKind.REMIND)
        result.reminded += 1
    if deadline.passive and on >= overdue_on and deadline.kind not in CARRIED_OUT:  # a term that just ends
        deadline.state, deadline.done_on = DeadlineState.DONE.value, overdue_on
    elif ActionKind.OVERDUE not in done and on >= overdue_on:
        _record(deadline, ActionKind.OVERDUE, overdue_on, on)
        deadline.overdue_since = overdue_on
        _notify(deadline, f"Termijn verstreken: {deadline.label} (uiterlijk {deadline.due_on:%d-%m-%Y}).", overdue_on,
                also_staff=deadline.for_company)
        done.add(ActionKind.OVERDUE)
        due = deadline.due_on
        overdue.send(deadline, on=overdue_on)
        result.flagged += 1
        if deadline.due_on != due:  # the owner moved it on (a programme's next period): start over
            done = _actions(deadline)
    deadline.next_action_on = _next_action_on(deadline, done)
    db.session.flush()


def _recipients(deadline: Deadline, *, also_staff: bool = False):
    from cki.users.models import User, UserRole

    stmt = sa.select(User).where(User.cki_id == deadline.cki_id, User.active.is_(True))
    if deadline.user_id is not None:
        users = db.session.scalars(stmt.where(User.id == deadline.user_id)).all()
    elif deadline.for_company:
        users = db.session.scalars(stmt.where(User.company_id == deadline.company_id)).all()
    else:
        users = []
    if deadline.role and deadline.user_id is None and (not deadline.for_company or also_staff):
        users += db.session.scalars(stmt.where(User.company_id.is_(None), User.id.in_(
            sa.select(UserRole.user_id).where(UserRole.role == deadline.role)))).all()
    return list({u.id: u for u in users}.values())


def _notify(deadline: Deadline, text: str, dated_on: date, *, also_staff: bool = False) -> None:
    """In the app for everyone responsible; by e-mail to those who did not switch it off."""
    off = set(db.session.scalars(sa.select(ReminderPreference.user_id).where(
        ReminderPreference.kind == deadline.kind, ReminderPreference.email.is_(False))))
    for user in _recipients(deadline, also_staff=also_staff):
        db.session.add(Notification(cki_id=deadline.cki_id, user_id=user.id, deadline_id=deadline.id, text=text,
                                    url=deadline.url, dated_on=dated_on))
        if user.id not in off:
            db.session.add(OutgoingMail(cki_id=deadline.cki_id, user_id=user.id, to=user.email, subject=text[:300],
                                        body=f"{text}\n\nZie {deadline.url}\n\n{deadline.rule or ''}".strip(),
                                        next_attempt_at=utcnow()))


# -- e-mail outbox -------------------------------------------------------------------------------


def deliver_mail(limit: int = 100) -> tuple[int, int]:
    """Send what is queued and due, one message per transaction; a failure is tried again later
    (backoff doubling from a minute), and after ``MAIL_MAX_ATTEMPTS`` kept as failed for the
    office. Returns (sent, failed this round)."""
    sent = failed = 0
    if not mail.configured():
        return sent, failed
    ids = db.session.scalars(sa.select(OutgoingMail.id).where(
        OutgoingMail.status == MailStatus.QUEUED.value, OutgoingMail.next_attempt_at <= utcnow())
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id).limit(limit)).all()
    db.session.commit()
    for mail_id in ids:
        message = db.session.scalar(sa.select(OutgoingMail).where(
            OutgoingMail.id == mail_id, OutgoingMail.status == MailStatus.QUEUED.value).with_for_update(skip_locked=True))
        if message is None:
            db.session.rollback()
            continue
        message.attempts += 1
        before_slow_io()
        try:
            mail.send(to=message.to, subject=message.subject, body=message.body)
        except mail.MailError as error:
            message.last_error = str(error)[:2000]
            if message.attempts >= int(current_app.config["MAIL_MAX_ATTEMPTS"]):
                message.status = MailStatus.FAILED.value
            else:
                message.next_attempt_at = utcnow() + timedelta(minutes=2 ** (message.attempts - 1))
            failed += 1
        else:
            message.status, message.sent_at, message.last_error = MailStatus.SENT.value, utcnow(), None
            sent += 1
        db.session.commit()
    return sent, failed


def retry_mail(message: OutgoingMail) -> OutgoingMail:
    """The office sends a failed message again (only a failed one: a sent one would go twice)."""
    if message.status != MailStatus.FAILED:
        raise Conflict("status", "Alleen een mislukte e-mail wordt opnieuw verstuurd.")
    message.status, message.attempts, message.next_attempt_at = MailStatus.QUEUED.value, 0, utcnow()
    db.session.flush()
    return message


# -- notifications, preferences, calendar -------------------------------------------------------


def mark_read(notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def set_preference(user, kind: str, email: bool) -> None:
    row = db.session.get(ReminderPreference, (user.id, kind))
    if row is None:
        db.session.add(ReminderPreference(cki_id=user.cki_id, user_id=user.id, kind=kind, email=email))
    else:
        row.email = email
    db.session.flush()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def renew_calendar_token(user) -> str:
    """A new secret for the user's feed URL; the old URL stops working. Returned once."""
    token = secrets.token_urlsafe(32)
    row = db.session.get(CalendarToken, user.id)
    if row is None:
        db.session.add(CalendarToken(cki_id=user.cki_id, user_id=user.id, token_hash=_hash(token)))
    else:
        row.token_hash = _hash(token)
    db.session.flush()
    return token


def user_of_calendar_token(token: str):
    from cki.users.models import User

    row = db.session.scalar(sa.select(CalendarToken).where(CalendarToken.token_hash == _hash(token)))
    user = db.session.get(User, row.user_id) if row else None
    return user if user is not None and user.active else None
