"""The two logs a CKI keeps as evidence: the event log (who changed what) and the read log (who
read personal or exposure data, and every read of the read-only reviewer). Both are append-only
and hash-chained per CKI (:mod:`cki.events.chain`)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cki.core.db import TenantMixin, UTCDateTime, db, utcnow


class ChainedLog(TenantMixin):
    """An entry of a log chained by hash per CKI: ``chain_seq`` counts the CKI's entries from 1,
    ``prev_hash`` is the hash of the entry before, ``entry_hash`` the SHA-256 of this entry's
    content and ``prev_hash``. A changed, removed or inserted entry breaks the chain there. The
    three are empty from the write until the entry is sealed (:mod:`cki.events.chain`)."""

    # Left out of the INSERT (the app's role may not write them there; README > Production): empty
    # until the sealer fills them.
    chain_seq: Mapped[int | None] = mapped_column(server_default=sa.FetchedValue())
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64), server_default=sa.FetchedValue())
    entry_hash: Mapped[str | None] = mapped_column(sa.String(64), server_default=sa.FetchedValue())

    #: The columns the hash covers, besides the chain's own (set per log).
    HASHED: tuple[str, ...] = ()
    #: The column that says when the entry was written.
    WRITTEN_AT: str = ""


class EventLogEntry(ChainedLog, db.Model):
    """One entry of the append-only event log of a subject (a dossier, a company, ...)."""

    __tablename__ = "event_log"
    __table_args__ = (sa.Index("ix_event_log_subject", "subject_type", "subject_id", "id"),
                      sa.UniqueConstraint("cki_id", "chain_seq", name="uq_event_log_chain"),
                      sa.Index("ix_event_log_unsealed", "cki_id", "id", postgresql_where=sa.text("chain_seq IS NULL"),
                               sqlite_where=sa.text("chain_seq IS NULL")))

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

    HASHED = ("cki_id", "subject_type", "subject_id", "action", "actor_user_id", "actor_client_id", "actor_label",
              "before", "after", "note", "created_at")
    WRITTEN_AT = "created_at"


class DataAccessLog(ChainedLog, db.Model):
    """The read log: who read personal or exposure data (AVG accountability: logbooks), and every
    page or API answer the read-only reviewer (RvA, inspectorate) read (RULES.md §7, §8)."""

    __tablename__ = "data_access_log"
    __table_args__ = (sa.UniqueConstraint("cki_id", "chain_seq", name="uq_data_access_log_chain"),
                      sa.Index("ix_data_access_log_unsealed", "cki_id", "id",
                               postgresql_where=sa.text("chain_seq IS NULL"), sqlite_where=sa.text("chain_seq IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_label: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    what: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id"))
    detail: Mapped[str | None] = mapped_column(sa.Text)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    HASHED = ("cki_id", "actor_label", "actor_user_id", "what", "company_id", "detail", "read_at")
    WRITTEN_AT = "read_at"


#: Every chained log, for the sealer and ``flask events verify``.
CHAINED_LOGS: tuple[type[ChainedLog], ...] = (EventLogEntry, DataAccessLog)


class ChainHead(db.Model):
    """The last sealed link of one chain (a log of one CKI): its number and hash. Locked (``FOR
    UPDATE``) by the sealer, so entries are numbered one after another; and the end of the chain a
    verification checks the log against (a removed last entry shows)."""

    __tablename__ = "log_chain_heads"

    log: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    cki_id: Mapped[int] = mapped_column(sa.ForeignKey("ckis.id"), primary_key=True)
    chain_seq: Mapped[int] = mapped_column(nullable=False)
    entry_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
