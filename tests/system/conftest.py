"""System tests: the real app under gunicorn, several worker processes, a real database.

Everything runs as the production would: the schema comes from ``flask --app wsgi init-db``,
the data from ``flask --app wsgi demo``, the server is ``gunicorn -c gunicorn.conf.py
wsgi:app`` with several workers, and the tests speak plain HTTP to it over loopback.
Settings go in through the environment only, so nothing is written into the repository's
``instance/`` folder.
"""

import hashlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from ..conftest import IN_CI, postgres_url, reset_postgres
from ..helpers import csrf_token

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "system-test-secret-key-0123456789abcdef"
NO_LIMITS = "100000 per minute"
WORKERS = 4
THREADS = 4
T = TypeVar("T")

# Variables of the outer environment that would change what the app or gunicorn does.
FOREIGN_ENV = {"DATABASE_URL", "RATELIMIT_STORAGE_URI", "GUNICORN_CMD_ARGS", "WEB_CONCURRENCY"}

def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_environ() -> dict[str, str]:
    """This process's environment without the settings that would leak into the app."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FLASK_") and key not in FOREIGN_ENV
    }


def secret_hash(secret: str) -> str:
    """The SHA-256 the database keeps of a card secret (table card_keys)."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class SystemDb:
    """A database holding the demo: its URL, its kind and the demo's station tokens."""

    kind: str
    url: str
    tmp: Path
    tokens: tuple[str, ...]

    def app_env(self, base_url: str, **overrides: str) -> dict[str, str]:
        """The environment of a server process on this database (rate limits off)."""
        env = clean_environ()
        env.update(
            DATABASE_URL=self.url,
            RATELIMIT_STORAGE_URI="memory://",
            FLASK_SECRET_KEY=SECRET_KEY,
            FLASK_BASE_URL=base_url,
            FLASK_RATELIMIT_STAMP=NO_LIMITS,
            FLASK_RATELIMIT_RECOVERY=NO_LIMITS,
            FLASK_RATELIMIT_TYPED_CODE=NO_LIMITS,
        )
        env.update(overrides)
        return env

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        """A direct connection to the database, for checks behind the server's back."""
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()

    def scalar(self, sql: str, **params: Any) -> Any:
        """One value of one query."""
        with self.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def stamps_of(self, secret: str) -> int:
        """How many stamps the card of a browser's cookie secret holds."""
        return int(
            self.scalar(
                "SELECT count(*) FROM stamps JOIN card_keys ON card_keys.card_id = stamps.card_id"
                " WHERE card_keys.secret_hash = :hash",
                hash=secret_hash(secret),
            )
        )

    def stamps_at(self, secret: str, token: str) -> int:
        """How many stamps (0 or 1) that card holds at the station of ``token``."""
        return int(
            self.scalar(
                "SELECT count(*) FROM stamps"
                " JOIN card_keys ON card_keys.card_id = stamps.card_id"
                " JOIN stations ON stations.id = stamps.station_id"
                " WHERE card_keys.secret_hash = :hash AND stations.token = :token",
                hash=secret_hash(secret),
                token=token,
            )
        )


    def stamp_pairs(self) -> set[tuple[str, str]]:
        """Every stamp as (hash of a key of its card, station token)."""
        with self.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT card_keys.secret_hash, stations.token FROM stamps"
                    " JOIN card_keys ON card_keys.card_id = stamps.card_id"
                    " JOIN stations ON stations.id = stamps.station_id"
                )
            )
            return {(str(hash_), str(token)) for hash_, token in rows}


