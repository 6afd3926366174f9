import enum
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cki.core.db import TenantMixin, TimestampMixin, db
from cki.core.i18n import register_messages


class AuditStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


STATUS_LABELS = {AuditStatus.PLANNED: "gepland", AuditStatus.DONE: "uitgevoerd", AuditStatus.CANCELLED: "vervallen"}
register_messages(STATUS_LABELS.values)  # pages show them in the reader's language (certificates.views)


class Audit(TenantMixin, TimestampMixin, db.Model):
    """One surveillance audit (beoordeling) of a certificate: at a branch, or at a project location.

    ``kind`` is a :class:`workflows.surveillance.AuditKind`; ``unannounced`` is fixed from the scheme
    when planned: such an audit is secret for the company until it has taken place (RULES.md §4)."""

    __tablename__ = "audits"
    __table_args__ = (
        sa.Index("ix_audits_certificate_period", "certificate_id", "period_index"),
        sa.Index("ix_audits_cki_planned_on", "cki_id", "planned_on"),
        # the planned ones behind a melding: the planner's list of meldingen that changed under them
        sa.Index("ix_audits_planned_with_melding", "cki_id", "planned_on",
                 postgresql_where=sa.text("status = 'planned' AND melding_id IS NOT NULL"),
                 sqlite_where=sa.text("status = 'planned' AND melding_id IS NOT NULL")),
        sa.CheckConstraint("status <> 'done' OR done_on IS NOT NULL", name="done_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), nullable=False)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    period_index: Mapped[int] = mapped_column(nullable=False)
    planned_on: Mapped[date] = mapped_column(nullable=False)
    unannounced: Mapped[bool] = mapped_column(nullable=False)
    melding_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meldingen.id"), index=True)
    #: SC-540 result-oriented: the project sampled from the company's overview (B §4.3.2, §7.3).
    overview_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project_overview_entries.id"))
    location: Mapped[str | None] = mapped_column(sa.String(300))
    #: SC-540: a third location audit that day, the locations being close (B §6), as recorded.
    close_locations: Mapped[bool] = mapped_column(default=False, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=AuditStatus.PLANNED.value)
    done_on: Mapped[date | None] = mapped_column()
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Optimistic locking: two planners changing one audit at once get 409, not a lost update.
    lock_version: Mapped[int] = mapped_column(nullable=False, default=1)

    auditors: Mapped[list["AuditAuditor"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    certificate = relationship("Certificate")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def auditor_ids(self) -> list[int]:
        return [a.user_id for a in self.auditors]

    @property
    def status_label(self) -> str:
        """Dutch: the API gives it and refusals say it; pages translate it."""
        return STATUS_LABELS[AuditStatus(self.status)]


class AuditAuditor(TenantMixin, db.Model):
    """An auditor assigned to an audit, checked for qualification, conflicts and the daily cap."""

    __tablename__ = "audit_auditors"
    __table_args__ = (sa.Index("ix_audit_auditors_user", "user_id"),)

    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)


class PeriodFigures(TenantMixin, TimestampMixin, db.Model):
    """The figures a holder declares for one 12-month period and one branch, which plan the location
    audits of the period after it (Table 1: average DIA and reports; Table 4.3: project days and
    works). Period 0 is the 12 months before the grant (the first period's figures)."""

    __tablename__ = "period_figures"
    __table_args__ = (sa.UniqueConstraint("certificate_id", "period_index", "branch_id",
                                          name="uq_period_figures"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), nullable=False)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), nullable=False)
    period_index: Mapped[int] = mapped_column(nullable=False)
    figures: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    works: Mapped[int | None] = mapped_column()
    declared_on: Mapped[date] = mapped_column(nullable=False)


class CatchUp(TenantMixin, TimestampMixin, db.Model):
    """A period's shortfall moved to the next period (B §4.3.3, C §4.3.2), with its reason."""

    __tablename__ = "catch_ups"
    __table_args__ = (sa.UniqueConstraint("certificate_id", "period_index", name="uq_catch_ups_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), nullable=False)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    period_index: Mapped[int] = mapped_column(nullable=False)
    #: [{"branch_id": int, "kind": str, "count": int}, ...] added to the next period
    shortfall: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    recorded_on: Mapped[date] = mapped_column(nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class ProposalStatus(enum.StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class WithdrawalProposal(TenantMixin, TimestampMixin, db.Model):
    """The system's proposal to withdraw a certificate (a second catch-up within the window): a
    decider confirms or rejects it with reasons; nothing is withdrawn by itself."""

    __tablename__ = "withdrawal_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), index=True, nullable=False)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    period_index: Mapped[int] = mapped_column(nullable=False)
    ground: Mapped[str] = mapped_column(sa.String(40), nullable=False)  # catch_up_exhausted
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    source: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    proposed_on: Mapped[date] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=ProposalStatus.OPEN.value)
    decided_on: Mapped[date | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)


class Checklist(TenantMixin, TimestampMixin, db.Model):
    """One version of the checklist for a scheme and audit kind: one line per scheme clause
    (``items``: [{"key", "clause", "text"}]). Version 1 comes from the scheme data; the quality
    manager adds later versions. An audit's report keeps the version it was started with."""

    __tablename__ = "checklists"
    __table_args__ = (sa.UniqueConstraint("cki_id", "scheme", "kind", "version", name="uq_checklists_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    version: Mapped[int] = mapped_column(nullable=False)
    items: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class AuditReport(TenantMixin, TimestampMixin, db.Model):
    """The auditor's report of one audit: the checklist answers per line (``answers``: key ->
    {"outcome", "category", "evidence"}), saved as a draft and finished later, then reviewed by a
    team leader (approved: final, its findings recorded; or returned with comments)."""

    __tablename__ = "audit_reports"
    __table_args__ = (  # the unfinished ones: an assessor's work list, however many reports are final
        sa.Index("ix_audit_reports_unfinished", "audit_id", postgresql_where=sa.text("status IN ('draft', 'returned')"),
                 sqlite_where=sa.text("status IN ('draft', 'returned')")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("audits.id"), unique=True, nullable=False)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("checklists.id"), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="draft")
    answers: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    summary: Mapped[str | None] = mapped_column(sa.Text)
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    submitted_on: Mapped[date | None] = mapped_column()
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    final_on: Mapped[date | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(nullable=False, default=1)

    checklist = relationship("Checklist", lazy="joined")
    audit = relationship("Audit", backref=sa.orm.backref("report", uselist=False))
    photos = relationship("AuditPhoto", order_by="AuditPhoto.id")

    __mapper_args__ = {"version_id_col": lock_version}


class AuditPhoto(TenantMixin, TimestampMixin, db.Model):
    """A photo the auditor took as evidence for one checklist line (type and size limited)."""

    __tablename__ = "audit_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_reports.id"), index=True, nullable=False)
    item_key: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    size: Mapped[int] = mapped_column(nullable=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False, deferred=True)


class AuditSelection(TenantMixin, TimestampMixin, db.Model):
    """A melding picked by staff for an unannounced location audit. Staff only: unannounced
    means secret, so no company route, feed or log view ever shows it (RULES.md §4)."""

    __tablename__ = "audit_selections"
    __table_args__ = (sa.UniqueConstraint("melding_id", name="uq_audit_selections_melding"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    melding_id: Mapped[int] = mapped_column(sa.ForeignKey("meldingen.id"), nullable=False)
    selected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    planned_on: Mapped[date] = mapped_column(nullable=False)
    note: Mapped[str | None] = mapped_column(sa.Text)


class LogbookEntry(TenantMixin, TimestampMixin, db.Model):
    """One SC-530 logbook line: a worker's asbestos work interval on a project (C §4.3.1 c–d).

    Exposure data (RULES.md §8): the worker is a pseudonymous id (the company's staff
    number), never a name or BSN; every read is logged in the read log (cki.events)."""

    __tablename__ = "logbook_entries"
    __table_args__ = (sa.Index("ix_logbook_company_date", "company_id", "work_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), nullable=False)
    upload_id: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    project: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    worker: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    work_date: Mapped[date] = mapped_column(nullable=False)
    start: Mapped[time] = mapped_column(nullable=False)
    end: Mapped[time] = mapped_column(nullable=False)
    activity: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    ppe: Mapped[bool] = mapped_column(nullable=False)


class ProjectOverviewEntry(TenantMixin, TimestampMixin, db.Model):
    """SC-540 §7.3: a project in the inventory company's up-to-date overview."""

    __tablename__ = "project_overview_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    upload_id: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    current: Mapped[bool] = mapped_column(default=True, nullable=False)  # the latest overview
    location: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    responsible_dia: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    remediated: Mapped[bool] = mapped_column(nullable=False)
    demolished: Mapped[bool] = mapped_column(nullable=False)
    selected_for_audit: Mapped[bool] = mapped_column(default=False, nullable=False)
