from datetime import date, datetime, time

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cki.core.db import TenantMixin, TimestampMixin, UTCDateTime, db, utcnow


def street_key(street: str | None) -> str:
    """A street as the one-job-once rule compares it: case and spacing ignored."""
    return " ".join((street or "").split()).lower()


#: A melding that is still a job (not cancelled, not merged into another): the job keys are unique among these.
_OPEN_SQL = "status NOT IN ('cancelled', 'merged')"


def job_key(postcode: str, street: str, planned_start: date, lavs_project_id: str | None = None) -> str:
    """A job as the one-job-once rule knows it: postcode, street (case and spacing ignored) and start
    date. A second LAVS project at the same address and day is another job: its key names the project."""
    key = f"{postcode}|{street_key(street)}|{planned_start.isoformat()}"
    return f"{key}|lavs:{lavs_project_id}" if lavs_project_id else key


class Melding(TenantMixin, TimestampMixin, db.Model):
    """A work notification (melding): one job of a certified company, notified before it
    starts (B/C §7). Whether it came by LAVS, the portal, the API or fax, a job is one row;
    every change is a :class:`MeldingRevision`."""

    __tablename__ = "meldingen"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "idempotency_key", name="uq_meldingen_idempotency"),
        # The staff list and calendar page by start date within a CKI.
        sa.Index("ix_meldingen_cki_start", "cki_id", "planned_start", "id"),
        # The day/week calendar: meldingen still running on a day are found from their end date.
        sa.Index("ix_meldingen_cki_end", "cki_id", "planned_end"),
        # the search box finds a job by its postcode, the latest first, however many years lie behind
        sa.Index("ix_meldingen_cki_postcode", "cki_id", "postcode", "planned_start"),
        # Late and calamity meldingen are rare: found without reading the years between them.
        sa.Index("ix_meldingen_cki_timeliness_start", "cki_id", "timeliness", "planned_start"),
        # A company's meldingen by start date, and the one-job-once match (company, start date,
        # address) in one index: with two, the planner could pick the shorter and read a
        # company's whole history to find one job.
        sa.Index("ix_meldingen_company_start_address", "company_id", "planned_start", "postcode", "street_key"),
        # One job once, enforced by the database: an open melding per job key, and per LAVS project.
        sa.Index("uq_meldingen_open_job", "company_id", "job_key", unique=True,
                 postgresql_where=sa.text(_OPEN_SQL), sqlite_where=sa.text(_OPEN_SQL)),
        sa.Index("uq_meldingen_open_lavs_project", "company_id", "lavs_project_id", unique=True,
                 postgresql_where=sa.text(_OPEN_SQL + " AND lavs_project_id IS NOT NULL"),
                 sqlite_where=sa.text(_OPEN_SQL + " AND lavs_project_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), nullable=False)
    scheme: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    certificate_number: Mapped[str | None] = mapped_column(sa.String(40))
    channel: Mapped[str] = mapped_column(sa.String(10), nullable=False)  # email fax portal api lavs
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="registered")
    # registered | pending_approval (calamity) | cancelled | merged

    street: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    #: The street as the one-job-once rule compares it (case and spacing ignored).
    street_key: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    #: The job (:func:`job_key`): no two open meldingen of a company share one.
    job_key: Mapped[str] = mapped_column(sa.String(400), nullable=False)
    postcode: Mapped[str] = mapped_column(sa.String(7), nullable=False)
    place: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    client: Mapped[str | None] = mapped_column(sa.String(200))
    responsible_person: Mapped[str | None] = mapped_column(sa.String(200))  # DIA / DTA
    object_type: Mapped[str | None] = mapped_column(sa.String(100))
    containment: Mapped[bool | None] = mapped_column()
    estimated_amount: Mapped[str | None] = mapped_column(sa.String(200))
    worker_count: Mapped[int | None] = mapped_column()
    permit_holder: Mapped[str | None] = mapped_column(sa.String(200))
    inspectorate: Mapped[str | None] = mapped_column(sa.String(200))
    validation_note: Mapped[str | None] = mapped_column(sa.Text)
    planned_start: Mapped[date] = mapped_column(nullable=False)
    planned_start_time: Mapped[time | None] = mapped_column()
    planned_end: Mapped[date] = mapped_column(nullable=False)
    planned_end_time: Mapped[time | None] = mapped_column()
    #: A large project is one melding per location (C §7.3); parts share a group label.
    project_group: Mapped[str | None] = mapped_column(sa.String(100))
    #: Housing-corporation maintenance notified in parts (C §7.4).
    part_label: Mapped[str | None] = mapped_column(sa.String(100))

    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    submitted_on: Mapped[date] = mapped_column(nullable=False)  # Amsterdam date of receipt
    timeliness: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # on_time late_atw_only calamity
    warning: Mapped[str | None] = mapped_column(sa.Text)
    calamity_motivation: Mapped[str | None] = mapped_column(sa.Text)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lavs_project_id: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    client_reference: Mapped[str | None] = mapped_column(sa.String(100))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meldingen.id"))
    #: The first time a planner or team leader opened it: one not looked at by the day before it
    #: starts is on the planners' work list (deadline ``melding_unseen``).
    looked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    looked_at_by: Mapped[str | None] = mapped_column(sa.String(200))

    company = relationship("Company")
    revisions: Mapped[list["MeldingRevision"]] = relationship(
        cascade="all, delete-orphan", order_by="MeldingRevision.number")

    @sa.orm.validates("street")
    def _keep_street_key(self, _key, street):
        self.street_key = street_key(street)
        return street

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.place}"


class MeldingRevision(TenantMixin, TimestampMixin, db.Model):
    """One version of a melding's content, by whom and through which channel."""

    __tablename__ = "melding_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    melding_id: Mapped[int] = mapped_column(sa.ForeignKey("meldingen.id", ondelete="CASCADE"), index=True,
                                            nullable=False)
    number: Mapped[int] = mapped_column(nullable=False)
    source: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # new change cancel merge split link
    data: Mapped[dict] = mapped_column(sa.JSON, nullable=False)


class InboundLavsMessage(TenantMixin, TimestampMixin, db.Model):
    """Every raw LAVS message as received, kept whatever happened to it. A message that
    cannot be placed is parked for staff with the reason, never dropped."""

    __tablename__ = "lavs_messages"
    __table_args__ = (sa.UniqueConstraint("cki_id", "message_key", name="uq_lavs_messages_key"),
                      sa.Index("ix_lavs_messages_cki_status", "cki_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(sa.String(300), nullable=False)  # LAVS message id or hash
    source: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # imap maildir upload api
    filename: Mapped[str | None] = mapped_column(sa.String(300))
    raw: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    #: The day it reached the CKI (Amsterdam): a lead time never counts from later than this.
    received_on: Mapped[date] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # processed parked discarded
    kind: Mapped[str | None] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    melding_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meldingen.id"), index=True)
