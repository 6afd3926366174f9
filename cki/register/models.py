import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cki.core.db import TenantMixin, TimestampMixin, UTCDateTime, db


class RegisterMessage(TenantMixin, TimestampMixin, db.Model):
    """Outbox for the SCA certificate register (B/C §10): every grant (with its PDF), withdrawal and
    expiry. Written in the same transaction as the change, so none is lost. Delivered by the
    register job through the configured transport (e-mail with the PDF, or signed HTTPS), in order
    per certificate, retried with backoff and parked after too many failures; or, without a
    transport, fetched and acknowledged by the register's API client."""

    __tablename__ = "register_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id"), index=True)
    #: A message about an application (a project location's permission request) names its dossier.
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # granted | withdrawn | expired
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    acknowledged_at = mapped_column(UTCDateTime)
    #: queued (to deliver), delivered, parked (gave up after REGISTER_MAX_ATTEMPTS; staff retry)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(nullable=False, default=0, server_default="0")
    next_attempt_at = mapped_column(UTCDateTime)
    delivered_at = mapped_column(UTCDateTime)
    transport: Mapped[str | None] = mapped_column(sa.String(10))  # how it went: email, https, or api (fetched)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    #: The office confirms the registration with the register's own reference (a task until done).
    register_reference: Mapped[str | None] = mapped_column(sa.String(100))
    confirmed_at = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(sa.String(200))
    #: The certificate's PDF as it read when the message was written (a grant, a change of the data
    #: printed on it); loaded only when sent.
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)

    certificate = relationship("Certificate")
