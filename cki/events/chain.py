"""Hash chains over the event log and the read log, per CKI (tamper evidence).

Entries are not written when an operation logs them but when its transaction commits: the
commit hook locks the chain's head (one row per log and CKI, ``SELECT … FOR UPDATE``, held only from
here to the commit; SQLite runs one writer at a time anyway), and writes the queued entries, each
with its number in the chain, the hash of the entry before and its own hash, together with the new
head (on PostgreSQL in one statement). Entries logged in a savepoint that rolls back are dropped
with it.

The app's database role may only INSERT and SELECT these tables (README > Production), so it
cannot rewrite them; the chain shows whether anyone who could (a database owner) did:
:func:`verify` recomputes every hash and reports the first broken link (``flask events verify``).
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.dialects import postgresql, sqlite

from cki.core.db import db, utcnow
from cki.events.models import CHAINED_LOGS, ChainedLog, ChainHead

#: The ``prev_hash`` of a chain's first entry.
GENESIS = "0" * 64
#: ``session.info`` key: entries waiting for the commit, with the transaction they belong to.
_QUEUE = "cki.chained_log_queue"


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


_HEADS = ChainHead.__table__
_HEAD_FOR_UPDATE = (sa.select(_HEADS.c.chain_seq, _HEADS.c.entry_hash)
                    .where(_HEADS.c.log == sa.bindparam("log"), _HEADS.c.cki_id == sa.bindparam("cki_id"))
                    .with_for_update())


def _new_head(connection, table: str, cki_id: int) -> None:
    """The head of a chain that has none yet (its first entry); another transaction may make it at
    the same moment, so an existing one is left as it is."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[connection.dialect.name]
    connection.execute(dialect.insert(_HEADS).values(log=table, cki_id=cki_id, chain_seq=0, entry_hash=GENESIS)
                       .on_conflict_do_nothing())


@sa.event.listens_for(sa.orm.Session, "before_commit")
def _write_queued(session):
    if session.in_nested_transaction() or not session.info.get(_QUEUE):
        return
    queued = [entry for entry, _ in session.info.pop(_QUEUE)]
    groups: dict[tuple[str, int], list[ChainedLog]] = {}
    for entry in queued:
        groups.setdefault((entry.__tablename__, entry.cki_id), []).append(entry)
    connection = session.connection()
    for (table, cki_id), entries in sorted(groups.items()):  # one lock order for all: no deadlock
        key = {"log": table, "cki_id": cki_id}
        head = connection.execute(_HEAD_FOR_UPDATE, key).first()
        if head is None:
            _new_head(connection, table, cki_id)
            head = connection.execute(_HEAD_FOR_UPDATE, key).first()
        seq, prev = head
        rows = []
        for entry in entries:
            for name in ("created_at", "read_at"):
                if name in entry.HASHED and getattr(entry, name) is None:
                    setattr(entry, name, utcnow())
            seq += 1
            entry.chain_seq, entry.prev_hash = seq, prev
            entry.entry_hash = prev = digest(entry, prev)
            rows.append({f"entry_{c.key}": getattr(entry, c.key) for c in entry.__table__.c if c.key != "id"})
        _write(connection, type(entries[0]).__table__, rows, key, seq, prev)


def _write(connection, table, rows: list[dict], key: dict, seq: int, entry_hash: str) -> None:
    """The entries and the chain's new head: the last entry and the head in one statement, prebuilt
    once per log (a round trip and a compilation saved on every change the app makes)."""
    head = {"head_log": key["log"], "head_cki_id": key["cki_id"], "head_seq": seq, "head_hash": entry_hash}
    insert, insert_and_move = _statements(table, connection.dialect.name == "postgresql")
    if len(rows) > 1:
        connection.execute(insert, rows[:-1])
    if insert_and_move is not None:
        connection.execute(insert_and_move, {**rows[-1], **head})
    else:  # SQLite has no data-modifying CTE
        connection.execute(insert, rows[-1])
        connection.execute(_MOVE_HEAD, head)


_MOVE_HEAD = (_HEADS.update().where(_HEADS.c.log == sa.bindparam("head_log"),
                                    _HEADS.c.cki_id == sa.bindparam("head_cki_id"))
              .values(chain_seq=sa.bindparam("head_seq"), entry_hash=sa.bindparam("head_hash")))


@functools.cache
def _statements(table, postgres: bool):
    """(INSERT of one entry, the same INSERT moving the head in one statement; None without
    data-modifying CTEs, as on SQLite)."""
    columns = [c for c in table.c if c.key != "id"]
    # Parameters named apart from every column: a parameter named like a column of the head's table
    # would become a SET of the UPDATE beside it.
    insert = table.insert().values({c.key: sa.bindparam(f"entry_{c.key}", type_=c.type) for c in columns})
    if not postgres:
        return insert, None
    written = insert.returning(table.c.id).cte("written")
    return insert, sa.select(written.c.id).add_cte(_MOVE_HEAD.cte("moved"))


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
    head = db.session.execute(sa.select(ChainHead.chain_seq, ChainHead.entry_hash).where(
        ChainHead.log == model.__tablename__, ChainHead.cki_id == cki_id)).first()
    if head is not None and (head.chain_seq, head.entry_hash) != (expected_seq - 1, prev):
        missing = head.chain_seq - (expected_seq - 1)
        reason = (f"de laatste {missing} regel(s) van de keten ontbreken (verwijderd?)" if missing > 0 else
                  "het einde van de keten past niet bij de opgeslagen kop")
        return ChainReport(model.__tablename__, cki_id, count, Break(model.__tablename__, cki_id, None,
                                                                      expected_seq, reason))
    return ChainReport(model.__tablename__, cki_id, count, None)


def verify() -> list[ChainReport]:
    """Every chain of every log, per CKI."""
    reports = []
    for model in CHAINED_LOGS:
        for cki_id in db.session.scalars(sa.select(model.cki_id).distinct().order_by(model.cki_id)):
            reports.append(verify_chain(model, cki_id))
    return reports
