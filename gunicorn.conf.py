"""Gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every value can be overridden on the command line (``--workers 4 --bind ...``), which is
what the system tests do. The app itself reads its settings from the environment
(``DATABASE_URL``, ``RATELIMIT_STORAGE_URI``, ``FLASK_*``); see app/config.py.
"""

import os

# Where to listen. Behind a reverse proxy on the same host, the loopback default is right;
# set GUNICORN_BIND (or gunicorn's own GUNICORN_CMD_ARGS="--bind ...") to change it.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Processes. Each worker holds its own database pool and, with memory://, its own rate
# limit counters: run more than one worker only with RATELIMIT_STORAGE_URI=redis://...
# WEB_CONCURRENCY is the usual convention of hosting platforms.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Threads per worker. Requests mostly wait on the database, so a few threads per process
# serve a burst of taps (a school class in front of one shop) without more memory.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request that takes longer than this is stuck (SQLite's busy timeout is 10 s): the
# worker is killed and replaced. graceful_timeout lets running requests finish on reload.
timeout = 30
graceful_timeout = 30

# Seconds an idle keep-alive connection stays open. Behind a proxy that reuses upstream
# connections, keep it a little above the proxy's idle timeout; 5 s suits a direct setup.
keepalive = 5

# Replace workers now and then, so that a slow leak cannot grow for the whole campaign;
# the jitter keeps them from restarting all at once. Not too often: at the benchmark's
# rate (a few thousand requests/s on two workers) 2,000 meant a restart every second;
# 50,000 is about once a minute at that peak.
max_requests = 50_000
max_requests_jitter = 5_000

# Load the app once in the master, so that a replacement worker is a fork that serves at
# once; a worker that imported the app itself kept requests waiting for about a second.
# The master opens no database connection (each worker's engine connects on first use).
# Code changes then need a restart, not a HUP.
preload_app = True

# Reject absurd request lines and headers early (the app's own limit is 2 MiB of body).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# No access log by default: scan tokens and recovery links are part of the URL, and
# every line would tie an address to a shopper's card. Set GUNICORN_ACCESS_LOG=- (stdout)
# or to a file path to switch it on for debugging.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# Errors, worker starts and crashes go to stderr, where systemd or the container keeps them.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Which proxies may set X-Forwarded-For/-Proto for gunicorn itself (e.g. "127.0.0.1" for
# a proxy on this host). The app trusts the forwarded client address only with
# FLASK_PROXY_FIX_X_FOR=<hops>; both must agree with the real setup.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Gunicorn 25.1+ opens a control socket for ``gunicornc`` at $XDG_RUNTIME_DIR/gunicorn.ctl or
# ~/.gunicorn/gunicorn.ctl: one fixed path per user, which a second instance (a staging
# site, the system tests) would take over. Off unless GUNICORN_CONTROL_SOCKET names a path.
# (Older gunicorn versions ignore both settings.)
if control_socket := os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket_disable = False
else:
    control_socket_disable = True

# Put temporary worker heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


def post_worker_init(worker) -> None:
    """Send warnings of the app and its libraries to gunicorn's error log (stderr).

    Under gunicorn, Python's root logger has no handler, and Flask-Limiter gives its
    logger a NullHandler, so warnings such as "Rate limit storage unreachable - falling
    back to in-memory storage" would vanish without a trace. gunicorn's own loggers do
    not propagate, so nothing is logged twice.
    """
    import logging

    root = logging.getLogger()
    if not root.handlers:
        for handler in worker.log.error_log.handlers:
            root.addHandler(handler)
        root.setLevel(logging.WARNING)


def pre_fork(server, worker) -> None:
    """Hide the preloaded app's objects from the garbage collector before each fork.

    A full collection in a worker walks every object the app made at import (about
    140,000: routes, templates, SQLAlchemy's tables): 95–125 ms on the development VM, during
    which every request of that worker waits. Frozen objects are never examined, and
    the pages they sit on are not written to by the collector, so they stay shared
    between master and workers (gc.freeze, as the Python documentation advises before
    fork()).
    """
    import gc

    gc.freeze()
