"""Where a hot request spends its time, in process, without a server: `make profile`.

Prepares the same database as `make bench`, then calls the WSGI app directly with ready
request environments, so that only Flask and the app are measured. Prints microseconds
per request for the bare hello app and each target; with ``PROFILE=<target>`` (scan_get,
stamp_post, card_get, api_card) it also prints a pyinstrument profile of that target
(``PROFILE_ALL=1`` shows every library frame too).
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402

ROUNDS = int(os.environ.get("PROFILE_ROUNDS", "2000"))


def environ_for(method: str, path: str, cookie: str = "", body: str = "") -> dict[str, Any]:
    """A WSGI environment for one request, as gunicorn would pass it."""
    headers = {"Cookie": cookie} if cookie else {}
    builder = EnvironBuilder(
        path=path, method=method, headers=headers, data=body or None,
        content_type="application/x-www-form-urlencoded" if body else None,
        base_url="http://127.0.0.1",
    )
    return builder.get_environ()


def call(app: Callable[..., Any], environ: dict[str, Any]) -> str:
    """Run one request through ``app`` and return its status line."""
    status = ""

    def start_response(line: str, _headers: Any, _exc: Any = None) -> None:
        nonlocal status
        status = line

    env = dict(environ)
    if "wsgi.input" in environ:  # a body can be read once: give each call its own copy
        stream = environ["wsgi.input"]
        env["wsgi.input"] = io.BytesIO(stream.getvalue() if hasattr(stream, "getvalue") else b"")
    for _chunk in app(env, start_response):
        pass
    return status


def per_request_us(app: Callable[..., Any], environs: list[dict[str, Any]]) -> float:
    """Mean CPU microseconds per request over ``ROUNDS`` requests cycling through ``environs``.

    The first round over (up to 200 of) the environments warms caches, as a server that
    has run for a while would have them.
    """
    for environ in environs[:200]:
        call(app, environ)
    start = time.process_time()  # CPU time: what other processes do counts less
    for i in range(ROUNDS):
        call(app, environs[i % len(environs)])
    return (time.process_time() - start) / ROUNDS * 1e6


def main() -> None:
    """Prepare, measure, and optionally profile one target."""
    from hello import app as hello_app

    from app import create_app

    tmp = Path(tempfile.mkdtemp(prefix="rallye-profile-"))
    config = bench.app_config(f"sqlite:///{tmp / 'profile.sqlite3'}", tmp)
    app = create_app(config)
    data = bench.prepare(app, tmp)
    cookie = "sitzung=" + data["session"]
    secrets_ = data["secrets"]
    posts = []
    for k in range(ROUNDS + 200):
        card = bench.READ_CARDS + k % (bench.CARDS - bench.READ_CARDS)
        station = 5 + k // (bench.CARDS - bench.READ_CARDS)
        posts.append(environ_for("POST", f"/s/{data['tokens'][station]}",
                                 f"{cookie}; stempelkarte={secrets_[card]}",
                                 "csrf_token=" + data["csrf"]))
    targets = {
        "hello": (hello_app, [environ_for("GET", "/hello")]),
        "scan_get": (app, [environ_for("GET", f"/s/{t}") for t in data["tokens"]]),
        "stamp_post": (app, posts),
        "card_get": (app, [environ_for("GET", "/karte", f"stempelkarte={secrets_[i]}")
                           for i in range(bench.READ_CARDS)]),
        "api_card": (app, [environ_for("GET", "/api/v1/card", f"stempelkarte={secrets_[i]}")
                           for i in range(bench.READ_CARDS)]),
    }
    for name, (wsgi, environs) in targets.items():
        status = call(wsgi, environs[-1])
        print(f"{name:<12}{per_request_us(wsgi, environs):>9.0f} µs/request  ({status})")

    if chosen := os.environ.get("PROFILE"):
        from pyinstrument import Profiler

        wsgi, environs = targets[chosen]
        profiler = Profiler(interval=0.0001)
        profiler.start()
        for i in range(ROUNDS):
            call(wsgi, environs[i % len(environs)])
        profiler.stop()
        show_all = bool(os.environ.get("PROFILE_ALL"))  # library frames too
        print(profiler.output_text(unicode=True, color=False, show_all=show_all))


if __name__ == "__main__":
    main()
