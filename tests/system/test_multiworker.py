"""Races across worker processes: UNIQUE(card, station) holds under gunicorn's 4 workers."""

from collections import Counter

import pytest

from .conftest import Reply, Server, SystemDb, at_once, new_card

pytestmark = pytest.mark.parametrize(
    "system_db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

SAME_TAPS = 200


def statuses(replies: list[Reply | BaseException]) -> Counter[int | str]:
    """How often each status (or exception type) came back."""
    return Counter(
        reply.status if isinstance(reply, Reply) else type(reply).__name__ for reply in replies
    )


def assert_no_errors_logged(server: Server) -> None:
    """Neither gunicorn nor the app logged an error, a traceback or a stuck worker."""
    log = server.log()
    for sign in ("Traceback", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT", "unhandled error"):
        assert sign not in log, log


def test_one_browser_taps_200_times_at_once(server: Server, system_db: SystemDb) -> None:
    first, target = system_db.tokens[0], system_db.tokens[1]
    browser = new_card(server.base_url, first)
    browser.scan(target)

    replies = at_once(SAME_TAPS, lambda _i: browser.post_unrecorded(target))

    assert statuses(replies) == {303: SAME_TAPS}
    answered = [reply for reply in replies if isinstance(reply, Reply)]
    assert all(reply.headers["Location"].endswith("/karte") for reply in answered)
    # No tap made a second card: the browser's cookie was kept, never replaced.
    assert all("stempelkarte" not in reply.cookies for reply in answered)
    assert system_db.stamps_at(browser.card_secret, target) == 1
    assert system_db.stamps_of(browser.card_secret) == 2
    assert len(server.workers_that_answered("POST", 303)) >= 2, "the taps met one worker only"
    assert browser.get("/karte").status == 200
    assert_no_errors_logged(server)


def test_one_card_stamps_every_station_at_once(server: Server, system_db: SystemDb) -> None:
    tokens = system_db.tokens
    browser = new_card(server.base_url, tokens[-1])  # its first stamp; tapped again below
    browser.scan(tokens[0])

    replies = at_once(len(tokens), lambda i: browser.post_unrecorded(tokens[i]))

    assert statuses(replies) == {303: len(tokens)}
    assert system_db.stamps_of(browser.card_secret) == len(tokens)
    assert browser.get("/karte").status == 200
    assert_no_errors_logged(server)
