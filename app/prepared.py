"""Prepared statements for the shopper's hot path, run on the database driver directly.

A shopper's page runs three to five small SELECTs. Through the ORM session each cost
about 15 µs of SQLAlchemy's execution machinery on top of 2 µs in the driver, and the
session's checkout, BEGIN and teardown another 40 µs per request: more than the rest
of the page. Here a Core statement is compiled once per dialect (SQL text, order of its
parameters, SQLAlchemy's own bind and result converters) and then run on the driver's
cursor, so that the statements stay typed, portable SQLAlchemy while running at driver
speed.

Which connection runs them:
- inside :func:`write_transaction`, its connection;
- inside a transaction of the session (a write begun by :func:`app.db.begin_write`, or
  ORM work under way), that transaction's connection, so a service reads what it has
  just written;
- otherwise, in a request, one pooled connection per request in autocommit mode, given
  back when the request ends: reads open no transaction and hold no lock;
- outside a request (CLI, tests), a pooled connection borrowed for the one statement.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

from .db import begin_write, write_gate
from .extensions import db

READER_KEY = "rallye.reader"  # the request's reading connection, in the WSGI environ
# The connection of a running write_transaction() in this thread, with its dialect.
_writer: ContextVar[tuple[Any, Dialect] | None] = ContextVar("rallye_writer", default=None)


@dataclass(frozen=True, slots=True)
class Compiled:
    """One statement compiled for one dialect."""

    sql: str
    names: tuple[str, ...] | None  # parameter order for positional drivers (SQLite)
    defaults: Mapping[str, Any]  # values the statement carries itself (LIMIT 1, ...)
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]
    results: tuple[tuple[int, Callable[[Any], Any]], ...]

    def parameters(self, params: Mapping[str, Any]) -> Any:
        """The driver's parameters: converted, in order for positional drivers."""
        values = {**self.defaults, **params} if self.defaults else dict(params)
        for name, convert in self.binds:
            values[name] = convert(values[name])
        if self.names is None:
            return values
        return tuple(values[name] for name in self.names)

    def convert(self, rows: list[Any]) -> list[tuple[Any, ...]]:
        """Rows with SQLAlchemy's result converters applied (dates, booleans...).

        A value equal to the one above it in its column is converted once: a join repeats
        its one side on every row (the card page's rally on each stamp), and converting
        a date costs more than comparing its text. Converters are pure, and their results
        immutable (JSON columns are refused by :func:`compile_for`), so rows may share them.
        """
        if not self.results:
            return rows
        if len(rows) == 1:
            values = list(rows[0])
            for index, convert in self.results:
                values[index] = convert(values[index])
            return [tuple(values)]
        converted = []
        above: dict[int, tuple[Any, Any]] = {}  # column -> (raw, converted) of the row above
        for row in rows:
            values = list(row)
            for index, convert in self.results:
                raw = values[index]
                seen = above.get(index)
                if seen is not None and seen[0] == raw:
                    values[index] = seen[1]
                else:
                    values[index] = value = convert(raw)
                    above[index] = (raw, value)
            converted.append(tuple(values))
        return converted


def compile_for(statement: ClauseElement, dialect: Dialect) -> Compiled:
    """Compile ``statement`` for ``dialect`` with the converters its column types need.

    Only plain statements are accepted: no expanding ``IN`` lists or parameters that
    SQLAlchemy renders into the SQL text at execution time.
    """
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler):
        raise TypeError("only SQL statements can be prepared")
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("statement needs SQLAlchemy's execution-time rendering")
    if compiled.escaped_bind_names:
        raise ValueError("statement has bind names the driver cannot take as they are")
    binds = []
    defaults = {}
    for name, bind in compiled.binds.items():
        if bind.expanding:
            raise ValueError("expanding parameters are not supported")
        if not bind.required:
            defaults[name] = bind.effective_value
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            binds.append((name, convert))
    results = []
    for index, column in enumerate(statement.exported_columns):  # type: ignore[attr-defined]
        if isinstance(column.type, JSON):
            raise ValueError("JSON results are mutable; read them through SQLAlchemy")
        convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if convert is not None:
            results.append((index, convert))
    names = tuple(compiled.positiontup or ()) if compiled.positional else None
    return Compiled(compiled.string, names, defaults, tuple(binds), tuple(results))


