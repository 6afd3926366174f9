from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cki.core.db import TenantMixin, UTCDateTime, db, utcnow


class EventLogEntry(TenantMixin, db.Model):
    """One entry of the append-only event log of a subject (a dossier, a company, ...)."""

    __tablename__ = "event_log"
    __table_args__ = (sa.Index("ix_event_log_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    subject_id: Mapped[int] = mapped_column(nullable=False)
    action: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_clients.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
