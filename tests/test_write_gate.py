"""The SQLite write gate: writers queue on a thread lock and a file lock, and the gate
opens again however their transaction ends."""

import fcntl
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.db import WriteGate, begin_write, write_gate
from app.extensions import db
from app.models import Shop
from app.services.errors import DomainError
from app.services.stamping import StampError, stamp_card

from .helpers import FIRST_DAY, csrf_token, make_rally, make_shop, make_station

WAIT = 5.0  # upper bound for something that should happen at once
PAUSE = 0.2  # how long a writer that must wait is watched not to get through

# Run by a second Python process: try to take the lock file's flock without waiting.
PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("blocked")
else:
    print("acquired")
"""

# Run by a second Python process: hold the flock until a line arrives on stdin.
HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.readline()
"""


def probe_from_other_process(path: str) -> str:
    """``blocked`` or ``acquired``: what another process gets when it tries the flock."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, path], capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout.strip()


def file_locked(path: str) -> bool:
    """Whether the lock file's flock is held (by anyone but a fresh descriptor of ours).

    flock belongs to an open file description, so a second ``open`` in this very process
    competes like another process would.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def gate_open(gate: WriteGate) -> bool:
    """Whether neither a thread nor a process holds the gate."""
    return not gate.thread_lock.locked() and not file_locked(gate.path)


def shops() -> int:
    """Rows of the shop table."""
    return db.session.scalar(select(func.count()).select_from(Shop)) or 0


