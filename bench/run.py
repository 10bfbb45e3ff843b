"""`make bench`: the app against a bare Flask app under the same gunicorn, plus batch jobs.

What it does, on 127.0.0.1 only:
1. prepares a database (the demo rally with 40 stations, 10,000 cards with known cookie
   secrets, one session cookie with its CSRF token);
2. starts the app and a one-route Flask app under identical gunicorn settings;
3. drives both with wrk at 32 connections for BENCH_ROUNDS rounds (default 3), each round
   alternating hello / target / hello / target ... / hello, so that drift of the machine
   hits both alike; a round's ratio is the target's rate ÷ the mean of the hello runs
   beside it, and the report gives the median over the rounds with min and max;
4. checks that every acknowledged stamp (303) is in the database and nothing else;
5. times the QR print set of 40 shops, seal + run of a draw over 100,000 entries, and
   the staff dashboard over 1,000,000 stamps (server time, in process);
6. writes BENCH_OUT (default bench/out/latest.json) and prints a table.

With DATABASE_URL or TEST_DATABASE_URL naming PostgreSQL, everything runs again on it
and is written next to BENCH_OUT with the suffix ``-postgresql``.

For quicker rounds while working on one page: BENCH_TARGETS=scan_get,card_get runs only
those HTTP targets (the others are reported as null), BENCH_BATCH=0 skips step 5,
BENCH_SECONDS sets the length of each wrk run (default 8), BENCH_WORKERS and
BENCH_THREADS the gunicorn settings of both servers (default 2 × 4), BENCH_ROUNDS the
number of alternated rounds (default 3) and BENCH_SQLITE_ONLY=1 skips PostgreSQL. A full
run, as `make bench` does it, is the only one to quote.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
# The servers' own logs (worker starts and ends, tracebacks), kept after the run.
LOG_DIR = ROOT / "bench" / "out"
WRK_SCRIPT = ROOT / "bench" / "wrk_requests.lua"
CONNECTIONS = 32
# One connection per wrk thread: each thread's answers then come in request order.
WRK_THREADS = CONNECTIONS
DURATION = int(os.environ.get("BENCH_SECONDS", "8"))
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "3")))
TARGET_NAMES = ("scan_get", "stamp_post", "card_get", "api_card")
CHOSEN = [n for n in os.environ.get("BENCH_TARGETS", ",".join(TARGET_NAMES)).split(",") if n]
BATCH = os.environ.get("BENCH_BATCH", "1") != "0"
WORKERS = os.environ.get("BENCH_WORKERS", "2")
THREADS = os.environ.get("BENCH_THREADS", "4")
# Besides these, both servers read ./gunicorn.conf.py (gunicorn's default config file).
# No worker recycling during a run: gunicorn.conf.py's max_requests (50,000) replaced the
# bare hello app's workers every 20-35 s under load and the app's rarely, so the
# denominator dipped (down to half its rate) more often than the app it divides.
GUNICORN = ["--workers", WORKERS, "--threads", THREADS, "--worker-class", "gthread",
            "--keep-alive", "5", "--backlog", "2048", "--no-control-socket",
            "--max-requests", "0"]
SECRET = "bench-secret-key-0123456789abcdef0123456789abcdef"
CARDS = 10_000
READ_CARDS = 200  # cards with five stamps each, for GET /karte and /api/v1/card
POST_LINES_PER_ROUND = 100_000  # each round stamps pairs of its own, never seen before
DRAW_ENTRIES = 100_000
STAMPS_PER_DRAW_CARD = 10


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_wrk() -> str:
    """Path to wrk, installing Debian's package when it is missing (root only)."""
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is missing: apt-get install wrk")
    return path


