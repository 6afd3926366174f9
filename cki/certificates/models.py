import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cki.core.db import TenantMixin, TimestampMixin, db
from cki.core.i18n import register_messages


class CertificateStatus(enum.StrEnum):
    """Where a certificate (procescertificaat) stands (RULES.md §3)."""

    VALID = "valid"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


STATUS_LABELS = {
    CertificateStatus.VALID: "geldig",
    CertificateStatus.SUSPENDED: "geschorst",
    CertificateStatus.WITHDRAWN: "ingetrokken",
    CertificateStatus.EXPIRED: "verlopen",
}
register_messages(STATUS_LABELS.values)  # pages show them in the reader's language (certificates.views)


class Certificate(TenantMixin, TimestampMixin, db.Model):
    """A certificate (procescertificaat) with the holder and branch data as issued (A §5).

    ``branches`` keeps each branch as printed, with its ``branch_id`` and ``is_head_office``:
    the surveillance programme plans per branch from it."""

    __tablename__ = "certificates"
    __table_args__ = (sa.UniqueConstraint("cki_id", "number", name="uq_certificates_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id"), unique=True, nullable=False)
    scheme: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    number: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    holder_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    holder_place: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    holder_kvk: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    branches: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    issued_on: Mapped[date] = mapped_column(nullable=False)
    valid_until: Mapped[date] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=CertificateStatus.VALID.value)
    withdrawn_on: Mapped[date | None] = mapped_column()
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)
    false_information: Mapped[bool] = mapped_column(default=False, nullable=False)
    expired_on: Mapped[date | None] = mapped_column()
    #: The holder said in writing it will not continue (§5): no recertification is planned.
    not_continuing_on: Mapped[date | None] = mapped_column()
    not_continuing_document: Mapped[str | None] = mapped_column(sa.Text)
    #: Loaded only when asked for: lists and the planning board read many certificates.
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False, deferred=True)

    dossier = relationship("Dossier", backref=sa.orm.backref("certificate", uselist=False))
    company = relationship("Company")

    @property
    def status_label(self) -> str:
        """Dutch: the API gives it and refusals say it; pages translate it."""
        return STATUS_LABELS[CertificateStatus(self.status)]


class CertificateNumberCounter(TenantMixin, db.Model):
    """The last certificate number given out per CKI, scheme and year: the next one is taken with
    one atomic upsert, so two grants at the same moment never get the same number."""

    __tablename__ = "certificate_number_counters"

    cki_id: Mapped[int] = mapped_column(sa.ForeignKey("ckis.id"), primary_key=True)
    scheme: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(nullable=False)


class DecisionKind(enum.StrEnum):
    WITHDRAW = "withdraw"
    SUSPEND = "suspend"

    @property
    def noun(self) -> str:
        """As in the letter kinds: intended_withdrawal, intended_suspension."""
        return {"withdraw": "withdrawal", "suspend": "suspension"}[self.value]


class IntendedDecision(TenantMixin, TimestampMixin, db.Model):
    """An intended withdrawal or suspension the holder did not ask for, sent to it for its
    zienswijze (Awb 4:8) in a letter: sent on a recorded dispatch date, answered (the receipt date) or not by
    the term's end, then weighed by a decider before the decision."""

    __tablename__ = "intended_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), index=True, nullable=False)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    #: The dispatch date of its letter (post register) and the term's last day from it; None while
    #: the letter waits for the office.
    sent_on: Mapped[date | None] = mapped_column()
    answer_due: Mapped[date | None] = mapped_column()
    letter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("letters.id"))
    answered_on: Mapped[date | None] = mapped_column()
    answer: Mapped[str | None] = mapped_column(sa.Text)
    weighed_on: Mapped[date | None] = mapped_column()
    weighing: Mapped[str | None] = mapped_column(sa.Text)
    used: Mapped[bool] = mapped_column(default=False, nullable=False)  # the decision it prepared was taken

    certificate = relationship("Certificate")


class Suspension(TenantMixin, TimestampMixin, db.Model):
    """A suspension of a certificate: from when, until when or on which condition, its scope where
    the scheme allows one, its reason; lifted on a date."""

    __tablename__ = "certificate_suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), index=True, nullable=False)
    start: Mapped[date] = mapped_column(nullable=False)
    end: Mapped[date | None] = mapped_column()
    condition: Mapped[str | None] = mapped_column(sa.Text)
    scope: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    lifted_on: Mapped[date | None] = mapped_column()