class Prepared:
    """A Core statement run straight on the driver (see the module's notes)."""

    __slots__ = ("by_dialect", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self.by_dialect: dict[str, Compiled] = {}

    def run(self, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Execute and return every row (as tuples, converted like SQLAlchemy's)."""
        connection, dialect, borrowed = driver_connection()
        try:
            compiled = self.by_dialect.get(dialect.name)
            if compiled is None:
                compiled = self.by_dialect[dialect.name] = compile_for(self.statement, dialect)
            cursor = connection.cursor()
            try:
                cursor.execute(compiled.sql, compiled.parameters(params or {}))
                rows = cursor.fetchall()
            finally:
                cursor.close()
        finally:
            if borrowed is not None:
                give_back(borrowed)
        return compiled.convert(rows)

    def first(self, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        """The first row, or ``None``."""
        rows = self.run(params)
        return rows[0] if rows else None

    def scalar(self, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row, or ``None``."""
        rows = self.run(params)
        return rows[0][0] if rows else None


@contextmanager
def write_transaction() -> Iterator[None]:
    """A short write transaction of prepared statements, without the ORM session.

    For the one write on every tap (the stamp). The statements run inside the block
    commit together when it ends, or roll back if it raises. In a request it runs on the
    request's reading connection, so that a thread never holds two pooled connections
    (threads waiting for a second one could take the whole pool). On an SQLite file the
    writer first passes the write gate and takes the write lock at once (BEGIN
    IMMEDIATE), as :func:`app.db.begin_write` does for the session.
    """
    if _session_in_transaction():
        # ORM work is under way in this thread: write in the session's transaction, as
        # begin_write() does it, so that nothing waits for a lock this thread holds.
        begin_write()
        try:
            yield
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return
    in_request = has_request_context()
    fairy = request_reader() if in_request else borrow()
    driver, dialect = fairy.driver_connection, db.engine.dialect
    gate = write_gate(db.engine)
    try:
        if gate is not None:
            gate.acquire()
        try:
            _autocommit(fairy, False)
            if dialect.name == "sqlite":
                driver.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
            token = _writer.set((driver, dialect))
            try:
                yield
            except BaseException:
                driver.rollback()  # type: ignore[union-attr]
                raise
            else:
                driver.commit()  # type: ignore[union-attr]
            finally:
                _writer.reset(token)
                _autocommit(fairy, True)
        finally:
            if gate is not None:
                gate.release()
    finally:
        if not in_request:
            give_back(fairy)


def driver_connection() -> tuple[Any, Dialect, PoolProxiedConnection | None]:
    """The driver connection to run on now and its dialect (see the module's notes), and
    the pooled connection to give back after the statement, if it was borrowed for it."""
    if (writer := _writer.get()) is not None:
        return (*writer, None)
    dialect = db.engine.dialect
    if _session_in_transaction():
        return db.session.connection().connection.driver_connection, dialect, None
    if not has_request_context():
        # Outside a request nothing would give a kept connection back: borrow one for the
        # statement only (CLI commands and tests; a thread never holds two that way).
        fairy = borrow()
        return fairy.driver_connection, dialect, fairy
    return request_reader().driver_connection, dialect, None


def _session_in_transaction() -> bool:
    """Whether this thread's ORM session exists and is in a transaction (without making
    a session just to ask)."""
    registry = db.session.registry
    return registry.has() and registry().in_transaction()


def request_reader() -> PoolProxiedConnection:
    """The request's reading connection, borrowed from the pool on first use."""
    environ = request.environ
    reader: PoolProxiedConnection | None = environ.get(READER_KEY)
    if reader is None:
        reader = environ[READER_KEY] = borrow()
    return reader


def borrow() -> PoolProxiedConnection:
    """A pooled connection for reading, in autocommit mode."""
    fairy = db.engine.raw_connection()
    _autocommit(fairy, True)
    return fairy


def give_back(fairy: PoolProxiedConnection) -> None:
    """Return a connection of :func:`borrow` to the pool in the state the pool expects."""
    try:
        _autocommit(fairy, False)
    finally:
        fairy.close()


def _autocommit(fairy: PoolProxiedConnection, on: bool) -> None:
    """Switch a PostgreSQL connection between autocommit and transactions.

    SQLite connections of this app are in autocommit already (``isolation_level=None``,
    see :mod:`app.db`) and open their transactions with an explicit BEGIN. The pool
    expects PostgreSQL connections back in transaction mode.
    """
    if db.engine.dialect.name == "postgresql":
        fairy.driver_connection.autocommit = on  # type: ignore[union-attr]


def release_reader(_exc: BaseException | None = None) -> None:
    """Give the request's reading connection back to the pool (at the end of a request,
    and before the session writes: a thread never holds two pooled connections)."""
    if not has_request_context():
        return
    fairy = request.environ.pop(READER_KEY, None)
    if fairy is not None:
        give_back(fairy)


def init_app(app: Flask) -> None:
    """Give every request's reading connection back when the request ends."""
    app.teardown_request(release_reader)
