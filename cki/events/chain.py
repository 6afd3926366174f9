"""Hash chains over the event log and the read log, per CKI (tamper evidence).

An operation writes its entry as an ordinary row of its transaction (committed with the change it
records, or not at all). The entry is *sealed* afterwards by :func:`seal`, a scheduled job
(``LOG_SEAL_SECONDS``) and ``flask events seal``: per chain (one log of one CKI), under a lock on
the chain's head (one row per log and CKI, ``SELECT … FOR UPDATE``, so two sealers take turns), it
gives every unsealed entry in the order written its number in the chain, the hash of the entry
before and its own hash, and moves the head. Writers never wait for each other on the chain; this
is how verifiable logs that take many writers are built (an integration step after the write, as
in Certificate Transparency's logs).

The app's database role may INSERT an entry (without chain columns) and SELECT, and UPDATE only the
three chain columns, of an entry not sealed yet; the database refuses every other change
(README > Production). The chain shows whether anyone who could rewrite the log (a database owner)
did: :func:`verify` recomputes every hash, reports the first broken link and the entries still
waiting for their seal (``flask events verify``).
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cki.core.db import db
from cki.events.models import CHAINED_LOGS, ChainedLog, ChainHead

#: The ``prev_hash`` of a chain's first entry.
GENESIS = "0" * 64
#: Entries sealed per transaction: a long backlog (after a restore) is sealed in steps, each committed.
SEAL_BATCH = 2000


def _plain(value):
    """A value as the hash sees it: JSON's types (what the database gives back), times in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def digest(log: str, content: Mapping, chain_seq: int, prev_hash: str) -> str:
    """SHA-256 over an entry's content (its log's ``HASHED`` columns), its place in the chain and the
    hash before it."""
    values = {name: _plain(value) for name, value in content.items()}
    values.update(log=log, chain_seq=chain_seq, prev_hash=prev_hash)
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_digest(entry: ChainedLog) -> str:
    """The hash a sealed entry should carry."""
    return digest(entry.__tablename__, {name: getattr(entry, name) for name in entry.HASHED}, entry.chain_seq,
                  entry.prev_hash)


def storable(entry: ChainedLog) -> ChainedLog:
    """``entry`` with its JSON content as the database stores and returns it (dates as text), so
    what is hashed later is what was written."""
    for name in entry.HASHED:
        value = getattr(entry, name)
        if isinstance(value, dict | list):
            setattr(entry, name, json.loads(json.dumps(value, default=str)))
    return entry


# -- sealing --------------------------------------------------------------------------------------

_HEADS = ChainHead.__table__
_HEAD_FOR_UPDATE = (sa.select(_HEADS.c.chain_seq, _HEADS.c.entry_hash)
                    .where(_HEADS.c.log == sa.bindparam("log"), _HEADS.c.cki_id == sa.bindparam("cki_id"))
                    .with_for_update())
_MOVE_HEAD = (_HEADS.update().where(_HEADS.c.log == sa.bindparam("head_log"),
                                    _HEADS.c.cki_id == sa.bindparam("head_cki_id"))
              .values(chain_seq=sa.bindparam("head_seq"), entry_hash=sa.bindparam("head_hash")))


def _locked_head(connection, log: str, cki_id: int) -> tuple[int, str]:
    key = {"log": log, "cki_id": cki_id}
    head = connection.execute(_HEAD_FOR_UPDATE, key).first()
    if head is None:  # the chain's first seal; another sealer may make the head at the same moment
        dialect = {"postgresql": postgresql, "sqlite": sqlite}[connection.dialect.name]
        connection.execute(dialect.insert(_HEADS).values(log=log, cki_id=cki_id, chain_seq=0, entry_hash=GENESIS)
                           .on_conflict_do_nothing())
        head = connection.execute(_HEAD_FOR_UPDATE, key).first()
    return head.chain_seq, head.entry_hash


