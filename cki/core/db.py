"""One database layer for SQLite (embedded default) and PostgreSQL (production)."""
import functools
from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, make_transient_to_detached, mapped_column

# Stable constraint names so Alembic batch migrations work on SQLite too.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


# A session lives for one request or job: after its commit the objects are still what was just
# written, so they are not reloaded (one query per object saved on every API answer).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True)


def insert_loaded(obj, *, unless_conflict: bool = False, children: Sequence[tuple[object, str]] = ()):
    """Write a new object with one prebuilt INSERT and keep it in the session as if just loaded.

    For hot write paths (melding intake): the unit of work's bookkeeping for a row that is only
    written costs more than the round trip. Unset columns get their default or None, so no
    attribute is left to lazy-load; set relationships (a collection, say) only afterwards, when
    their objects are in the session too, or the session would insert them a second time. If
    the (sub)transaction rolls back, the object leaves the session, as a flushed one would.

    ``unless_conflict``: a row that would break a unique index is not written (``ON CONFLICT DO
    NOTHING``, waiting for a concurrent writer of that key to commit first); then None is returned,
    and no child is written either.
    ``children``: new objects, each with the name of its attribute that refers to this one (a first
    revision, the event-log entry); on PostgreSQL all rows are written in one statement
    (data-modifying CTEs), elsewhere one after the other."""
    session = db.session()
    session.flush()  # the INSERT does not autoflush: pending rows it may refer to go first
    connection = session.connection()
    dialect = connection.dialect.name
    plan = _insert_plan(type(obj), dialect if unless_conflict else None)
    values = _values(obj, plan)
    if children and dialect == "postgresql":
        family = _family_plan(type(obj), tuple((type(child), key) for child, key in children),
                              dialect if unless_conflict else None)
        params = {f"p_{k}": v for k, v in values.items()}
        for n, (child, key) in enumerate(children):
            params.update({f"c{n}_{k}": v for k, v in _values(child, _insert_plan(type(child)), skip=key).items()})
        row = connection.execute(family, params).first()
        if row is None:
            return None
        for (child, key), child_id in zip(children, row[1:], strict=True):
            setattr(child, key, row[0])
            _loaded(session, child, plan_of=_insert_plan(type(child)), new_id=child_id)
        return _loaded(session, obj, plan_of=plan, new_id=row[0])
    new_id = connection.execute(plan[0], values).scalar()
    if new_id is None:
        return None
    loaded = _loaded(session, obj, plan_of=plan, new_id=new_id)
    for child, key in children:
        setattr(child, key, new_id)
        insert_loaded(child)
    return loaded


def _values(obj, plan, skip: str | None = None) -> dict:
    """The row of a new object: its attributes, defaults filled in (so none is left to lazy-load)."""
    values = {}
    for attribute, column, default in plan[2]:
        if attribute not in obj.__dict__:
            setattr(obj, attribute, None if default is None else default.arg(None) if default.is_callable else default.arg)
        if attribute != skip:
            values[column] = getattr(obj, attribute)
    return values


def _loaded(session, obj, *, plan_of, new_id):
    """``obj`` written with key ``new_id``: in the session as if loaded, and out of it again if its
    (sub)transaction rolls back."""
    setattr(obj, plan_of[1], new_id)
    stale = session.identity_map.get(sa.orm.util.identity_key(instance=obj))
    if stale is not None:  # a row of a rolled-back savepoint whose id the database gave out again
        session.expunge(stale)
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_WRITTEN, []).append((obj, transaction))
    return attach_loaded(obj)


def attach_loaded(obj):
    """Put an object built from a row written or read with Core into the session as if the ORM
    had loaded it; if the session holds that row already, that object is the one."""
    held = db.session.identity_map.get(sa.orm.util.identity_key(instance=obj))
    if held is not None:
        return held
    make_transient_to_detached(obj)
    db.session.add(obj)
    return obj


#: ``session.info`` key: the objects ``insert_loaded`` wrote, with the transaction they were written in.
_WRITTEN = "cki.insert_loaded"


@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _forget_rolled_back_inserts(session, previous_transaction):
    """Rows written in a (sub)transaction that rolled back are gone: so are their objects."""
    kept = []
    for obj, transaction in session.info.pop(_WRITTEN, []):
        if _within(transaction, previous_transaction):
            if obj in session:
                session.expunge(obj)
        else:
            kept.append((obj, transaction))
    if kept:
        session.info[_WRITTEN] = kept


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _forget_committed_inserts(session):
    if not session.in_nested_transaction():  # the outermost commit: those rows stay
        session.info.pop(_WRITTEN, None)