def run_cli(args: list[str], env: dict[str, str]) -> None:
    """Run a command in the repository; fail the test with its output if it fails."""
    result = subprocess.run(  # noqa: S603
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"{args[:3]} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def prepare_database(kind: str, tmp: Path) -> SystemDb:
    """Create the schema and load the demo with the real commands; read the tokens."""
    if kind == "postgres":
        url = postgres_url()
        reset_postgres(url)
    else:
        url = "sqlite:///" + str(tmp / "rallye.sqlite3")
    env = SystemDb(kind, url, tmp, ()).app_env("http://127.0.0.1")
    # INSTANCE_PATH keeps the demo's login file out of the repository's instance/.
    env["INSTANCE_PATH"] = str(tmp / "instance")
    run_cli([str(BIN / "flask"), "--app", "wsgi", "init-db"], env)
    run_cli([str(BIN / "flask"), "--app", "wsgi", "demo"], env)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tokens = tuple(
                conn.execute(
                    sa.text("SELECT token FROM stations WHERE active ORDER BY id")
                ).scalars()
            )
    finally:
        engine.dispose()
    assert len(tokens) == 40, "the demo has 40 stations"
    return SystemDb(kind, url, tmp, tokens)


@pytest.fixture(scope="module", params=["sqlite"])
def system_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SystemDb:
    """A fresh database with the demo: SQLite by default.

    Modules that must also run on PostgreSQL parametrize it indirectly with
    ``["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]``.
    """
    return prepare_database(request.param, tmp_path_factory.mktemp(f"system-{request.param}"))


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    """A running gunicorn: its process (a group of its own), its address and its log."""

    proc: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    access_path: Path

    def log(self) -> str:
        """Everything gunicorn and the app wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def workers_that_answered(self, method: str, status: int) -> set[str]:
        """Process ids of the workers that answered ``method`` with ``status``.

        The tests' access log has only "<pid> METHOD STATUS" per line (no URL, no token).
        """
        if not self.access_path.exists():
            return set()
        pids = set()
        for line in self.access_path.read_text(encoding="ascii").splitlines():
            pid, line_method, line_status = line.split()
            if line_method == method and int(line_status) == status:
                pids.add(pid)
        return pids

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the master and every worker at once, and reap the master."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM to the group), or kill the group after 15 s."""
        if self.proc.poll() is not None:
            self._kill_leftovers()
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
        self._kill_leftovers()

    def _kill_leftovers(self) -> None:
        """Workers whose master died first are still in the group: end them too."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_until_up(server: Server, timeout: float = 60.0) -> None:
    """Poll the home page until it answers 200; fail with the log if gunicorn dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.proc.returncode}:\n{server.log()}")
        try:
            if Browser(server.base_url).get("/").status == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        pytest.fail(f"gunicorn did not answer within {timeout:.0f} s:\n{server.log()}")
    # Let every worker load the app before the tests fire bursts at them.
    at_once(2 * WORKERS * THREADS, lambda _i: Browser(server.base_url).get("/"))