@dataclass
class Server:
    """A gunicorn process group serving one app."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        """Stop the whole process group and wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_gunicorn(
    app_spec: str, env: dict[str, str], probe: str, chdir: Path, log: Path
) -> Server:
    """Start gunicorn with the benchmark's settings and wait until ``probe`` answers.

    gunicorn's own log (worker starts and ends, a request's traceback) goes to ``log``.
    """
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as log_file:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), *GUNICORN, "--bind", f"127.0.0.1:{port}",
             "--chdir", str(chdir), app_spec],
            env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=log_file,
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(url + probe, timeout=2):  # noqa: S310
                return Server(process, url)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn for {app_spec} did not start")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(wrk: str, url: str, lines_file: Path, track: str = "") -> dict[str, float]:
    """One wrk run; returns rps, p99 in ms, errors, and acknowledged requests.

    With ``track`` (a path prefix), wrk writes the line numbers of acknowledged requests
    and of each thread's last request, so the stamps can be checked one by one.
    """
    out = subprocess.run(  # noqa: S603
        [wrk, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency",
         "-s", str(WRK_SCRIPT), url, "--", str(lines_file), str(WRK_THREADS), track],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    errors = 0
    details = []
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
        details.append(match.group(0))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          out):
        errors += sum(int(n) for n in match.groups())
        details.append(match.group(0))
    if errors:
        print(f"  {url}: {'; '.join(details)}", flush=True)
    acked = int(re.search(r"ACKED (\d+)", out).group(1))  # type: ignore[union-attr]
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * UNITS[p99.group(2)] if p99 else float("nan"),
        "errors": errors,
        "acked": acked,
    }


def write_lines(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """Write the request list for wrk_requests.lua."""
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


def app_config(database_url: str, instance: Path) -> dict[str, Any]:
    """Settings shared by the in-process app and the gunicorn workers."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": SECRET,
        "BASE_URL": "http://127.0.0.1",
        "RATELIMIT_STAMP": "10000000 per minute",
        "RATELIMIT_RECOVERY": "10000000 per minute",
        "RATELIMIT_TYPED_CODE": "10000000 per minute",
        "INSTANCE": str(instance),
    }


def server_env(config: dict[str, Any]) -> dict[str, str]:
    """The environment that gives gunicorn's app the same settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update({
        "FLASK_SQLALCHEMY_DATABASE_URI": config["SQLALCHEMY_DATABASE_URI"],
        "FLASK_SECRET_KEY": config["SECRET_KEY"],
        "FLASK_BASE_URL": config["BASE_URL"],
        "FLASK_RATELIMIT_STAMP": config["RATELIMIT_STAMP"],
        "FLASK_RATELIMIT_RECOVERY": config["RATELIMIT_RECOVERY"],
        "FLASK_RATELIMIT_TYPED_CODE": config["RATELIMIT_TYPED_CODE"],
    })
    return env


def prepare(app: Any, tmp: Path) -> dict[str, Any]:
    """Migrate, load the demo, add 10,000 cards; return what the request lists need."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from app import clock
    from app.extensions import db
    from app.models import Card, CardKey, Stamp, Station
    from app.services import codes
    from app.services.demo import load_demo

    with app.app_context():
        upgrade()
        summary = load_demo(clock.utcnow(), tmp)
        stations = db.session.scalars(
            select(Station).where(Station.rally_id == summary.rally.id).order_by(Station.id)
        ).all()
        tokens = [s.token for s in stations]
        station_ids = [s.id for s in stations]
        rally_id = summary.rally.id
        now = clock.utcnow()
        # Cards started two hours ago whose stamps came ten minutes apart: honest
        # shoppers, so that no fraud signal fires on the measured stamps.
        started = now - timedelta(hours=2)
        secrets_, cards, keys = [], [], []
        for i in range(CARDS):
            secret = codes.new_card_secret()
            secrets_.append(secret)
            cards.append({"id": 1_000_000 + i, "rally_id": rally_id,
                          "code": crockford_code(1_000_000 + i), "created_at": started,
                          "flag": "none"})
            keys.append({"card_id": 1_000_000 + i, "secret_hash": codes.hash_secret(secret),
                         "created_at": started})
        db.session.execute(insert(Card), cards)
        db.session.execute(insert(CardKey), keys)
        stamps = [
            {"rally_id": rally_id, "card_id": 1_000_000 + i, "station_id": station_ids[j],
             "created_at": started + timedelta(minutes=10 * j), "source": "qr"}
            for i in range(READ_CARDS) for j in range(5)
        ]
        db.session.execute(insert(Stamp), stamps)
        db.session.commit()

        client = app.test_client()
        page = client.get(f"/s/{tokens[0]}").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        session_cookie = client.get_cookie("sitzung").value  # type: ignore[union-attr]
        db.session.remove()
        db.engine.dispose()
    return {"tokens": tokens, "secrets": secrets_, "csrf": csrf, "session": session_cookie,
            "rally_id": rally_id, "station_ids": station_ids}


def crockford_code(i: int) -> str:
    """A card code for index ``i``: ``Z`` + 7 base-32 digits, e.g. ``Z000-0001``."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    digits = ""
    for _ in range(7):
        digits = alphabet[i % 32] + digits
        i //= 32
    return f"Z{digits[:3]}-{digits[3:]}"


