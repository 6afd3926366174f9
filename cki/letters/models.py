"""Letters and the post register (RULES.md §3): the templates the quality manager controls, every
outgoing letter with its dispatch date and channel, every incoming document with its receipt date,
and the bezwaren and beroepen per besluit."""
import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cki.core.db import TenantMixin, TimestampMixin, db
from cki.core.i18n import gettext, register_messages


class TemplateStatus(enum.StrEnum):
    DRAFT = "draft"  # written, not yet in effect
    APPROVED = "approved"  # the version in effect
    SUPERSEDED = "superseded"  # an earlier approved version


TEMPLATE_STATUS_LABELS = {TemplateStatus.DRAFT: "concept, wacht op goedkeuring",
                          TemplateStatus.APPROVED: "goedgekeurd, in gebruik",
                          TemplateStatus.SUPERSEDED: "vervangen"}


class LetterTemplate(TenantMixin, TimestampMixin, db.Model):
    """One version of a CKI's template for one kind of letter. A new version takes effect only when
    the quality manager approves it; letters keep the version they were written from."""

    __tablename__ = "letter_templates"
    __table_args__ = (sa.UniqueConstraint("cki_id", "kind", "version", name="uq_letter_templates_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    version: Mapped[int] = mapped_column(nullable=False)
    subject: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(sa.Text)  # why this version
    written_by: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    approved_by: Mapped[str | None] = mapped_column(sa.String(200))
    approved_on: Mapped[date | None] = mapped_column()

    @property
    def status_label(self) -> str:
        """For pages, in the reader's language."""
        return gettext(TEMPLATE_STATUS_LABELS[TemplateStatus(self.status)])


class LetterStatus(enum.StrEnum):
    WAITING = "waiting"  # written, waits for the office to send it
    SENT = "sent"


class Channel(enum.StrEnum):
    EMAIL = "email"
    POST = "post"
    PORTAL = "portal"  # incoming only: the company's own answer in the portal or through the API


CHANNEL_LABELS = {Channel.EMAIL: "e-mail", Channel.POST: "post", Channel.PORTAL: "portaal of API"}


class Letter(TenantMixin, TimestampMixin, db.Model):
    """An outgoing letter: to whom, our reference, subject, text (from the template version in
    effect), signatory; a besluit carries how to object. Sent on a recorded dispatch date by e-mail
    (the PDF attached) or by post; the PDF as sent is kept. ``regarding`` names what it is about
    (a finding, an audit, an intended decision, a bezwaar), for what its dispatch sets going."""

    __tablename__ = "letters"
    __table_args__ = (sa.Index("ix_letters_waiting", "cki_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id"), index=True)
    regarding_type: Mapped[str | None] = mapped_column(sa.String(30))
    regarding_id: Mapped[int | None] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    #: The template kind it was written from, and the approved version (None: the shipped default).
    template_kind: Mapped[str | None] = mapped_column(sa.String(40))
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("letter_templates.id"))
    #: The fields its template was filled in with, kept to fill it in again on the dispatch date.
    context: Mapped[dict | None] = mapped_column(sa.JSON)
    scheme: Mapped[str | None] = mapped_column(sa.String(10))
    reference: Mapped[str | None] = mapped_column(sa.String(40))
    addressee: Mapped[str | None] = mapped_column(sa.Text)
    subject: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    signatory: Mapped[str | None] = mapped_column(sa.String(200))
    #: A besluit (Awb 1:3) with how to object; else an interim letter (a result, a notice).
    is_decision: Mapped[bool] = mapped_column(default=False, nullable=False)
    written_on: Mapped[date] = mapped_column(nullable=False)  # the CKI's day it was written
    due_on: Mapped[date | None] = mapped_column()  # the day it must be sent by, where a term says so
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=LetterStatus.WAITING.value)
    sent_on: Mapped[date | None] = mapped_column()
    channel: Mapped[str | None] = mapped_column(sa.String(20))
    email_to: Mapped[str | None] = mapped_column(sa.String(320))
    sent_by: Mapped[str | None] = mapped_column(sa.String(200))
    #: The last day for a bezwaar, from the dispatch date (a besluit only).
    objection_due: Mapped[date | None] = mapped_column()
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)  # as sent

    template = relationship("LetterTemplate")
    company = relationship("Company")

    @property
    def status_label(self) -> str:
        """For pages, in the reader's language."""
        return gettext("verzonden") if self.status == LetterStatus.SENT else gettext("te verzenden")

    @property
    def channel_label(self) -> str | None:
        """Dutch: it goes into the step a dispatch completes (a stored text); pages translate it."""
        return CHANNEL_LABELS[Channel(self.channel)] if self.channel else None


class IncomingKind(enum.StrEnum):
    CORRECTIVE_MEASURES = "corrective_measures"
    ZIENSWIJZE = "zienswijze"
    BEZWAAR = "bezwaar"
    BEROEP = "beroep"
    NOTICE = "notice"  # an authority's notice of a sanction
    OTHER = "other"


