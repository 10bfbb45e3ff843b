"""Database plumbing: SQLite pragmas, write transactions, and a UTC datetime column type."""

import sqlite3
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.types import TypeDecorator

from .extensions import db

# Execution option that makes SQLite open the transaction with BEGIN IMMEDIATE.
IMMEDIATE = "sqlite_begin_immediate"


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(connection: Any, _record: Any) -> None:
    """Tune every new SQLite connection: WAL, a busy timeout, enforced foreign keys.

    The driver's own transaction handling is switched off (``isolation_level = None``) so
    that :func:`_sqlite_on_begin` decides how each transaction starts.
    """
    if not isinstance(connection, sqlite3.Connection):
        return
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn: Connection) -> None:
    """Start SQLite transactions ourselves: IMMEDIATE for writes, DEFERRED for reads
    (SQLAlchemy's documented recipe for pysqlite's transaction handling).

    A deferred transaction that later writes must upgrade its lock and fails at once with
    "database is locked" when another writer got in between; taking the write lock at the
    start makes writers queue on the busy timeout instead.
    """
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get(IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """Open the session's transaction as a write transaction.

    Call it first in a service that writes. A read transaction still open is ended, so
    that the write transaction sees the newest data; on SQLite it starts with
    ``BEGIN IMMEDIATE`` and holds the write lock from its first statement, so writers
    queue on the busy timeout instead of failing on a lock upgrade.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={IMMEDIATE: True})


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always returned timezone-aware (UTC).

    SQLite keeps no zone and PostgreSQL's ``timestamp`` neither; one convention for both
    keeps comparisons in Python and in SQL honest.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC; refuse naive ones (their zone is a guess)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to the stored naive value."""
        return None if value is None else value.replace(tzinfo=UTC)
