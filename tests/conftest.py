"""Fixtures: an app per test on a fresh database, a client, a CLI runner, a frozen clock."""

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from playwright.sync_api import Browser, Playwright, sync_playwright

from app import clock, create_app
from app.extensions import db

from .helpers import FIRST_DAY
from .smtp import Mailbox, SMTPServer

IN_CI = os.environ.get("CI", "").lower() == "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]



@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    """One real SMTP server on loopback for the whole run; every test app mails to it."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server: SMTPServer) -> Mailbox:
    """The SMTP server's messages, emptied for this test."""
    smtp_server.mailbox.clear()
    return smtp_server.mailbox


def base_config(tmp_path: Path, database_url: str) -> dict[str, object]:
    """Settings every test app shares."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-with-enough-length-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "http://rallye.test",
        # The limiter stays on (it is one object shared by every app in the process);
        # tests of the limits lower these.
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_STAMP": "10000 per minute",
        "RATELIMIT_RECOVERY": "10000 per minute",
        "RATELIMIT_TYPED_CODE": "10000 per minute",
        "RATELIMIT_BOOKING": "10000 per minute",
        "RATELIMIT_EVENT_REGISTRATION": "10000 per minute",
        "RATELIMIT_INQUIRY": "10000 per minute",
        "RATELIMIT_SURVEY_LINK": "10000 per minute",
        # Uploaded videos go to the test's own folder, never into the repository's instance/.
        "MEDIA_FOLDER": str(tmp_path / "media"),
    }


class FreshRequestClient(FlaskClient):
    """A test client whose requests start with an empty ``g``.

    The ``app`` fixture keeps one app context open for the whole test, which requests
    then share; without this, values cached in ``g`` (such as the CSRF token) would leak
    from one client's request into another's.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Clear ``g`` and make the request."""
        g.__dict__.clear()
        return super().open(*args, **kwargs)


def postgres_url() -> str:
    """The PostgreSQL test database, or skip (fail in CI) when there is none."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        if IN_CI:
            pytest.fail("CI=true but TEST_DATABASE_URL names no PostgreSQL database")
        pytest.skip("TEST_DATABASE_URL is not set to a PostgreSQL database")
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable in CI: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    finally:
        engine.dispose()
    return url


def reset_postgres(url: str) -> None:
    """Drop every table of the test database's public schema."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file by default.

    Tests that must also run on PostgreSQL parametrize this fixture indirectly with
    ``["sqlite", "postgres"]``.
    """
    if request.param == "postgres":
        url = postgres_url()
        reset_postgres(url)
        return url
    return "sqlite:///" + str(tmp_path / "test.sqlite3")


@pytest.fixture
def app(tmp_path: Path, database_url: str, smtp_server: SMTPServer) -> Iterator[Flask]:
    """An app with all tables on a fresh database, inside an app context."""
    application = create_app({**base_config(tmp_path, database_url), **smtp_server.config()})
    application.test_client_class = FreshRequestClient
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner of ``app``."""
    return app.test_cli_runner()


@pytest.fixture
def freeze(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Freeze the app's clock at a moment; defaults to the rally's first day."""

    def set_clock(moment: datetime) -> None:
        monkeypatch.setattr(clock, "utcnow", lambda: moment)

    set_clock(FIRST_DAY)
    return set_clock


# One Chromium per test session, shared by the browser and the system tests: Playwright's
# sync API cannot run two instances in one process.
@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the whole session, with a throwaway home directory."""
    if shutil.which(CHROMIUM) is None:
        reason = f"{CHROMIUM} is missing (install Debian's chromium package)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("chromium-home")
    patch = pytest.MonkeyPatch()
    patch.setenv("HOME", str(home))
    patch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    patch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    playwright: Playwright | None = None
    try:
        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        if playwright is not None:
            playwright.stop()
        patch.undo()
