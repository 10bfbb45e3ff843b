"""The in-memory rate-limit storage starts each of its sweep timers exactly once."""

import itertools
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from limits.storage import MemoryStorage

from app import memorylimits

THREADS = 8
CALLS = 1500


class CountingTimer:
    """Stands in for threading.Timer: counts starts, and is never alive after one.

    So every counting call of the storage re-arms, which is when two threads can race.
    """

    starts: Counter[int] = Counter()  # by serial number: ids of freed timers come back
    made = itertools.count()

    def __init__(self, interval: float, function: Callable[[], None]) -> None:
        self.interval = interval
        self.function = function
        self.daemon = False
        self.serial = next(CountingTimer.made)

    def start(self) -> None:
        CountingTimer.starts[self.serial] += 1

    def is_alive(self) -> bool:
        return False

    def __del__(self) -> None:
        # Replacing the storage's timer drops the old one: let other threads run right
        # there, between the storage's assignment and its start (as a GC pass can).
        time.sleep(0)


@pytest.fixture
def counting_timers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[int]]:
    """Timers of the storage made as CountingTimer; thread switches as often as possible."""
    CountingTimer.starts = Counter()
    monkeypatch.setattr(threading, "Timer", CountingTimer)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield CountingTimer.starts
    finally:
        sys.setswitchinterval(interval)


def test_the_app_installs_the_fix(app: Flask) -> None:
    assert MemoryStorage._MemoryStorage__schedule_expiry is memorylimits._rearm_once
    assert memorylimits.install()  # again: harmless


def test_racing_counters_start_no_timer_twice(
    app: Flask, counting_timers: Counter[int]
) -> None:
    storage = MemoryStorage()
    barrier = threading.Barrier(THREADS)

    def count() -> None:
        barrier.wait()
        for _ in range(CALLS):
            storage.incr("stamp/192.0.2.1", 60)

    threads = [threading.Thread(target=count) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert storage.get("stamp/192.0.2.1") == THREADS * CALLS
    # Re-armed again and again (how often depends on the scheduler: a thread that finds
    # another one re-arming skips it).
    assert len(counting_timers) > 100
    twice = {timer: starts for timer, starts in counting_timers.items() if starts > 1}
    assert not twice, f"{len(twice)} timers were started more than once"


def test_the_sweep_runs_each_second_in_a_daemon_thread(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = MemoryStorage()
    storage.timer.join()  # the first sweep, armed by the constructor, is over
    made: list[CountingTimer] = []

    def make_timer(interval: float, function: Callable[[], None]) -> CountingTimer:
        made.append(CountingTimer(interval, function))
        return made[-1]

    monkeypatch.setattr(threading, "Timer", make_timer)

    storage.incr("stamp/192.0.2.1", 60)

    assert [(timer.interval, timer.daemon) for timer in made] == [
        (memorylimits.SWEEP_EVERY_SECONDS, True)
    ]
    assert made[0].function == storage._MemoryStorage__expire_events  # type: ignore[attr-defined]


def test_counters_expire_on_time_between_sweeps(app: Flask) -> None:
    storage = MemoryStorage()
    assert storage.incr("stamp/192.0.2.1", 0.05) == 1
    assert storage.incr("stamp/192.0.2.1", 0.05) == 2
    time.sleep(0.1)  # no sweep since the constructor's: the read itself drops the counter
    assert storage.get("stamp/192.0.2.1") == 0
    assert storage.incr("stamp/192.0.2.1", 0.05) == 1