class Worker(threading.Thread):
    """A thread that hands an exception back to the test instead of losing it."""

    def __init__(self, name: str, work: Callable[[], None]) -> None:
        super().__init__(name=name, daemon=True)
        self.work = work
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.work()
        except BaseException as error:  # handed back by finish()
            self.error = error

    def finish(self) -> None:
        """Wait for the thread and raise what it raised."""
        self.join(WAIT)
        assert not self.is_alive(), f"{self.name} is still running"
        if self.error is not None:
            raise self.error


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` for up to ``WAIT`` seconds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.005)


@pytest.fixture
def gate(app: Flask) -> Iterator[WriteGate]:
    """The gate of the test's SQLite file, open at the start, checked open at the end."""
    found = write_gate(db.engine)
    assert found is not None
    db.session.commit()
    assert gate_open(found)
    yield found
    db.session.remove()
    assert not found.thread_lock.locked(), "a test left the gate closed"


# --- which databases have a gate ----------------------------------------------------------


def test_gate_is_one_per_database_file(app: Flask, tmp_path: Path) -> None:
    database = db.engine.url.database
    assert database is not None
    gate = write_gate(db.engine)
    assert gate is not None
    assert gate.path == os.path.abspath(database) + "-writelock"
    # Every engine on the same file shares the gate; another file has its own.
    same_file = sa.create_engine(db.engine.url)
    other_file = sa.create_engine("sqlite:///" + str(tmp_path / "other.sqlite3"))
    try:
        assert write_gate(same_file) is gate
        other = write_gate(other_file)
        assert other is not None and other is not gate
        assert other.path == str(tmp_path / "other.sqlite3") + "-writelock"
    finally:
        same_file.dispose()
        other_file.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://rallye@localhost/rallye",
        "postgresql+psycopg://rallye:geheim@db.example:5432/rallye",
        "sqlite://",
        "sqlite:///:memory:",
    ],
)
def test_no_gate_for_postgres_or_memory(url: str) -> None:
    engine = sa.create_engine(url)  # no connection is made
    try:
        assert write_gate(engine) is None
    finally:
        engine.dispose()


def test_gate_of_a_uri_filename(tmp_path: Path) -> None:
    """Flask-SQLAlchemy documents ``sqlite:///file:/path?uri=true``; its gate sits beside
    the real file."""
    database = tmp_path / "uri.sqlite3"
    engine = sa.create_engine(f"sqlite:///file:{database}?uri=true")
    try:
        gate = write_gate(engine)
        assert gate is not None
        gate.acquire(timeout=1)
        gate.release()
        assert gate.path == str(database) + "-writelock"
    finally:
        engine.dispose()


def test_no_gate_for_a_shared_memory_uri() -> None:
    engine = sa.create_engine(
        "sqlite:///file:mem?mode=memory&cache=shared&uri=true", poolclass=sa.pool.StaticPool
    )
    try:
        assert write_gate(engine) is None
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_begin_write_on_postgres_takes_no_gate(app: Flask) -> None:
    begin_write()
    assert "write_gate" not in db.session.info
    make_shop()
    db.session.commit()
    assert shops() == 1


# --- the gate opens however the transaction ends ------------------------------------------

ENDINGS: dict[str, Callable[[], None]] = {
    "commit": lambda: db.session.commit(),
    "rollback": lambda: db.session.rollback(),
    "close": lambda: db.session.close(),
    "remove": lambda: db.session.remove(),
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_gate_opens_when_the_transaction_ends(gate: WriteGate, ending: str) -> None:
    begin_write()
    assert db.session.info["write_gate"] is gate
    assert gate.thread_lock.locked()
    assert file_locked(gate.path)
    make_shop()
    ENDINGS[ending]()
    assert gate_open(gate)
    assert "write_gate" not in db.session.info
    assert shops() == (1 if ending == "commit" else 0)


def test_savepoints_keep_the_gate_closed(gate: WriteGate) -> None:
    begin_write()
    with db.session.begin_nested():
        make_shop()
    assert gate.thread_lock.locked()
    with pytest.raises(RuntimeError), db.session.begin_nested():
        make_shop()
        raise RuntimeError("undo the savepoint")
    assert gate.thread_lock.locked()
    db.session.commit()
    assert gate_open(gate)
    assert shops() == 1


class Refused(DomainError):
    """A refusal raised by the test's service."""


def refusing_service() -> None:
    """A service that writes and then refuses, leaving the cleanup to the caller."""
    begin_write()
    make_shop()
    raise Refused("no")


def test_gate_opens_after_a_refusal_once_the_session_is_removed(gate: WriteGate) -> None:
    with pytest.raises(Refused):
        refusing_service()
    # The transaction is still open (the view's teardown ends it), and so is the gate.
    assert gate.thread_lock.locked()
    db.session.remove()
    assert gate_open(gate)
    assert shops() == 0


@pytest.mark.usefixtures("freeze")
def test_gate_opens_after_a_refused_stamp(app: Flask, gate: WriteGate) -> None:
    station = make_station(make_rally(), active=False)
    db.session.commit()
    with pytest.raises(StampError) as excinfo:
        stamp_card(card_secret=None, token=station.token, now=FIRST_DAY)
    assert excinfo.value.code == "inactive_station"
    db.session.remove()
    assert gate_open(gate)


@pytest.mark.usefixtures("freeze")
def test_refused_request_leaves_the_gate_open(app: Flask, gate: WriteGate) -> None:
    """Through the whole stack, in a thread with its own app context per request (as in
    production, where the app context's teardown removes the session)."""
    station = make_station(make_rally(), active=False)
    db.session.commit()
    token = station.token
    db.session.remove()
    statuses: list[int] = []

    def browse() -> None:
        client = FlaskClient(app, app.response_class, use_cookies=True)
        page = client.get("/stempel")
        form = {"csrf_token": csrf_token(page.text)}
        statuses.append(client.post(f"/s/{token}", data=form).status_code)
        statuses.append(client.post(f"/s/{token}", data=form).status_code)

    worker = Worker("browser", browse)
    worker.start()
    worker.finish()
    assert statuses == [409, 409]
    assert gate_open(gate)


def test_failed_start_of_the_transaction_opens_the_gate(
    gate: WriteGate, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = db.session()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise sa.exc.OperationalError("BEGIN IMMEDIATE", {}, Exception("disk I/O error"))

    monkeypatch.setattr(session, "connection", broken)
    with pytest.raises(sa.exc.OperationalError):
        begin_write()
    assert gate_open(gate)
    assert "write_gate" not in session.info


def test_begin_write_twice_commits_and_passes_again(gate: WriteGate) -> None:
    begin_write()
    make_shop()
    start = time.monotonic()
    begin_write()  # would wait for itself if the first gate were not opened
    assert time.monotonic() - start < 2
    assert db.session.info["write_gate"] is gate
    db.session.rollback()
    assert shops() == 1  # the first write was committed by the second begin_write
    assert gate_open(gate)


# --- writers wait for each other ----------------------------------------------------------


def test_second_writer_waits_at_the_gate_until_the_first_commits(
    app: Flask, gate: WriteGate, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    events_lock = threading.Lock()

    def log(event: str) -> None:
        with events_lock:
            events.append(event)

    original = WriteGate.acquire

    def watched(self: WriteGate, timeout: float = 10.0) -> None:
        name = threading.current_thread().name
        log(f"{name} waits")
        original(self, timeout)
        log(f"{name} passes")

    monkeypatch.setattr(WriteGate, "acquire", watched)
    a_holds, a_may_commit = threading.Event(), threading.Event()

    def writer_a() -> None:
        with app.app_context():
            try:
                begin_write()
                make_shop(name="Von A")
                a_holds.set()
                assert a_may_commit.wait(WAIT)
                log("A commits")
                db.session.commit()
            finally:
                db.session.remove()

    def writer_b() -> None:
        with app.app_context():
            try:
                begin_write()
                names = set(db.session.scalars(select(Shop.name)))
                log("B sees A" if "Von A" in names else "B misses A")
                make_shop(name="Von B")
                db.session.commit()
            finally:
                db.session.remove()

    a, b = Worker("A", writer_a), Worker("B", writer_b)
    a.start()
    try:
        assert a_holds.wait(WAIT)
        b.start()
        wait_until(lambda: "B waits" in events)
        time.sleep(PAUSE)
        assert "B passes" not in events
        assert gate.thread_lock.locked() and file_locked(gate.path)
    finally:
        a_may_commit.set()
        a.finish()
        b.finish()
    assert events == ["A waits", "A passes", "B waits", "A commits", "B passes", "B sees A"]
    assert gate_open(gate)
    assert shops() == 2


def test_other_process_is_kept_out_while_the_gate_is_held(gate: WriteGate) -> None:
    begin_write()
    assert probe_from_other_process(gate.path) == "blocked"
    db.session.commit()
    assert probe_from_other_process(gate.path) == "acquired"


def test_writer_waits_for_another_process(app: Flask, gate: WriteGate) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, gate.path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    passed = threading.Event()

    def writer() -> None:
        with app.app_context():
            try:
                begin_write()
                passed.set()
                db.session.commit()
            finally:
                db.session.remove()

    worker = Worker("writer", writer)
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "locked"
        worker.start()
        assert not passed.wait(PAUSE)
    finally:
        if holder.stdin is not None:
            holder.stdin.write("\n")
            holder.stdin.close()
        holder.wait(30)
        if holder.stdout is not None:
            holder.stdout.close()
    assert passed.wait(WAIT)
    worker.finish()
    assert gate_open(gate)


def test_acquire_times_out_while_another_thread_holds_the_gate(gate: WriteGate) -> None:
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        gate.acquire()
        holding.set()
        try:
            done.wait(WAIT)
        finally:
            gate.release()

    holder = Worker("holder", hold)
    holder.start()
    try:
        assert holding.wait(WAIT)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            gate.acquire(timeout=0.1)
        assert 0.05 <= time.monotonic() - start < 2
        assert file_locked(gate.path)  # the holder's flock is untouched
    finally:
        done.set()
        holder.finish()
    gate.acquire(timeout=1)
    gate.release()
    assert gate_open(gate)


def test_failed_flock_releases_the_thread_lock(
    gate: WriteGate, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(_fd: int, _operation: int) -> None:
        raise OSError("no locks on this file system")

    with monkeypatch.context() as patch:
        patch.setattr(fcntl, "flock", failing)
        with pytest.raises(OSError, match="no locks"):
            gate.acquire(timeout=1)
        assert not gate.thread_lock.locked()
    gate.acquire(timeout=1)
    gate.release()
    assert gate_open(gate)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_forked_child_does_not_share_the_parents_lock(gate: WriteGate) -> None:
    """A child must open the lock file anew: on the parent's descriptor it would share
    the parent's flock and walk straight in."""
    gate.acquire()
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the child)
            code = 1
            try:
                fcntl.flock(gate._file(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                code = 0
            except BaseException:
                code = 2
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        gate.release()
    assert gate_open(gate)