def _within(transaction, outer) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@functools.cache
def _insert_plan(model, unless_conflict_on: str | None = None):
    """INSERT ... RETURNING the key, built (and so compiled) once per model, with its columns
    as (attribute, column, default) but those the database fills. ``unless_conflict_on``: the dialect whose ON CONFLICT DO
    NOTHING the INSERT carries."""
    mapper = sa.inspect(model)
    table = mapper.local_table
    (pk,) = table.primary_key.columns
    # A column the database fills (a server default) is left to the database; its attribute stays
    # unloaded and is read from the row if ever asked for.
    columns = [(mapper.get_property_by_column(column).key, column.key, column.default)
               for column in table.columns if column is not pk and column.server_default is None]
    if unless_conflict_on is None:
        insert = table.insert()
    else:
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[unless_conflict_on](table)
        insert = insert.on_conflict_do_nothing()
    return insert.returning(pk), mapper.get_property_by_column(pk).key, columns


@functools.cache
def _family_plan(parent_model, children: tuple[tuple[type, str], ...], unless_conflict_on: str | None):
    """One PostgreSQL statement writing a row and children of it: ``WITH p AS (INSERT … RETURNING id),
    c0 AS (INSERT … SELECT p.id, … FROM p RETURNING id), … SELECT p.id, c0.id, …``. Parameters are
    ``p_*``, ``c0_*``, ``c1_*`` … (the columns of the tables may share names). No parent row (a
    conflict): no child row, no result row."""
    parent_insert, _, parent_columns = _insert_plan(parent_model, unless_conflict_on)
    parent_table = sa.inspect(parent_model).local_table
    (parent_pk,) = parent_table.primary_key.columns
    parent = (parent_insert.values({column: sa.bindparam(f"p_{column}", type_=parent_table.c[column].type)
                                    for _, column, _ in parent_columns}).cte("parent"))
    ctes = []
    for n, (child_model, child_key) in enumerate(children):
        child_mapper = sa.inspect(child_model)
        child_table = child_mapper.local_table
        (child_pk,) = child_table.primary_key.columns
        fk_column = child_mapper.attrs[child_key].columns[0].key
        names = [column for _, column, _ in _insert_plan(child_model)[2]]
        source = sa.select(*(parent.c[parent_pk.key] if column == fk_column else
                             sa.bindparam(f"c{n}_{column}", type_=child_table.c[column].type) for column in names))
        ctes.append(child_table.insert().from_select(names, source.select_from(parent))
                    .returning(child_pk).cte(f"child{n}"))
    joined = parent
    for cte in ctes:
        joined = joined.join(cte, sa.true())
    return sa.select(parent.c[parent_pk.key], *(cte.c[0] for cte in ctes)).select_from(joined)


def before_slow_io() -> None:
    """Call before talking to a slow server (SMTP, a register). SQLite has one write lock for the
    whole database: what is done so far is committed, so the lock is not held while the server
    answers (the rows stay loaded: ``expire_on_commit`` is off). PostgreSQL keeps the transaction
    and its row locks, so no second sender takes the row meanwhile."""
    if db.engine.dialect.name == "sqlite":
        db.session.commit()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Timestamps are stored in UTC and come back timezone-aware on both databases."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime: pass an aware UTC datetime")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class TenantMixin:
    """A row that holds dossier data belongs to exactly one CKI (the tenant)."""

    cki_id: Mapped[int] = mapped_column(sa.ForeignKey("ckis.id"), index=True, nullable=False)


def configure_sqlite(engine) -> None:
    """SQLite needs WAL and a busy timeout for a web server and a scheduler writing at
    once, and enforces foreign keys only when asked, per connection.

    Transactions are SQLAlchemy's, not pysqlite's (the SQLAlchemy SQLite docs, "Serializable
    isolation / Savepoints / Transactional DDL"): pysqlite emits BEGIN only before an INSERT,
    UPDATE or DELETE, so a SAVEPOINT (``session.begin_nested()``) opened before any write started
    a transaction of its own and releasing it committed: a later rollback left earlier rows stored.
    So the driver is put in autocommit and the "begin" event emits the BEGIN. It is ``BEGIN
    IMMEDIATE``: a request reads (its token) before it writes, and a plain (deferred) BEGIN would
    make that write fail at once with "database is locked" whenever another connection wrote in
    between (the busy timeout does not apply to that case); IMMEDIATE waits for the write lock
    at the start instead, so transactions take turns."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        # Autocommit in the driver: it never emits BEGIN or COMMIT by itself, and these PRAGMAs run
        # outside any transaction (journal_mode cannot be changed inside one).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
