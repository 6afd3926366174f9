"""Hash chains over the event log and the read log, per CKI (tamper evidence).

Entries are not written when an operation logs them but when its transaction commits: the
commit hook takes the CKI's chain lock (on PostgreSQL a transaction-scoped advisory lock per log
and CKI, held only from here to the commit; SQLite runs one writer at a time anyway), reads the
chain's head, and writes the queued entries, each with its number in the chain, the hash of the
entry before and its own hash. Entries logged in a savepoint that rolls back are dropped with it.

The app's database role may only INSERT and SELECT these tables (README > Production), so it
cannot rewrite them; the chain shows whether anyone who could (a database owner) did:
:func:`verify` recomputes every hash and reports the first broken link (``flask events verify``).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm

from cki.core.db import db, utcnow
from cki.events.models import CHAINED_LOGS, ChainedLog

#: The ``prev_hash`` of a chain's first entry.
GENESIS = "0" * 64
#: ``session.info`` key: entries waiting for the commit, with the transaction they belong to.
_QUEUE = "cki.chained_log_queue"
#: First key of the advisory lock per (log, CKI); the second is the CKI's id.
_LOCK_KEYS = {model.__tablename__: 0x63686E00 + n for n, model in enumerate(CHAINED_LOGS)}


def _plain(value):
    """A value as the hash sees it: JSON's types (what the database gives back), times in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def digest(entry: ChainedLog, prev_hash: str) -> str:
    """SHA-256 over the entry's content, its place in the chain and the hash before it."""
    content = {name: _plain(getattr(entry, name)) for name in entry.HASHED}
    content.update(log=entry.__tablename__, chain_seq=entry.chain_seq, prev_hash=prev_hash)
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def queue(entry: ChainedLog) -> ChainedLog:
    """Write ``entry`` when the current transaction commits (see the module docstring)."""
    session = db.session()
    session.connection()  # the entry belongs to this transaction: begin it if it has not begun
    for name in entry.HASHED:  # store exactly what is hashed: JSON as the database returns it
        value = getattr(entry, name)
        if isinstance(value, dict | list):
            setattr(entry, name, json.loads(json.dumps(value, default=str)))
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_QUEUE, []).append((entry, transaction))
    return entry


@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _drop_rolled_back(session, previous_transaction):
    queued = session.info.get(_QUEUE)
    if not queued:
        return
    if not previous_transaction.nested:  # the whole transaction: nothing of it is written
        session.info.pop(_QUEUE, None)
        return
    session.info[_QUEUE] = [(entry, t) for entry, t in queued if not _within(t, previous_transaction)]


def _within(transaction, outer) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@sa.event.listens_for(sa.orm.Session, "before_commit")
def _write_queued(session):
    if session.in_nested_transaction() or not session.info.get(_QUEUE):
        return
    queued = [entry for entry, _ in session.info.pop(_QUEUE)]
    groups: dict[tuple[str, int], list[ChainedLog]] = {}
    for entry in queued:
        groups.setdefault((entry.__tablename__, entry.cki_id), []).append(entry)
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    for (table, cki_id), entries in sorted(groups.items()):  # one lock order for all: no deadlock
        model = type(entries[0])
        if postgres:
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEYS[table], cki_id)))
        head = connection.execute(sa.select(model.chain_seq, model.entry_hash).where(model.cki_id == cki_id)
                                  .order_by(model.chain_seq.desc()).limit(1)).first()
        seq, prev = head if head is not None else (0, GENESIS)
        for entry in entries:
            for name in ("created_at", "read_at"):
                if name in entry.HASHED and getattr(entry, name) is None:
                    setattr(entry, name, utcnow())
            seq += 1
            entry.chain_seq, entry.prev_hash = seq, prev
            entry.entry_hash = prev = digest(entry, prev)
        session.add_all(entries)
    session.flush()


# -- verification ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Break:
    """The first broken link of one chain."""

    log: str
    cki_id: int
    entry_id: int | None
    chain_seq: int
    reason: str

    def __str__(self) -> str:
        where = f"regel {self.entry_id}" if self.entry_id is not None else "ontbrekende regel"
        return f"{self.log}, CKI {self.cki_id}, schakel {self.chain_seq} ({where}): {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    log: str
    cki_id: int
    entries: int
    broken: Break | None


def _entries(model, cki_id) -> Iterator[ChainedLog]:
    stmt = sa.select(model).where(model.cki_id == cki_id).order_by(model.chain_seq)
    yield from db.session.scalars(stmt.execution_options(yield_per=2000))


def verify_chain(model, cki_id: int) -> ChainReport:
    """Walk one chain from its start: every number in order, every entry pointing at the hash of
    the one before, every hash matching its entry's content. Stops at the first broken link."""
    expected_seq, prev, count = 1, GENESIS, 0
    for entry in _entries(model, cki_id):
        count += 1
        problem = None
        if entry.chain_seq != expected_seq:
            problem = (f"schakel {expected_seq} ontbreekt (verwijderd?); volgende is {entry.chain_seq}"
                       if entry.chain_seq > expected_seq else "dubbel nummer in de keten")
        elif entry.prev_hash != prev:
            problem = "verwijst niet naar de hash van de vorige regel (ingevoegd of vervangen?)"
        elif digest(entry, entry.prev_hash) != entry.entry_hash:
            problem = "de inhoud past niet bij de opgeslagen hash (na het schrijven gewijzigd)"
        if problem:
            return ChainReport(model.__tablename__, cki_id, count, Break(
                model.__tablename__, cki_id, entry.id, expected_seq, problem))
        expected_seq, prev = expected_seq + 1, entry.entry_hash
    return ChainReport(model.__tablename__, cki_id, count, None)


def verify() -> list[ChainReport]:
    """Every chain of every log, per CKI."""
    reports = []
    for model in CHAINED_LOGS:
        for cki_id in db.session.scalars(sa.select(model.cki_id).distinct().order_by(model.cki_id)):
            reports.append(verify_chain(model, cki_id))
    return reports
