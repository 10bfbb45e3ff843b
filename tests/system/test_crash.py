"""A hard crash of every server process mid-load loses no stamp that was confirmed.

SQLite in WAL mode with synchronous=NORMAL keeps every committed transaction when the
process dies (only a power cut may lose the last ones); a 303 is sent after the commit,
so every shopper who saw their card also has the stamp.
"""

import http.client
import os
import signal
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass

from .conftest import Browser, SystemDb, gunicorn, secret_hash

LOADERS = 12  # threads, each a stream of new shoppers
KILL_AFTER = 60  # confirmed stamps before the crash
MAX_PER_LOADER = 50  # bounds the load if the kill never comes


@dataclass(frozen=True)
class Confirmed:
    """A tap that was answered with 303: the card's cookie secret and the station."""

    secret: str
    token: str


def test_sigkill_mid_load_loses_no_confirmed_stamp(system_db: SystemDb) -> None:
    tokens = system_db.tokens
    confirmed: list[Confirmed] = []
    failures: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    crashed = threading.Event()

    def load(worker: int, base_url: str) -> None:
        for n in range(MAX_PER_LOADER):
            if crashed.is_set():
                return
            token = tokens[(worker * MAX_PER_LOADER + n) % len(tokens)]
            browser = Browser(base_url)
            try:
                browser.scan(token)
                reply = browser.tap(token)
            except (OSError, http.client.HTTPException, AssertionError):
                if not crashed.is_set():
                    failures.append(f"loader {worker}: request failed before the crash")
                continue
            with lock:
                if reply.status == 303 and "stempelkarte" in browser.cookies:
                    confirmed.append(Confirmed(browser.card_secret, token))
                    if len(confirmed) >= KILL_AFTER:
                        enough.set()
                else:
                    failures.append(f"loader {worker}: {reply.status}")

    with gunicorn(system_db, log_name="gunicorn-crash-1.log") as server:
        loaders = [
            threading.Thread(target=load, args=(i, server.base_url), name=f"loader-{i}")
            for i in range(LOADERS)
        ]
        for thread in loaders:
            thread.start()
        try:
            assert enough.wait(timeout=60), f"the load never got going: {failures}"
            # Master and all workers at once, with requests in flight.
            crashed.set()
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait(timeout=30)
        finally:
            crashed.set()
            for thread in loaders:
                thread.join(timeout=90)
        assert not any(thread.is_alive() for thread in loaders)

    assert not failures, failures
    assert len(confirmed) >= KILL_AFTER

    with gunicorn(system_db, log_name="gunicorn-crash-2.log") as server:
        # The restarted server knows the cards: some of them open their card page.
        for tap in confirmed[:: max(1, len(confirmed) // 5)]:
            browser = Browser(server.base_url, cookies={"stempelkarte": tap.secret})
            assert browser.get("/karte").status == 200
    stamped = system_db.stamp_pairs()
    missing = [tap for tap in confirmed if (secret_hash(tap.secret), tap.token) not in stamped]
    assert not missing, f"{len(missing)} of {len(confirmed)} confirmed stamps are lost"

    path = system_db.url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
