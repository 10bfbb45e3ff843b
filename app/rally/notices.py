"""One-shot notices for the card page ("Stempel 4!"), carried in a cookie of their own.

After a tap, an entry or a restored card, the shopper lands on the card page, which says
what just happened. Flask's ``flash`` would keep that in the session: the stamp would
re-sign the session cookie to add the message and the card page would re-sign it again to
remove it, about 100 µs on each tap for two lines of text. The notice instead travels in a
small cookie that only the card page receives (path ``/karte``) and that the page deletes
once it has shown it.

The cookie is not signed, so the page trusts nothing in it: a stamp notice names a station
and is shown only if the card holds a stamp there (with that shop's name from the
database), a "restored" notice only with the card's own number, "entered" only for a card
that has entered. A forged cookie can at most repeat a true notice on its own device.
"""

from collections.abc import Sequence
from typing import NamedTuple

from flask import current_app, request
from werkzeug.wrappers import Response

from ..services.cards import StampLine

COOKIE_NAME = "hinweis"
COOKIE_PATH = "/karte"
MAX_AGE_SECONDS = 300  # a notice is for the page right after the action
KINDS = ("stamp-new", "stamp-again", "entered", "restored")


class Given(NamedTuple):
    """A notice as the cookie holds it: its kind and one value (station id, card code)."""

    kind: str
    value: str


def give(response: Response, kind: str, value: str | int = "") -> None:
    """Let the card page that ``response`` leads to show a notice of ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice {kind!r}")
    response.set_cookie(
        COOKIE_NAME,
        f"{kind}.{value}",
        max_age=MAX_AGE_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["PRODUCTION"]),
    )


def carried() -> bool:
    """Whether this request carries a notice cookie at all (well-formed or not)."""
    return COOKIE_NAME in request.cookies


def given() -> Given | None:
    """The notice this request carries, if its cookie is well-formed."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    kind, _, value = raw.partition(".")
    if kind not in KINDS or len(value) > 20:
        return None
    return Given(kind, value)


def text_for(
    notice: Given, card_code: str, stamps: Sequence[StampLine], entered: bool
) -> str | None:
    """What the notice says on this card's page, or ``None`` if it does not hold for it."""
    if notice.kind in ("stamp-new", "stamp-again"):
        if not (notice.value.isascii() and notice.value.isdigit()):
            return None
        station_id = int(notice.value)
        for stamp in stamps:
            if stamp.station_id == station_id:
                return stamp.shop.name
        return None
    if notice.kind == "restored":
        return card_code if notice.value == card_code else None
    return "" if entered else None  # "entered"


def taken(response: Response) -> None:
    """Delete the notice cookie, once its page has been rendered (or it was no notice)."""
    response.delete_cookie(
        COOKIE_NAME,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["PRODUCTION"]),
    )
