"""`make bench-ceiling`: how close Flask alone gets to the bare hello app on the card's reads.

Prepares the same SQLite database as `make bench`, stores the real card page of one
bench card with holes for its code and stamps, and serves three apps under the same
gunicorn settings: the bare hello app, `ceiling_app.py` (Flask with the card statement
on sqlite3 and the stored page, nothing else) and the real app. For `GET /karte` and
`GET /api/v1/card` it runs wrk on hello, ceiling, hello, app, ... (``BENCH_ROUNDS``
rounds, default 2) and reports each one's rate as a ratio to the mean of the hello runs
around it. Writes `bench/out/ceiling.json` (``CEILING_OUT``).

The ceiling answers what the ratio targets ask of the stack: a target above the
ceiling's ratio cannot be met by a Flask app that does these reads on the machine at
hand; one below it tells how much the app may add around them.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
TARGETS = ("card_get", "api_card")


def stored_card_page(app: Any, secret: str) -> str:
    """The real card page of the card with ``secret``, its code and stamp list as holes."""
    client = app.test_client()
    client.set_cookie(app.config["CARD_COOKIE_NAME"], secret)
    code = client.get("/api/v1/card").get_json()["code"]
    page = client.get("/karte").get_data(as_text=True)
    assert code in page, "the card page does not show the card's code"
    first = page.index(code)
    # The stamps' hole goes after the first code; the page keeps its size and layout.
    return page[:first] + "@@CODE@@@@STAMPS@@" + page[first + len(code):]


def main() -> int:
    """Measure hello, the ceiling and the app on the card's two reads."""
    from app import create_app

    wrk = bench.ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="rallye-ceiling-"))
    database = tmp / "bench.sqlite3"
    config = bench.app_config(f"sqlite:///{database}", tmp)
    app = create_app(config)
    print("[ceiling] preparing database ...", flush=True)
    data = bench.prepare(app, tmp)
    lists = bench.request_lists(data, tmp)
    with app.app_context():
        (tmp / "card.html").write_text(stored_card_page(app, data["secrets"][0]),
                                       encoding="utf-8")

    env = bench.server_env(config)
    env.update({"CEILING_DATABASE": str(database), "CEILING_PAGE": str(tmp / "card.html"),
                "PYTHONPATH": str(bench.ROOT)})
    logs = bench.LOG_DIR
    servers = {
        "hello": bench.start_gunicorn("hello:app", env, "/hello", bench.ROOT / "bench",
                                      logs / "ceiling-hello.log"),
        "ceiling": bench.start_gunicorn("ceiling_app:app", env, "/hello",
                                        bench.ROOT / "bench", logs / "ceiling-flask.log"),
        "app": bench.start_gunicorn("wsgi:app", env, "/", bench.ROOT, logs / "ceiling-app.log"),
    }
    runs: dict[str, dict[str, list[float]]] = {
        name: {"ceiling": [], "app": []} for name in TARGETS
    }
    errors = 0
    try:
        for _ in range(ROUNDS):
            for name in TARGETS:
                for kind in ("ceiling", "app"):
                    print(f"[ceiling] wrk hello, {kind} {name}, hello ...", flush=True)
                    before = bench.run_wrk(wrk, servers["hello"].url, lists["hello"])
                    measured = bench.run_wrk(wrk, servers[kind].url, lists[name])
                    after = bench.run_wrk(wrk, servers["hello"].url, lists["hello"])
                    errors += int(before["errors"] + measured["errors"] + after["errors"])
                    hello = (before["rps"] + after["rps"]) / 2
                    runs[name][kind].append(measured["rps"] / hello)
                    print(f"  hello {before['rps']:.0f} / {after['rps']:.0f}, {kind} "
                          f"{measured['rps']:.0f}: {runs[name][kind][-1]:.3f}", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    shutil.rmtree(tmp, ignore_errors=True)

    result: dict[str, Any] = {
        name: {kind: {"ratios": [round(r, 3) for r in ratios],
                      "median": round(statistics.median(ratios), 3)}
               for kind, ratios in kinds.items()}
        for name, kinds in runs.items()
    }
    result["errors"] = errors
    print(f"\n== ceiling ({os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d}), "
          "ratio to the bare hello app")
    print(f"{'target':<12}{'Flask alone':>14}{'this app':>12}")
    for name in TARGETS:
        print(f"{name:<12}{result[name]['ceiling']['median']:>14}"
              f"{result[name]['app']['median']:>12}")
    print(f"errors {errors}")
    out = Path(os.environ.get("CEILING_OUT", bench.ROOT / "bench" / "out" / "ceiling.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