@functools.cache
def _seal_statement(table):
    return (table.update()
            .where(table.c.id == sa.bindparam("entry_id"), table.c.chain_seq.is_(None))
            .values(chain_seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev"), entry_hash=sa.bindparam("hash")))


def _seal_some(model: type[ChainedLog], cki_id: int, limit: int) -> int:
    """Seal up to ``limit`` unsealed entries of one chain, oldest first; the caller commits."""
    table, log = model.__table__, model.__tablename__
    connection = db.session.connection()
    seq, prev = _locked_head(connection, log, cki_id)
    rows = connection.execute(
        sa.select(table.c.id, *(table.c[name] for name in model.HASHED))
        .where(table.c.cki_id == cki_id, table.c.chain_seq.is_(None)).order_by(table.c.id).limit(limit)).all()
    if not rows:
        return 0
    params = []
    for row in rows:
        seq += 1
        entry_hash = digest(log, {name: row._mapping[name] for name in model.HASHED}, seq, prev)
        params.append({"entry_id": row.id, "seq": seq, "prev": prev, "hash": entry_hash})
        prev = entry_hash
    sealed = connection.execute(_seal_statement(table), params).rowcount
    if sealed != len(params):  # cannot happen under the head's lock: say so rather than leave a gap
        raise RuntimeError(f"{log}, CKI {cki_id}: {sealed} of {len(params)} entries sealed")
    connection.execute(_MOVE_HEAD, {"head_log": log, "head_cki_id": cki_id, "head_seq": seq, "head_hash": prev})
    return len(params)


def seal(batch: int = SEAL_BATCH) -> int:
    """Seal every entry written so far, chain by chain, committing every ``batch`` entries (a
    crash loses no entry: what was not sealed is sealed by the next run). Returns how many."""
    total = 0
    for model in CHAINED_LOGS:
        table = model.__table__
        ckis = db.session.scalars(sa.select(table.c.cki_id).where(table.c.chain_seq.is_(None))
                                  .distinct().order_by(table.c.cki_id)).all()
        db.session.commit()
        for cki_id in ckis:
            while True:
                sealed = _seal_some(model, cki_id, batch)
                db.session.commit()
                total += sealed
                if sealed < batch:
                    break
    return total


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
    #: Entries written but not sealed yet, and when the oldest of them was written.
    unsealed: int = 0
    oldest_unsealed: datetime | None = None


def _entries(model, cki_id) -> Iterator[ChainedLog]:
    stmt = (sa.select(model).where(model.cki_id == cki_id, model.chain_seq.is_not(None))
            .order_by(model.chain_seq))
    yield from db.session.scalars(stmt.execution_options(yield_per=2000))


def _unsealed(model, cki_id) -> tuple[int, datetime | None]:
    written = getattr(model, model.WRITTEN_AT)
    count, oldest = db.session.execute(sa.select(sa.func.count(), sa.func.min(written))
                                       .where(model.cki_id == cki_id, model.chain_seq.is_(None))).one()
    return count, oldest


def verify_chain(model, cki_id: int) -> ChainReport:
    """Walk one chain from its start: every number in order, every entry pointing at the hash of
    the one before, every hash matching its entry's content, the last one matching the head. Stops
    at the first broken link; counts the entries not sealed yet."""
    log = model.__tablename__
    unsealed = _unsealed(model, cki_id)
    expected_seq, prev, count = 1, GENESIS, 0
    for entry in _entries(model, cki_id):
        count += 1
        problem = None
        if entry.chain_seq != expected_seq:
            problem = (f"schakel {expected_seq} ontbreekt (verwijderd?); volgende is {entry.chain_seq}"
                       if entry.chain_seq > expected_seq else "dubbel nummer in de keten")
        elif entry.prev_hash != prev:
            problem = "verwijst niet naar de hash van de vorige regel (ingevoegd of vervangen?)"
        elif entry_digest(entry) != entry.entry_hash:
            problem = "de inhoud past niet bij de opgeslagen hash (na het schrijven gewijzigd)"
        if problem:
            return ChainReport(log, cki_id, count, Break(log, cki_id, entry.id, expected_seq, problem), *unsealed)
        expected_seq, prev = expected_seq + 1, entry.entry_hash
    head = db.session.execute(sa.select(ChainHead.chain_seq, ChainHead.entry_hash).where(
        ChainHead.log == log, ChainHead.cki_id == cki_id)).first()
    if head is not None and (head.chain_seq, head.entry_hash) != (expected_seq - 1, prev):
        missing = head.chain_seq - (expected_seq - 1)
        reason = (f"de laatste {missing} regel(s) van de keten ontbreken (verwijderd?)" if missing > 0 else
                  "het einde van de keten past niet bij de opgeslagen kop")
        return ChainReport(log, cki_id, count, Break(log, cki_id, None, expected_seq, reason), *unsealed)
    return ChainReport(log, cki_id, count, None, *unsealed)


def verify() -> list[ChainReport]:
    """Every chain of every log, per CKI."""
    reports = []
    for model in CHAINED_LOGS:
        for cki_id in db.session.scalars(sa.select(model.cki_id).distinct().order_by(model.cki_id)):
            reports.append(verify_chain(model, cki_id))
    return reports
