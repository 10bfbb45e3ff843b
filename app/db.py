"""Database plumbing: SQLite pragmas, write transactions, and a UTC datetime column type."""

import fcntl
import os
import sqlite3
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.types import TypeDecorator

from .extensions import db

# Execution option that makes SQLite open the transaction with BEGIN IMMEDIATE.
IMMEDIATE = "sqlite_begin_immediate"


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Tune every new SQLite connection: WAL, a busy timeout, enforced foreign keys.

    The driver's own transaction handling is switched off (``isolation_level = None``) so
    that :func:`_sqlite_on_begin` decides how each transaction starts.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn: Connection) -> None:
    """Start SQLite transactions ourselves: IMMEDIATE for writes, DEFERRED for reads.

    A deferred transaction that later writes must upgrade its lock and fails at once with
    "database is locked" when another writer got in between; taking the write lock at the
    start makes writers queue on the busy timeout instead.
    """
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get(IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class WriteGate:
    """Queues the write transactions on one SQLite file: threads on a lock, processes on flock.

    SQLite lets one writer in at a time. A writer that finds the lock taken waits in its
    busy handler, which sleeps 1, 2, 5 ... up to 100 ms between attempts and lets any
    newcomer overtake: under a burst of taps a few requests waited a second. Here the
    threads of a process queue on a ``threading.Lock`` and the processes (gunicorn
    workers) on an exclusive ``flock`` of a file beside the database; both wake the next
    writer the moment the lock is free. The kernel drops the flock of a killed process.
    SQLite's own locking still guards everything, so a writer that does not pass the gate
    (a CLI command, a backup) is merely back to the busy timeout.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.thread_lock = threading.Lock()
        self.fd: int | None = None
        self.pid = 0

    def _file(self) -> int:
        """The lock file's descriptor, opened once per process (never inherited by a fork,
        whose flock would be the parent's)."""
        if self.fd is None or self.pid != os.getpid():
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self.pid = os.getpid()
        return self.fd

    def acquire(self, timeout: float = 10.0) -> None:
        """Wait for this process's turn, then for the database's.

        A thread that waits longer than ``timeout`` seconds (SQLite's busy timeout) gives
        up with ``TimeoutError``, as SQLite would with "database is locked".
        """
        if not self.thread_lock.acquire(timeout=timeout):
            raise TimeoutError("the database's write gate stayed closed")
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX)
        except BaseException:
            self.thread_lock.release()
            raise

    def release(self) -> None:
        """Let the next writer in."""
        try:
            fcntl.flock(self._file(), fcntl.LOCK_UN)
        finally:
            self.thread_lock.release()


_gates: dict[str, WriteGate] = {}
_gates_lock = threading.Lock()


def write_gate(engine: Engine) -> WriteGate | None:
    """The gate of an SQLite file database; ``None`` for PostgreSQL and in-memory SQLite."""
    url = engine.url
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if url.query.get("uri") == "true":  # sqlite:///file:/path/db?uri=true
        if url.query.get("mode") == "memory":
            return None
        database = unquote(database.removeprefix("file:"))
    path = os.path.abspath(database) + "-writelock"
    with _gates_lock:
        return _gates.setdefault(path, WriteGate(path))


@event.listens_for(Session, "after_transaction_end")
def _open_gate(session: Session, transaction: SessionTransaction) -> None:
    """Release the write gate once the outermost transaction has committed or rolled back."""
    if transaction.parent is None and (gate := session.info.pop("write_gate", None)):
        gate.release()


def begin_write() -> None:
    """Open the session's transaction as a write transaction.

    Call it first in a service that writes. Any read transaction still open is ended, so
    the write transaction sees the newest data and holds SQLite's write lock from its start;
    the request's connection for prepared reads goes back to the pool (later reads run in
    the session's transaction).
    On an SQLite file, the writer first passes the :class:`WriteGate`; the gate opens again
    when the transaction ends, however it ends.
    """
    from .prepared import release_reader  # (prepared builds on this module)

    release_reader()
    session = db.session()
    if session.in_transaction():
        session.commit()
    gate = write_gate(db.engine)
    if gate is not None:
        gate.acquire()
        session.info["write_gate"] = gate
    try:
        session.connection(execution_options={IMMEDIATE: True})
    except BaseException:
        if session.info.pop("write_gate", None):
            gate.release()  # type: ignore[union-attr]
        raise


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
