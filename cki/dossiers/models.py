from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cki.core.db import TenantMixin, TimestampMixin, UTCDateTime, db


class Dossier(TenantMixin, TimestampMixin, db.Model):
    """An application for initial certification (aanvraag) of one company for one scheme.

    The state machine lives in ``workflows.dossier``; this row persists its state. The
    ``lock_version`` column is SQLAlchemy's optimistic lock: of two staff acting at once
    one wins, the other gets 409 and nothing is half-written.
    """

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    scheme: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    scheme_version: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    state: Mapped[str] = mapped_column(sa.String(30), nullable=False, index=True)
    lock_version: Mapped[int] = mapped_column(nullable=False, default=1)
    applied_on: Mapped[date] = mapped_column(nullable=False)

    # Deel A §4.1: declaration about other CKIs in the last 2 years, and consent.
    prior_declared_on: Mapped[date | None] = mapped_column()
    prior_held_or_applied_elsewhere: Mapped[bool | None] = mapped_column()
    prior_consent_to_transfer: Mapped[bool | None] = mapped_column()
    #: Withdrawals elsewhere the applicant declared: [{"withdrawn_on": "...", "false_information": bool}]
    prior_withdrawals: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    informed_of_rules: Mapped[bool] = mapped_column(default=False, nullable=False)

    documentation_review_passed: Mapped[bool | None] = mapped_column()
    #: When steps were recorded: a later step may not be dated before the one it follows.
    documentation_reviewed_on: Mapped[date | None] = mapped_column()
    assessment_completed_on: Mapped[date | None] = mapped_column()
    advice: Mapped[str | None] = mapped_column(sa.Text)
    advice_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    advised_on: Mapped[date | None] = mapped_column()
    decision: Mapped[str | None] = mapped_column(sa.String(10))  # grant | refuse
    decided_on: Mapped[date | None] = mapped_column()
    #: The day the decision was recorded; late when after the decision letter's deadline.
    decision_recorded_on: Mapped[date | None] = mapped_column()
    decision_late: Mapped[bool] = mapped_column(default=False, nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_motivation: Mapped[str | None] = mapped_column(sa.Text)
    closing_reason: Mapped[str | None] = mapped_column(sa.Text)  # abort or rejection reason
    #: Touched by every event, so even an event that only adds rows bumps ``lock_version``.
    updated_at = mapped_column(UTCDateTime)

    company = relationship("Company")
    branches: Mapped[list["DossierBranch"]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierBranch.id")
    locations: Mapped[list["ProjectLocation"]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="ProjectLocation.id")
    branch_assessments: Mapped[list["BranchAssessment"]] = relationship(
        cascade="all, delete-orphan", order_by="BranchAssessment.id")
    assessors: Mapped[list["DossierAssessor"]] = relationship(cascade="all, delete-orphan")
    #: Its letters (the letters domain's rows), read here for the dossier's page and API.
    letters = relationship("Letter", order_by="Letter.id", viewonly=True)

    __mapper_args__ = {"version_id_col": lock_version}


class DossierBranch(TenantMixin, db.Model):
    """A branch that is part of the application (B/C §3.1.3: all of them)."""

    __tablename__ = "dossier_branches"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "branch_id", name="uq_dossier_branches_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True, nullable=False)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), nullable=False)

    dossier: Mapped[Dossier] = relationship(back_populates="branches")
    branch = relationship("Branch")


class DossierAssessor(TenantMixin, db.Model):
    """A staff member assigned as assessor; an outsourced one sees only such dossiers."""

    __tablename__ = "dossier_assessors"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "user_id", name="uq_dossier_assessors_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True, nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)

    user = relationship("User")


class BranchAssessment(TenantMixin, TimestampMixin, db.Model):
    """An assessment at a branch (§3.2.B.1); a failed one may be repeated once."""

    __tablename__ = "branch_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True, nullable=False)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), nullable=False)
    passed: Mapped[bool] = mapped_column(nullable=False)
    assessed_on: Mapped[date] = mapped_column(nullable=False)
    assessor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    reset: Mapped[bool] = mapped_column(default=False, nullable=False)  # results lapsed (§3.1.2)

    branch = relationship("Branch")
    assessor = relationship("User")


class ProjectLocation(TenantMixin, TimestampMixin, db.Model):
    """A project location of the candidate: SCA's permission, then its assessment (§3.2.B.2, §3.3)."""

    __tablename__ = "project_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True, nullable=False)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), nullable=False)
    address: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    extra: Mapped[bool] = mapped_column(default=False, nullable=False)  # §3.3.2 extra location
    requested_on: Mapped[date] = mapped_column(nullable=False)  # asked of SCA
    permission: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="requested")
    permission_on: Mapped[date | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column()
    assessed_on: Mapped[date | None] = mapped_column()
    complete_result: Mapped[bool] = mapped_column(default=False, nullable=False)
    containment: Mapped[bool] = mapped_column(default=False, nullable=False)
    assessor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    representative_reason: Mapped[str | None] = mapped_column(sa.Text)
    reset: Mapped[bool] = mapped_column(default=False, nullable=False)  # results lapsed (§3.1.2)

    dossier: Mapped[Dossier] = relationship(back_populates="locations")
    branch = relationship("Branch")
    assessor = relationship("User")
