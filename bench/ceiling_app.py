"""The ceiling for the card's two reads: Flask alone, without this app's stack.

`make bench-ceiling` serves this next to the bare hello app and the real app. It answers
`GET /karte` and `GET /api/v1/card` from the same SQLite database with the real app's
card statement (``CARD_VIEW_BY_KEY``, compiled once), run on one sqlite3 connection per
thread, and fills the card's code and stamps into a stored copy of the real card page
(so both send about the same bytes, with the same security headers). What it leaves out is
everything the app adds around those reads: the extensions' hooks, the session, the
connection pool, SQLAlchemy's converters, the render cache, the notices. Its ratio to
the bare hello app is what a Flask app doing these reads can reach on the machine at
hand; it is not a product and serves nothing else.

Settings from the environment: ``CEILING_DATABASE`` (the SQLite file) and
``CEILING_PAGE`` (the stored card page with its holes ``@@CODE@@`` and ``@@STAMPS@@``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from contextlib import closing
from typing import Any

from flask import Flask, Response, abort, request
from markupsafe import escape
from sqlalchemy.dialects import sqlite

from app.config import defaults
from app.prepared import compile_for
from app.security import SecurityHeaders
from app.services.stamping import CARD_VIEW_BY_KEY

app = Flask(__name__)
app.config["PRODUCTION"] = False  # what SecurityHeaders reads: no HSTS, as in the bench
app.wsgi_app = SecurityHeaders(app.wsgi_app, app.config)  # type: ignore[method-assign]

DATABASE = os.environ.get("CEILING_DATABASE", "")
PAGE = os.environ.get("CEILING_PAGE", "")
COOKIE = defaults("")["CARD_COOKIE_NAME"]  # the bench keeps the app's default
CARD_SQL = compile_for(CARD_VIEW_BY_KEY.statement, sqlite.dialect()).sql
# Row layout of CARD_VIEW_BY_KEY: card id, code, rally id, entry id, tag, the rally's
# columns (name, slug, goal, ...), then station id, stamp time and source.
STATION, AT, SOURCE = -3, -2, -1
local = threading.local()


def connection() -> sqlite3.Connection:
    """This thread's connection, opened on first use."""
    conn: sqlite3.Connection | None = getattr(local, "conn", None)
    if conn is None:
        conn = local.conn = sqlite3.connect(DATABASE)
    return conn


def load_tables() -> dict[str, Any]:
    """The stored page cut at its holes, and the station → shop slug and rally tables.

    Read once at import, as the app keeps its station table per process.
    """
    if not (DATABASE and PAGE):
        return {}
    with open(PAGE, encoding="utf-8") as file:
        head, rest = file.read().split("@@CODE@@", 1)
    middle, tail = rest.split("@@STAMPS@@", 1)
    with closing(sqlite3.connect(DATABASE)) as conn:
        slugs = dict(conn.execute(
            "SELECT stations.id, shops.slug FROM stations JOIN shops ON shops.id = stations.shop_id"
        ).fetchall())
        rallies = {rally_id: (slug, goal) for rally_id, slug, goal
                   in conn.execute("SELECT id, slug, stamp_goal FROM rallies")}
    return {"page": (head, middle, tail), "slugs": slugs, "rallies": rallies}


TABLES = load_tables()


def card_rows() -> list[tuple[Any, ...]]:
    """The card statement's rows for this browser's cookie; 404 without a card."""
    secret = request.cookies.get(COOKIE, "")
    key = hashlib.sha256(secret.encode("ascii", "replace")).hexdigest()
    rows = connection().execute(CARD_SQL, (key,)).fetchall() if secret else []
    if not rows:
        abort(404)
    return rows


@app.get("/hello")
def hello() -> str:
    """The probe the benchmark waits for."""
    return "Hallo"


@app.get("/karte")
def card() -> Response:
    """The stored card page with this card's code and stamps."""
    rows = card_rows()
    slugs = TABLES["slugs"]
    stamps = "".join(
        f"<li>{escape(slugs.get(row[STATION], ''))} <time>{escape(row[AT])}</time></li>"
        for row in rows if row[STATION] is not None
    )
    head, middle, tail = TABLES["page"]
    return Response("".join((head, str(escape(rows[0][1])), middle, stamps, tail)),
                    mimetype="text/html")


@app.get("/api/v1/card")
def api_card() -> Response:
    """The JSON card: code, stamps with shop slug and time, count, goal, qualified."""
    rows = card_rows()
    slug, goal = TABLES["rallies"][rows[0][2]]
    stamps = [
        {"shop": TABLES["slugs"].get(row[STATION]), "at": row[AT], "source": row[SOURCE]}
        for row in rows if row[STATION] is not None
    ]
    body = {"code": rows[0][1], "rally": slug, "stamps": stamps,
            "stamp_count": len(stamps), "goal": goal, "qualified": len(stamps) >= goal}
    return Response(json.dumps(body), mimetype="application/json")