INCOMING_LABELS = {IncomingKind.CORRECTIVE_MEASURES: "corrigerende maatregelen", IncomingKind.ZIENSWIJZE: "zienswijze",
                   IncomingKind.BEZWAAR: "bezwaarschrift", IncomingKind.BEROEP: "beroepschrift",
                   IncomingKind.NOTICE: "melding van een sanctie door een overheid", IncomingKind.OTHER: "overig"}


class IncomingDocument(TenantMixin, TimestampMixin, db.Model):
    """A document received, with its receipt date (deadlines run from it), its channel and what it
    is about; the company's own answer in the portal is one too, received the day it arrives."""

    __tablename__ = "incoming_documents"
    __table_args__ = (sa.Index("ix_incoming_received", "cki_id", "received_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    received_on: Mapped[date] = mapped_column(nullable=False)
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False)
    regarding_type: Mapped[str | None] = mapped_column(sa.String(30))
    regarding_id: Mapped[int | None] = mapped_column()
    letter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("letters.id"))  # the letter it answers
    recorded_by: Mapped[str] = mapped_column(sa.String(200), nullable=False)

    attachments: Mapped[list["Attachment"]] = relationship(order_by="Attachment.id", cascade="all, delete-orphan")

    @property
    def kind_label(self) -> str:
        """Dutch: the API gives it too; pages translate it."""
        return INCOMING_LABELS[IncomingKind(self.kind)]

    @property
    def channel_label(self) -> str:
        """For pages, in the reader's language."""
        return gettext(CHANNEL_LABELS[Channel(self.channel)])


class Attachment(TenantMixin, TimestampMixin, db.Model):
    """A file that came with an incoming document (the corrective measures' evidence, say)."""

    __tablename__ = "incoming_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    incoming_id: Mapped[int] = mapped_column(sa.ForeignKey("incoming_documents.id", ondelete="CASCADE"), index=True,
                                             nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    size: Mapped[int] = mapped_column(nullable=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True, nullable=False)


class ObjectionKind(enum.StrEnum):
    BEZWAAR = "bezwaar"  # to the CKI (Awb 6:4)
    BEROEP = "beroep"  # to the court, after the decision on bezwaar (Awb 8:1)


class ObjectionOutcome(enum.StrEnum):
    WELL_FOUNDED = "well_founded"  # gegrond: the besluit is revoked or changed
    PARTLY = "partly"
    UNFOUNDED = "unfounded"
    INADMISSIBLE = "inadmissible"  # niet-ontvankelijk (too late without excuse, say)
    WITHDRAWN = "withdrawn"


OUTCOME_LABELS = {ObjectionOutcome.WELL_FOUNDED: "gegrond", ObjectionOutcome.PARTLY: "gedeeltelijk gegrond",
                  ObjectionOutcome.UNFOUNDED: "ongegrond", ObjectionOutcome.INADMISSIBLE: "niet-ontvankelijk",
                  ObjectionOutcome.WITHDRAWN: "ingetrokken"}


class Objection(TenantMixin, TimestampMixin, db.Model):
    """A bezwaar against one of our besluiten, or a beroep: received (on time or not, against the
    bezwaar term from the dispatch date), the hearing, the outcome and the new decision if any.
    Listed for the annual report (art. 1.1a j)."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    letter_id: Mapped[int] = mapped_column(sa.ForeignKey("letters.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    received_on: Mapped[date] = mapped_column(nullable=False)
    incoming_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_documents.id"))
    grounds: Mapped[str] = mapped_column(sa.Text, nullable=False)
    late: Mapped[bool] = mapped_column(default=False, nullable=False)  # received after the term's last day
    court: Mapped[str | None] = mapped_column(sa.String(200))  # beroep: which court
    hearing_on: Mapped[date | None] = mapped_column()  # hoorzitting (Awb 7:2) or court session
    hearing_notes: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    decided_on: Mapped[date | None] = mapped_column()
    motivation: Mapped[str | None] = mapped_column(sa.Text)
    new_decision: Mapped[str | None] = mapped_column(sa.Text)
    decision_letter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("letters.id"))
    recorded_by: Mapped[str] = mapped_column(sa.String(200), nullable=False)

    letter = relationship("Letter", foreign_keys=[letter_id])
    decision_letter = relationship("Letter", foreign_keys=[decision_letter_id])

    @property
    def outcome_label(self) -> str | None:
        """Dutch: the API gives it and the decision on bezwaar (a legal text) says it; pages translate it."""
        return OUTCOME_LABELS[ObjectionOutcome(self.outcome)] if self.outcome else None


# The Dutch labels pages show (translated where they are looked up), for the catalog.
register_messages(lambda: [*TEMPLATE_STATUS_LABELS.values(), *CHANNEL_LABELS.values(), *INCOMING_LABELS.values(),
                           *OUTCOME_LABELS.values()])
