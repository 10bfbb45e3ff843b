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
threads this showed up in the system tests. :func:`install` replaces that method with
one that re-arms under a lock and starts the timer it made itself.
"""

import threading

from limits.storage import MemoryStorage

# The method's name as Python mangles it inside the class (``self.__schedule_expiry``).
_REARM = "_MemoryStorage__schedule_expiry"
_SWEEP = "_MemoryStorage__expire_events"
_rearm_lock = threading.Lock()


def _rearm_once(storage: MemoryStorage) -> None:
    """Start a new sweep timer unless one is running; one thread at a time does it."""
    if storage.timer.is_alive():
        return
    with _rearm_lock:
        if storage.timer.is_alive():  # another thread re-armed while this one waited
            return
        timer = threading.Timer(0.01, getattr(storage, _SWEEP))
        timer.start()
        storage.timer = timer


def install() -> bool:
    """Put :func:`_rearm_once` in place; False if this limits has no such method."""
    if not callable(getattr(MemoryStorage, _REARM, None)) or not hasattr(MemoryStorage, _SWEEP):
        return False
    setattr(MemoryStorage, _REARM, _rearm_once)
    return True
