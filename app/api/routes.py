"""JSON views. Nothing here writes, and nothing exposes a station token."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from .. import clock
from ..extensions import csrf, db
from ..models import Draw
from ..security import no_store
from ..services.cards import CardError, card_for_secret, card_stamps
from ..services.draws import public_record
from ..services.rallies import active_stations, current_rally
from . import bp

OPENAPI_FILE = Path(__file__).with_name("openapi.json")

csrf.exempt(bp)  # read-only: GET and HEAD only


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI description, read once per process."""
    document: dict[str, Any] = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    return document


def problem(status: int, code: str, detail: str) -> tuple[Response, int]:
    """A JSON error body with a stable ``code`` and a German ``detail``."""
    return jsonify(error=code, detail=detail), status


@bp.get("/openapi.json")
def openapi() -> Response:
    """Serve the API description."""
    return jsonify(openapi_document())


def clock_time(minutes: int) -> str:
    """Minutes since midnight as ``HH:MM`` (``24:00`` for the end of the day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@bp.get("/shops")
def shops() -> Response | tuple[Response, int]:
    """The shops of the current rally (never their tokens or short codes)."""
    rally = current_rally(clock.utcnow())
    if rally is None:
        return problem(404, "no_rally", _("Zurzeit läuft keine Rallye."))
    items = [
        {
            "slug": s.shop.slug,
            "name": s.shop.name,
            "category": s.shop.category,
            "address": {"street": s.shop.street, "postcode": s.shop.postcode, "city": s.shop.city},
            "lat": s.shop.lat,
            "lon": s.shop.lon,
            "opening_hours": s.shop.opening_hours,
            "hours": [{"weekday": h.weekday, "opens": clock_time(h.opens),
                       "closes": clock_time(h.closes)} for h in s.shop.hours],
            "website": s.shop.website or None,
        }
        for s in active_stations(rally.id, with_hours=True)
    ]
    return jsonify(rally={"slug": rally.slug, "name": rally.name}, shops=items)


@bp.get("/card")
@no_store
def card() -> Response | tuple[Response, int]:
    """The card of this browser's cookie: code, stamps, count, goal, qualified."""
    secret = request.cookies.get(current_app.config["CARD_COOKIE_NAME"])
    try:
        found = card_for_secret(secret)
    except CardError:
        return problem(400, "bad_card", _("Die Stempelkarte in diesem Browser ist ungültig."))
    if found is None:
        return problem(404, "no_card", _("Dieser Browser hat noch keine Stempelkarte."))
    stamps = card_stamps(found.id)
    goal = found.rally.stamp_goal
    return jsonify(
        code=found.code,
        rally=found.rally.slug,
        stamps=[
            {
                "shop": stamp.shop_slug,
                "at": stamp.created_at.isoformat().replace("+00:00", "Z"),
                "source": stamp.source,
            }
            for stamp in stamps
        ],
        stamp_count=len(stamps),
        goal=goal,
        qualified=len(stamps) >= goal,
    )


@bp.get("/draws/<int:draw_id>")
def draw(draw_id: int) -> Response | tuple[Response, int]:
    """The public record of a draw: hashes and commitment; seed and winners once run."""
    item = db.session.get(Draw, draw_id)
    if item is None:
        return problem(404, "no_draw", _("Diese Ziehung gibt es nicht."))
    record = public_record(item)
    record["pool_url"] = url_for("office.pool_file", draw_id=item.id, _external=False)
    return jsonify(record)
