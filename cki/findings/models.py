"""Findings (afwijkingen and opmerkingen) and the procedure each one runs (RULES.md §6; B/C §8)."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cki.core.db import TenantMixin, TimestampMixin, db


class Finding(TenantMixin, TimestampMixin, db.Model):
    """A finding (afwijking or opmerking) recorded on the certificate when its audit's report became
    final: clause, category (scheme data), evidence. Its handling (deadlines, procedure) is the
    findings procedure's."""

    __tablename__ = "findings"
    __table_args__ = (sa.Index("ix_findings_certificate", "certificate_id", "found_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), nullable=False)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    #: The audit whose final report recorded it; or the authority's notice it came from.
    audit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sanction_notices.id"))
    item_key: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    clause: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    category: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    evidence: Mapped[str] = mapped_column(sa.Text, nullable=False)
    found_on: Mapped[date] = mapped_column(nullable=False)
    #: The procedure the category follows (scheme data); None for a remark, which has none.
    procedure: Mapped[str | None] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="open")
    #: A category A raised from this B (not handled in its term, or several B's weighed together).
    raised_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("findings.id"))
    raised_reason: Mapped[str | None] = mapped_column(sa.Text)
    raised_by: Mapped[str | None] = mapped_column(sa.String(200))  # who or what raised it
    lock_version: Mapped[int] = mapped_column(nullable=False, default=1)

    certificate = relationship("Certificate")
    steps: Mapped[list["FindingStep"]] = relationship(order_by="FindingStep.completed_on, FindingStep.id",
                                                      lazy="selectin", cascade="all, delete-orphan")
    decisions: Mapped[list["FindingDecision"]] = relationship(order_by="FindingDecision.id", lazy="selectin",
                                                              cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": lock_version}



class FindingStep(TenantMixin, TimestampMixin, db.Model):
    """One step of a finding's procedure done: on which day (the receipt date for the company's
    answer), its outcome where the step has one, and what it holds (the corrective measures)."""

    __tablename__ = "finding_steps"
    __table_args__ = (sa.UniqueConstraint("finding_id", "step", name="uq_finding_steps_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id", ondelete="CASCADE"), nullable=False)
    step: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    completed_on: Mapped[date] = mapped_column(nullable=False)
    outcome: Mapped[str | None] = mapped_column(sa.String(30))
    text: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by: Mapped[str] = mapped_column(sa.String(200), nullable=False)


class FindingDecision(TenantMixin, TimestampMixin, db.Model):
    """A staff decision on what the annex leaves open (a missed company step, an unanswered 'at
    once'), recorded with its reasons (RULES.md §6)."""

    __tablename__ = "finding_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id", ondelete="CASCADE"), index=True,
                                            nullable=False)
    about: Mapped[str] = mapped_column(sa.Text, nullable=False)
    decision: Mapped[str] = mapped_column(sa.Text, nullable=False)
    decided_on: Mapped[date] = mapped_column(nullable=False)
    decided_by: Mapped[str] = mapped_column(sa.String(200), nullable=False)


class SanctionNotice(TenantMixin, TimestampMixin, db.Model):
    """A written notice of a sanction by the inspectorate or another authority (A §4.2) about a
    holder (its certificate) or a candidate (its dossier): received, the CKI's determination, the
    outcome with its motivation. A keep or grant after a deviating notice is listed for the annual
    report."""

    __tablename__ = "sanction_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    certificate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossiers.id"), index=True)
    authority: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    received_on: Mapped[date] = mapped_column(nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False)
    deviation: Mapped[bool | None] = mapped_column()
    assessment: Mapped[str | None] = mapped_column(sa.String(20))
    determination: Mapped[str | None] = mapped_column(sa.Text)
    determined_on: Mapped[date | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(sa.String(30))
    motivation: Mapped[str | None] = mapped_column(sa.Text)
    decided_on: Mapped[date | None] = mapped_column()
    annual_report: Mapped[bool] = mapped_column(default=False, nullable=False)

    certificate = relationship("Certificate")
