"""Rate limits kept in Redis are shared by all gunicorn workers, and survive its loss."""

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Reply, SystemDb, at_once, gunicorn, new_card, redis_server

LIMIT = 5
TAPS = 12  # more than LIMIT, sent at once, so they spread over the 4 workers


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A private redis-server on a free port for one test."""
    with redis_server(tmp_path) as running:
        yield running


def test_limits_are_shared_by_all_workers_and_survive_redis_loss(
    system_db: SystemDb, own_redis: tuple[subprocess.Popen[bytes], int]
) -> None:
    redis_proc, port = own_redis
    tokens = system_db.tokens
    with gunicorn(
        system_db,
        log_name="gunicorn-redis.log",
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}",
        FLASK_RATELIMIT_STAMP=f"{LIMIT} per minute",
    ) as server:
        # The first tap (no card yet) is counted by address, the rest by card.
        browser = new_card(server.base_url, tokens[0])
        browser.scan(tokens[1])

        replies = at_once(TAPS, lambda i: browser.post_unrecorded(tokens[1 + i]))

        answered = [reply for reply in replies if isinstance(reply, Reply)]
        assert len(answered) == TAPS, replies
        codes = sorted(reply.status for reply in answered)
        assert codes == [303] * LIMIT + [429] * (TAPS - LIMIT)
        refused = [reply for reply in answered if reply.status == 429]
        assert all("Kurz durchatmen" in reply.text for reply in refused)
        assert all('lang="de"' in reply.text for reply in refused)
        assert system_db.stamps_of(browser.card_secret) == 1 + LIMIT
        # The taps really went to different processes, which share only Redis.
        answered_by = server.workers_that_answered("POST", 303) | server.workers_that_answered(
            "POST", 429
        )
        assert len(answered_by) >= 2, answered_by

        # Redis goes away: stamping goes on (in-memory fallback) and the log says why.
        redis_proc.kill()
        redis_proc.wait(timeout=10)
        late = tokens[-1]
        assert browser.tap(late).status == 303
        assert system_db.stamps_at(browser.card_secret, late) == 1
        newcomer = new_card(server.base_url, tokens[-2])
        assert system_db.stamps_of(newcomer.card_secret) == 1

        deadline = time.monotonic() + 5
        while "rate limit storage" not in server.log().lower() and time.monotonic() < deadline:
            time.sleep(0.1)
        log = server.log()
        assert "rate limit storage unreachable" in log.lower(), log
        assert "Traceback" not in log, log
