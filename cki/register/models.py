import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cki.core.db import TenantMixin, TimestampMixin, UTCDateTime, db


class RegisterMessage(TenantMixin, TimestampMixin, db.Model):
    """Outbox for the SCA certificate register (B/C §10): every grant (with its PDF), withdrawal and
    expiry. Written in the same transaction as the change, so none is lost; the register's API
    client fetches and acknowledges them."""

    __tablename__ = "register_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # granted | withdrawn | expired
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    acknowledged_at = mapped_column(UTCDateTime)

    certificate = relationship("Certificate")