def request_lists(data: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """The request files of every target (a stamp file per round), and the card × station
    pair of each POST line (numbered across rounds, as wrk_requests.lua reports them)."""
    cookie = "sitzung=" + data["session"]
    secrets_ = data["secrets"]
    body = "csrf_token=" + data["csrf"]
    writable = range(READ_CARDS, CARDS)
    # Stations 5.. are unstamped on every writable card: each pair is stamped once at most.
    free_pairs = len(writable) * (len(data["tokens"]) - 5)
    per_round = min(POST_LINES_PER_ROUND, free_pairs // ROUNDS)
    rounds = []
    for r in range(ROUNDS):
        posts, pairs = [], []
        for k in range(r * per_round, (r + 1) * per_round):
            card = writable[k % len(writable)]
            station = 5 + k // len(writable)
            posts.append(("POST", f"/s/{data['tokens'][station]}",
                          f"{cookie}; stempelkarte={secrets_[card]}", body))
            pairs.append((1_000_000 + card, data["station_ids"][station]))
        rounds.append((write_lines(tmp / f"post-{r}.txt", posts), pairs))
    return {
        "stamp_rounds": rounds,
        "hello": write_lines(tmp / "hello.txt", [("GET", "/hello", "", "")]),
        "scan_get": write_lines(tmp / "scan.txt",
                                [("GET", f"/s/{t}", "", "") for t in data["tokens"]]),
        "card_get": write_lines(tmp / "card.txt", [
            ("GET", "/karte", f"stempelkarte={secrets_[i]}", "") for i in range(READ_CARDS)
        ]),
        "api_card": write_lines(tmp / "api.txt", [
            ("GET", "/api/v1/card", f"stempelkarte={secrets_[i]}", "")
            for i in range(READ_CARDS)
        ]),
    }


def check_stamps(
    app: Any, rounds: list[tuple[Path, list[tuple[int, int]]]], tracks: list[Path]
) -> tuple[int, int, int]:
    """Compare the database with what wrk saw; returns (acknowledged, in_db, unexplained).

    ``in_db`` counts new stamps, leaving out only those of requests that were still
    unanswered when wrk stopped (their outcome is unknown to the client either way).
    ``unexplained`` counts stamps no request asked for plus acknowledged ones that are
    missing: it must be 0.
    """
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Stamp

    def lines(track: Path, suffix: str) -> set[int]:
        return {int(n) for f in track.parent.glob(f"{track.name}-*.{suffix}")
                for n in f.read_text().split()}

    acked: set[tuple[int, int]] = set()
    unanswered: set[tuple[int, int]] = set()
    for (_lines, pairs), track in zip(rounds, tracks, strict=True):
        round_acked = {pairs[n - 1] for n in lines(track, "acked")}
        acked |= round_acked
        unanswered |= {pairs[n - 1] for n in lines(track, "inflight")} - round_acked
    with app.app_context():
        rows = db.session.execute(
            select(Stamp.card_id, Stamp.station_id).where(Stamp.card_id >= 1_000_000 + READ_CARDS)
        ).all()
        db.session.remove()
        db.engine.dispose()
    in_db = {(card, station) for card, station in rows}
    unexplained = len(in_db - acked - unanswered)
    missing = len(acked - in_db)
    return len(acked), len(in_db - unanswered), unexplained + missing


def time_print_set(app: Any) -> float:
    """Seconds for the whole print set of the 40 demo shops (SVG, PNG, branded, PDF)."""
    from app import clock
    from app.services.printset import build_print_set
    from app.services.rallies import active_stations, current_rally

    with app.app_context():
        rally = current_rally(clock.utcnow())
        stations = active_stations(rally.id)  # type: ignore[union-attr]
        start = time.perf_counter()
        files = build_print_set(rally, stations, "https://rallye.example.test",  # type: ignore[arg-type]
                                app.config["OFFICE"], "a4")
        elapsed = time.perf_counter() - start
        assert len(files) == 3 * len(stations) + 1
    return elapsed


def add_draw_population(app: Any, data: dict[str, Any]) -> None:
    """100,000 qualified entries with ten stamps each: 1,000,000 stamps in all."""
    from sqlalchemy import insert

    from app import clock
    from app.extensions import db
    from app.models import Card, Entry, Stamp

    now = clock.utcnow()
    station_ids = data["station_ids"][:STAMPS_PER_DRAW_CARD]
    first = 2_000_000
    chunk = 10_000
    with app.app_context():
        for start in range(0, DRAW_ENTRIES, chunk):
            ids = range(first + start, first + start + chunk)
            db.session.execute(insert(Card), [
                {"id": i, "rally_id": data["rally_id"], "code": crockford_code(i),
                 "created_at": now - timedelta(hours=(i % 96)), "flag": "none"} for i in ids
            ])
            db.session.execute(insert(Stamp), [
                {"rally_id": data["rally_id"], "card_id": i, "station_id": s,
                 "created_at": now - timedelta(minutes=(i * 7 + s * 13) % (60 * 96)),
                 "source": "qr"}
                for i in ids for s in station_ids
            ])
            db.session.execute(insert(Entry), [
                {"rally_id": data["rally_id"], "card_id": i, "name": f"Person {i}",
                 "contact_kind": "email", "contact": f"p{i}@example.org",
                 "age_confirmed": True, "terms_accepted_at": now,
                 "privacy_accepted_at": now, "created_at": now} for i in ids
            ])
            db.session.commit()
        db.session.remove()


def settle(app: Any) -> None:
    """On PostgreSQL, VACUUM ANALYZE after the bulk load, as autovacuum soon would.

    Right after a million inserted rows the planner has no statistics and the visibility
    map is empty, so the counts read every heap page; a server that has run for a
    minute has both. (SQLite keeps no such state.)
    """
    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()


def time_draw(app: Any, data: dict[str, Any]) -> float:
    """Seconds to seal and run a draw over the 100,000 entries."""
    from app import clock
    from app.extensions import db
    from app.services.draws import open_prizes, run_draw, seal_draw

    with app.app_context():
        prizes = [p.id for p in open_prizes(data["rally_id"])]
        start = time.perf_counter()
        # No beacon, so that seal and run are timed back to back; a reason in case the
        # benchmark's rally still takes entries.
        draw = seal_draw(rally_id=data["rally_id"], kind="final", prize_ids=prizes,
                         beacon_chain=None, reason="Messung", now=clock.utcnow())
        run_draw(draw_id=draw.id, now=clock.utcnow())
        elapsed = time.perf_counter() - start
        assert draw.pool_size == DRAW_ENTRIES, draw.pool_size
        db.session.remove()
    return elapsed


def time_dashboard(app: Any) -> float:
    """Milliseconds of server time for the staff dashboard over 1,000,000+ stamps."""
    from app.extensions import db
    from app.services.users import create_user

    with app.app_context():
        user = create_user(email="bench@example.org", password="bench-password-123",
                           role="staff")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        client.get("/buero/")  # warm templates and caches
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            response = client.get("/buero/")
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        db.session.remove()
        db.engine.dispose()
    return min(timings)


def reset_postgres(url: str) -> None:
    """Empty the PostgreSQL database's public schema."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def bench(database_url: str, label: str, wrk: str) -> dict[str, Any]:
    """The whole benchmark on one database."""
    from app import create_app
    from app.config import normalise_database_url

    tmp = Path(tempfile.mkdtemp(prefix="rallye-bench-"))
    if label == "sqlite":
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        database_url = normalise_database_url(database_url)
        reset_postgres(database_url)
    config = app_config(database_url, tmp)
    app = create_app(config)
    print(f"[{label}] preparing database ...", flush=True)
    data = prepare(app, tmp)
    lists = request_lists(data, tmp)

    env = server_env(config)
    logs = LOG_DIR / f"{label}-app.log", LOG_DIR / f"{label}-hello.log"
    target = start_gunicorn("wsgi:app", env, "/", ROOT, logs[0])
    hello = start_gunicorn("hello:app", env, "/hello", ROOT / "bench", logs[1])
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in CHOSEN}
    ratios: dict[str, list[float]] = {name: [] for name in CHOSEN}
    hellos: list[dict[str, float]] = []
    tracks: list[Path] = []
    try:
        for r in range(ROUNDS):
            before = run_wrk(wrk, hello.url, lists["hello"])
            hellos.append(before)
            for name in CHOSEN:
                print(f"[{label}] round {r + 1}/{ROUNDS}: {name}, then hello "
                      f"({DURATION}s each) ...", flush=True)
                if name == "stamp_post":
                    track = tmp / f"track-{r}"
                    tracks.append(track)
                    result = run_wrk(wrk, target.url, lists["stamp_rounds"][r][0], str(track))
                else:
                    result = run_wrk(wrk, target.url, lists[name])
                after = run_wrk(wrk, hello.url, lists["hello"])
                hellos.append(after)
                runs[name].append(result)
                ratios[name].append(result["rps"] / ((before["rps"] + after["rps"]) / 2))
                before = after
    finally:
        target.stop()
        hello.stop()

    acknowledged = in_db = unexplained = 0
    if "stamp_post" in runs:
        stamp_rounds = lists["stamp_rounds"][: len(tracks)]
        acknowledged, in_db, unexplained = check_stamps(app, stamp_rounds, tracks)
        assert acknowledged == sum(int(run["acked"]) for run in runs["stamp_post"])
    print_set = draw_seconds = dashboard_ms = float("nan")
    if BATCH:
        print(f"[{label}] timing the print set, the draw and the dashboard ...", flush=True)
        print_set = time_print_set(app)
        add_draw_population(app, data)
        settle(app)
        draw_seconds = time_draw(app, data)
        dashboard_ms = time_dashboard(app)
    shutil.rmtree(tmp, ignore_errors=True)
    nan = float("nan")
    names = TARGET_NAMES

    def spread(values: list[float], digits: int) -> dict[str, float]:
        if not values:
            return {"median": nan, "min": nan, "max": nan}
        return {"median": round(statistics.median(values), digits),
                "min": round(min(values), digits), "max": round(max(values), digits)}

    def median_rps(name: str) -> float:
        rates = [run["rps"] for run in runs.get(name, [])]
        return round(statistics.median(rates), 1) if rates else nan

    p99_of = {n: [run["p99_ms"] for run in runs.get(n, [])] for n in names}
    return {
        "rounds": ROUNDS,
        "hello_rps": round(statistics.median(h["rps"] for h in hellos), 1),
        **{f"{n}_rps": median_rps(n) for n in names},
        "ratios": {n: spread(ratios.get(n, []), 3)["median"] for n in names},
        "ratio_spread": {n: spread(ratios.get(n, []), 3) for n in names},
        "p99_ms": {"hello": round(max(h["p99_ms"] for h in hellos), 2),
                   **{n: round(max(p99_of[n]), 2) if p99_of[n] else nan for n in names}},
        "errors": int(sum(h["errors"] for h in hellos)
                      + sum(run["errors"] for rs in runs.values() for run in rs) + unexplained),
        "stamps_acknowledged": acknowledged,
        "stamps_in_db": in_db,
        "print_set_s": round(print_set, 3),
        "draw_100k_s": round(draw_seconds, 3),
        "dashboard_1m_ms": round(dashboard_ms, 1),
        "database": label,
    }


TARGETS = {
    # Medians over the rounds; each at least five times the best peer measured here (0.049).
    "ratios": {"scan_get": 0.30, "stamp_post": 0.25, "card_get": 0.25, "api_card": 0.30},
    "p99_ms": 50.0, "print_set_s": 3.0, "draw_100k_s": 1.0, "dashboard_1m_ms": 300.0,
}


def verdicts(result: dict[str, Any]) -> list[str]:
    """Targets missed by a result, in words."""
    missed = []
    for name, floor in TARGETS["ratios"].items():  # type: ignore[union-attr]
        if result["ratios"][name] is None or result["ratios"][name] != result["ratios"][name]:
            continue  # not measured in this run (BENCH_TARGETS)
        if result["ratios"][name] < floor:
            missed.append(f"{name} ratio {result['ratios'][name]} < {floor}")
    for name, p99 in result["p99_ms"].items():
        if p99 == p99 and p99 > TARGETS["p99_ms"]:  # type: ignore[operator]
            missed.append(f"p99 {name} {p99} ms > {TARGETS['p99_ms']} ms")
    if result["errors"]:
        missed.append(f"{result['errors']} errors")
    if result["stamps_in_db"] != result["stamps_acknowledged"]:
        missed.append("stamps in database differ from acknowledged stamps")
    for key in ("print_set_s", "draw_100k_s", "dashboard_1m_ms"):
        if result[key] > TARGETS[key]:  # type: ignore[operator]
            missed.append(f"{key} {result[key]} > {TARGETS[key]}")
    return missed


def print_table(result: dict[str, Any]) -> None:
    """A readable summary."""
    print(f"\n== {result['database']} ({platform.node()}, {os.cpu_count()} cores, "
          f"{datetime.now(UTC):%Y-%m-%d})")
    print(f"{result['rounds']} rounds; medians, with the rounds' min and max of each ratio")
    print(f"{'target':<12}{'req/s':>10}{'ratio':>8}{'min':>7}{'max':>7}{'p99 ms':>9}")
    print(f"{'hello':<12}{result['hello_rps']:>10}{'1.0':>8}{'':>7}{'':>7}"
          f"{result['p99_ms']['hello']:>9}")
    for name in ("scan_get", "stamp_post", "card_get", "api_card"):
        spread = result["ratio_spread"][name]
        print(f"{name:<12}{result[name + '_rps']:>10}{spread['median']:>8}{spread['min']:>7}"
              f"{spread['max']:>7}{result['p99_ms'][name]:>9}")
    print(f"errors {result['errors']}, stamps acknowledged {result['stamps_acknowledged']}, "
          f"in database {result['stamps_in_db']}")
    print(f"print set {result['print_set_s']} s, draw over 100k {result['draw_100k_s']} s, "
          f"dashboard over 1M stamps {result['dashboard_1m_ms']} ms")
    missed = verdicts(result)
    print("all targets met" if not missed else "MISSED: " + "; ".join(missed))


def without_nan(value: Any) -> Any:
    """``value`` with every NaN (a figure not measured in a partial run) as JSON null."""
    if isinstance(value, dict):
        return {key: without_nan(item) for key, item in value.items()}
    if isinstance(value, float) and value != value:
        return None
    return value


def main() -> int:
    """Run the benchmark on SQLite, and on PostgreSQL when one is configured."""
    wrk = ensure_wrk()
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "out" / "latest.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    runs = [("sqlite", "")]
    pg = os.environ.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""
    if pg.startswith("postgres") and os.environ.get("BENCH_SQLITE_ONLY") != "1":
        runs.append(("postgresql", pg))
    failed = False
    for label, url in runs:
        result = bench(url, label, wrk)
        target = out if label == "sqlite" else out.with_name(f"{out.stem}-postgresql.json")
        target.write_text(json.dumps(without_nan(result), indent=2) + "\n", encoding="utf-8")
        print_table(result)
        print(f"written to {target}")
        failed = failed or bool(verdicts(result))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
