"""Deadline watch (termijnbewaking): every deadline the system computes as a row with its subject,
due date, rule and state, written in the transaction of the change that set or moved it; what the
sweep did about each (once); the notifications and e-mails that tell people."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cki.core.db import TenantMixin, TimestampMixin, UTCDateTime, db

#: The kinds of deadline the domains write, as people choose their e-mail reminders by them.
KIND_LABELS = {
    "finding_step": "stappen van bevindingen",
    "letter_dispatch": "brieven te verzenden",
    "objection_term": "einde van bezwaar- en beroepstermijnen",
    "zienswijze": "zienswijzen",
    "window_end": "einde van de beoordelingstermijn van een aanvraag",
    "decision_letter_due": "besluiten op aanvragen",
    "provisional_report_expiry": "vervallen van voorlopige inventarisatierapporten",
    "provisional_report_conversion_due": "voorlopige rapporten omzetten",
    "certificate_expiry": "verlopende certificaten",
    "recertification": "hercertificering",
    "suspension_end": "einde van schorsingen",
    "audit_quota": "beoordelingen van het toezichtprogramma die nog open staan",
    "register_confirmation": "registraties te bevestigen met het kenmerk van het register",
    "melding_unseen": "meldingen die morgen beginnen en door niemand zijn bekeken",
}


class DeadlineState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"  # what it asked for happened, or the subject no longer has this deadline


class Deadline(TenantMixin, TimestampMixin, db.Model):
    """One deadline of one subject (a finding's next step, a letter to send, a zienswijze term...).
    ``next_action_on`` is the first day the sweep has something to do about it (remind, then flag
    as overdue); None once it has done all, so the sweep reads only what is due, never the history."""

    __tablename__ = "deadlines"
    __table_args__ = (
        sa.UniqueConstraint("subject_type", "subject_id", "kind", name="uq_deadlines_subject_kind"),
        sa.Index("ix_deadlines_next_action", "next_action_on", postgresql_where=sa.text("next_action_on IS NOT NULL"),
                 sqlite_where=sa.text("next_action_on IS NOT NULL")),
        # the open ones only: work lists and the overdue list never read the done history
        sa.Index("ix_deadlines_open", "cki_id", "due_on", postgresql_where=sa.text("state = 'open'"),
                 sqlite_where=sa.text("state = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    subject_id: Mapped[int] = mapped_column(nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    label: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    rule: Mapped[str | None] = mapped_column(sa.Text)  # how the date was computed, with its source
    due_on: Mapped[date] = mapped_column(nullable=False)
    remind_on: Mapped[date | None] = mapped_column()  # werkdagen ahead, per kind (configurable)
    state: Mapped[str] = mapped_column(sa.String(10), nullable=False, default=DeadlineState.OPEN.value)
    #: Who acts: a role of the CKI's staff, one user, or the company (its users).
    role: Mapped[str | None] = mapped_column(sa.String(30))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    for_company: Mapped[bool] = mapped_column(default=False, nullable=False)
    #: Only to remind of: the day it passes it is done, with no overdue flag (a term that simply
    #: ends, like the bezwaar term).
    passive: Mapped[bool] = mapped_column(default=False, nullable=False)
    #: Where it is done (a page path), one click from the work list.
    url: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    #: Counts the times the deadline became a different one (a finding's next step) on the same
    #: row: a new round is reminded and flagged anew, even on the same due date.
    round: Mapped[int] = mapped_column(nullable=False, default=0, server_default="0")
    #: The step of the subject this row is about now (``Item.step``); a new step starts a round.
    step: Mapped[str | None] = mapped_column(sa.String(40))
    next_action_on: Mapped[date | None] = mapped_column()
    overdue_since: Mapped[date | None] = mapped_column()  # the day after the due date, once flagged
    done_on: Mapped[date | None] = mapped_column()


class ActionKind(enum.StrEnum):
    REMIND = "remind"
    OVERDUE = "overdue"


class DeadlineAction(TenantMixin, TimestampMixin, db.Model):
    """What the sweep did about a deadline, once per due date: the unique key makes a rerun, a
    second sweep or one after a crash a no-op. ``acted_on`` is the day the rule gives (a catch-up
    after downtime dates a reminder on its reminder day, not on the day the sweep ran)."""

    __tablename__ = "deadline_actions"
    __table_args__ = (sa.UniqueConstraint("deadline_id", "action", "for_due_on", "round",
                                          name="uq_deadline_actions_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(sa.ForeignKey("deadlines.id", ondelete="CASCADE"), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    for_due_on: Mapped[date] = mapped_column(nullable=False)
    round: Mapped[int] = mapped_column(nullable=False, default=0, server_default="0")
    acted_on: Mapped[date] = mapped_column(nullable=False)
    swept_on: Mapped[date] = mapped_column(nullable=False)  # the sweep's day, for the record


class Notification(TenantMixin, TimestampMixin, db.Model):
    """A message in the app for one user, read or not."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    deadline_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deadlines.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    url: Mapped[str | None] = mapped_column(sa.String(300))
    dated_on: Mapped[date] = mapped_column(nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS; the office sees it and may retry


class OutgoingMail(TenantMixin, TimestampMixin, db.Model):
    """An e-mail to send (a reminder), written with the change that calls for it and sent by the
    mail job: a failure is retried later, never lost, and shown to the office."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (sa.Index("ix_outgoing_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    to: Mapped[str] = mapped_column(sa.String(320), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default=MailStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


class ReminderPreference(TenantMixin, db.Model):
    """A user's choice per kind of deadline: reminders by e-mail or only in the app."""

    __tablename__ = "reminder_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    email: Mapped[bool] = mapped_column(nullable=False)


class CalendarToken(TenantMixin, TimestampMixin, db.Model):
    """The secret in a user's personal iCalendar feed URL, stored as a hash; renewing it replaces it."""

    __tablename__ = "calendar_tokens"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
