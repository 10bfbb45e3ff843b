"""What every model module shares: the declarative base, enumerations, SQL helpers."""

from typing import TYPE_CHECKING

from ..extensions import Base, db

if TYPE_CHECKING:
    # mypy cannot follow Flask-SQLAlchemy's dynamically built db.Model; it is a Base.
    Model = Base
else:
    Model = db.Model

STAMP_SOURCES = ("qr", "short_code", "live", "staff")
STATION_MODES = ("printed", "live")
CARD_FLAGS = ("none", "flagged", "cleared", "excluded")
# What the fraud signals (app.services.fraud) notice; one row per card and kind at most.
SIGNAL_KINDS = ("speed", "burst", "shared_code", "network")
USER_ROLES = ("admin", "staff", "shopkeeper")
RALLY_STATUSES = ("draft", "published", "archived")
CONTACT_KINDS = ("email", "phone")
DRAW_KINDS = ("daily", "final")
DRAW_STATUSES = ("sealed", "run")
# drand networks a draw may name at sealing (app.services.drand.CHAINS describes them).
BEACON_CHAINS = ("default", "quicknet")
# What an uploaded picture is stored as after app.services.images re-encoded it.
IMAGE_TYPES = ("image/webp", "image/jpeg", "image/png")
ADVENT_DOORS = 24
# The languages of the public site (app.i18n); German is the source and the back office's.
LANGUAGES = ("de", "en", "tr")
# The languages staff may translate their own texts into (app.models.translations).
TRANSLATED_LANGUAGES = ("en", "tr")


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that ``column`` holds one of ``values`` (fixed literals only)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
