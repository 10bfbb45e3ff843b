"""Integers in URLs no larger than the database's: ``<int:...>`` stops at 2⁶³ − 1.

Werkzeug's ``int`` converter takes any number of digits. SQLite refuses a parameter
beyond its 64-bit INTEGER with an OverflowError, so ``/buero/leerstand/99999999999999999999``
would be a 500 instead of a 404. The converter below is Werkzeug's own with a default
``max``, installed under the name ``int`` through ``url_map.converters`` (the documented
way to add converters); a larger number simply matches no route.
"""

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# The largest value of a signed 64-bit INTEGER (SQLite, PostgreSQL's BIGINT).
ID_MAX = 2**63 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``int`` with ``max`` defaulting to :data:`ID_MAX`."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        """As IntegerConverter; ``max`` is ID_MAX unless the rule names one."""
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Install the converter (before any route is added)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