@contextmanager
def gunicorn(
    db: SystemDb, *, workers: int = WORKERS, log_name: str = "gunicorn.log", **env: str
) -> Iterator[Server]:
    """Run gunicorn with the repository's gunicorn.conf.py on ``db``; stop it afterwards."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = db.tmp / log_name
    access_path = log_path.with_suffix(".access")
    args = [
        str(BIN / "gunicorn"),
        "-c", str(ROOT / "gunicorn.conf.py"),
        "--workers", str(workers),
        "--threads", str(THREADS),
        "--bind", f"127.0.0.1:{port}",
        "--graceful-timeout", "5",
        "--access-logfile", str(access_path),
        "--access-logformat", "%(p)s %(m)s %(s)s",
        "wsgi:app",
    ]  # fmt: skip
    with log_path.open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603
            args,
            cwd=ROOT,
            env=db.app_env(base_url, **env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(proc=proc, base_url=base_url, log_path=log_path, access_path=access_path)
    try:
        wait_until_up(server)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(system_db: SystemDb) -> Iterator[Server]:
    """gunicorn with 4 workers of 4 threads on the module's database, rate limits off.

    Several workers keep their limits in Redis, as deploy.md says: ``memory://`` is for
    one process (limits' in-memory storage also starts its expiry timer from request
    threads without a lock, alisaifee/limits#26, which can log a stray traceback).
    """
    with redis_server(system_db.tmp) as (_redis, port):
        with gunicorn(system_db, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}") as running:
            yield running


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Add the logs of a failed test's servers: any fixture value with ``failure_logs()``."""
    report = yield
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            logs = getattr(value, "failure_logs", None)
            if callable(logs):
                report.sections.append((f"server logs ({report.when})", logs()))
    return report


# --------------------------------------------------------------------------- Redis


def redis_ping(port: int) -> bool:
    """Whether a Redis server answers PING on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(tmp: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A private redis-server on a free port (the shared one on 6379 is never touched).

    Skips when redis-server is missing, fails instead in CI.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        if IN_CI:
            pytest.fail("CI=true but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    port = free_port()
    args = [
        binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--daemonize", "no", "--dir", str(tmp),
    ]  # fmt: skip
    with (tmp / "redis.log").open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 10
        while not redis_ping(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server did not start: " + (tmp / "redis.log").read_text())
            time.sleep(0.05)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


# --------------------------------------------------------------------------- the client


@dataclass
class Reply:
    """One HTTP answer, read completely."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes
    cookies: dict[str, str | None]  # name → new value, None for a deleted cookie

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", errors="replace")


def parse_set_cookie(header: str) -> tuple[str, str | None]:
    """Name and value of one Set-Cookie header; None when it deletes the cookie."""
    first, _, attributes = header.partition(";")
    name, _, value = first.strip().partition("=")
    deleted = not value or "max-age=0" in attributes.lower().replace(" ", "")
    return name, None if deleted else value


def request(
    base_url: str,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Reply:
    """One request on a connection of its own, which is closed before returning."""
    url = urlsplit(base_url)
    headers = {"Accept-Language": "de-DE", "Connection": "close"}
    body = None
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    if form is not None:
        body = urlencode(form).encode("ascii")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        set_cookies = dict(
            parse_set_cookie(value) for value in response.headers.get_all("Set-Cookie") or []
        )
        return Reply(response.status, response.headers, data, set_cookies)
    finally:
        conn.close()


@dataclass
class Browser:
    """A shopper's browser: a cookie jar and the two steps of a scan."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    def keep(self, reply: Reply) -> Reply:
        """Store the cookies a reply set (and drop those it deleted)."""
        for name, value in reply.cookies.items():
            if value is None:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return reply

    def get(self, path: str) -> Reply:
        """GET ``path`` with this browser's cookies."""
        return self.keep(request(self.base_url, "GET", path, cookies=self.cookies))

    def scan(self, token: str) -> Reply:
        """Open the scan page (the camera's GET) and remember the form's CSRF token."""
        reply = self.get(f"/s/{token}")
        assert reply.status == 200, reply.text[:500]
        self.csrf = csrf_token(reply.text)
        return reply

    def tap(self, token: str) -> Reply:
        """Press "Stempel einsammeln": POST the scan form with this browser's cookies."""
        return self.keep(self.post_unrecorded(token))

    def post_unrecorded(self, token: str) -> Reply:
        """The same POST, leaving the cookie jar as it is (for many at once)."""
        assert self.csrf, "scan a page first"
        return request(
            self.base_url,
            "POST",
            f"/s/{token}",
            cookies=dict(self.cookies),
            form={"csrf_token": self.csrf},
        )

    @property
    def card_secret(self) -> str:
        """The card secret in this browser's cookie."""
        return self.cookies["stempelkarte"]


def new_card(base_url: str, token: str) -> Browser:
    """A browser that scanned ``token`` and tapped: it now holds a card with one stamp."""
    browser = Browser(base_url)
    browser.scan(token)
    reply = browser.tap(token)
    assert reply.status == 303, reply.text[:500]
    assert "stempelkarte" in browser.cookies
    return browser


def at_once(n: int, work: Callable[[int], T], timeout: float = 120.0) -> list[T | BaseException]:
    """Run ``work(i)`` for i in 0..n-1 in ``n`` threads released together by a barrier.

    An exception of a call is returned in its place, so that one failure does not hide
    what the other calls saw.
    """
    barrier = threading.Barrier(n)

    def run(i: int) -> T | BaseException:
        try:
            barrier.wait(timeout=timeout)
            return work(i)
        except Exception as error:  # reported by the caller
            return error

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n), timeout=timeout))
