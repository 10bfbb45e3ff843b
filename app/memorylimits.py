"""Make limits' in-memory rate-limit storage start each expiry timer once.

``limits.storage.MemoryStorage`` (5.8, behind ``RATELIMIT_STORAGE_URI=memory://`` and
behind the fallback when Redis is down) sweeps expired counters with a 10 ms
``threading.Timer``, which every counting call re-arms once the last one has finished::

    if not self.timer.is_alive():
        self.timer = threading.Timer(0.01, self.__expire_events)
        self.timer.start()

Two request threads that find the timer finished at the same moment both assign a new
timer and then both start whatever ``self.timer`` holds by then: one object, started
twice. The second start either raises RuntimeError, which Flask-Limiter swallows and
logs as a failed limit check, or races the first into ``threading``'s bookkeeping, and
the extra thread dies with a KeyError traceback in the worker's log. Under gunicorn's
threads this showed up in the system tests.

:func:`install` replaces that method with one that

- lets one thread re-arm at a time and starts the timer it made itself; a thread that
  finds another one re-arming goes on with its request;
- sweeps once a second instead of every 10 ms. Under load the old cadence started a
  thread a hundred times a second in each worker, and the request that started it waited
  until the new thread got the GIL: 9 % of the request threads' time in a stamp run
  (py-spy). The sweep only frees memory: every read (``get``) drops an expired counter
  itself, so limits count exactly as before;
- marks the timer as a daemon thread, so that a process never waits for a sweep to exit.
"""

import threading

from limits.storage import MemoryStorage

# The method's name as Python mangles it inside the class (``self.__schedule_expiry``).
_REARM = "_MemoryStorage__schedule_expiry"
_SWEEP = "_MemoryStorage__expire_events"
SWEEP_EVERY_SECONDS = 1.0
_rearm_lock = threading.Lock()


def _rearm_once(storage: MemoryStorage) -> None:
    """Start a new sweep timer unless one is running or another thread is starting one."""
    if storage.timer.is_alive() or not _rearm_lock.acquire(blocking=False):
        return
    try:
        if storage.timer.is_alive():  # re-armed between the check and the lock
            return
        timer = threading.Timer(SWEEP_EVERY_SECONDS, getattr(storage, _SWEEP))
        timer.daemon = True
        timer.start()
        storage.timer = timer
    finally:
        _rearm_lock.release()


def install() -> bool:
    """Put :func:`_rearm_once` in place; False if this limits has no such method."""
    if not callable(getattr(MemoryStorage, _REARM, None)) or not hasattr(MemoryStorage, _SWEEP):
        return False
    setattr(MemoryStorage, _REARM, _rearm_once)
    return True
