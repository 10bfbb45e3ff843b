"""Control characters (NUL, escape, the C1 block ...) never reach the database.

PostgreSQL refuses NUL in text outright (an error, so a 500), and the other control
characters are invisible garbage in a name or an address. Three gates keep them out:

- every form inherits :class:`app.forms.BaseForm`, which refuses them field by field
  with a German message (tab, line feed and carriage return stay allowed in multi-line
  fields);
- a URL path segment holding one matches no route (404): this module's converter
  replaces Werkzeug's default ``string`` converter for every route;
- a query string holding one is refused with 400 before any view reads it.

The CSV import checks its cells with :func:`has_control_characters` as well.
"""

import re

from flask import Flask, abort, request
from werkzeug.routing import BaseConverter, Map

# Unicode's control characters (category Cc): C0, DEL and C1.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# The same without tab, line feed and carriage return, for multi-line text.
CONTROL_EXCEPT_LINE_BREAKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# One character of a URL path segment: anything but a slash or a control character.
SEGMENT_CHARACTER = r"[^/\x00-\x1f\x7f-\x9f]"


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds a control character; ``multiline`` allows \\t, \\n and \\r."""
    pattern = CONTROL_EXCEPT_LINE_BREAKS if multiline else CONTROL
    return pattern.search(text) is not None


def shown(text: str) -> str:
    """``text`` with each control character replaced by "�", for reports that quote it."""
    return CONTROL.sub("\ufffd", text)


class TextConverter(BaseConverter):
    """Werkzeug's default converter (one path segment), without control characters.

    ``/s/%00`` names no station, no card and no page: no route matches, and the visitor
    sees the German 404 page instead of a query that PostgreSQL would refuse. The
    characters are kept out of the pattern itself (rather than refused in ``to_python``)
    so that the answer is a plain 404 for every method. Takes the arguments of
    Werkzeug's ``string`` converter (``minlength``, ``maxlength``, ``length``).
    """

    def __init__(
        self, map: Map, minlength: int = 1, maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map)
        if length is not None:
            quantity = f"{{{int(length)}}}"
        else:
            quantity = f"{{{int(minlength)},{'' if maxlength is None else int(maxlength)}}}"
        self.regex = SEGMENT_CHARACTER + quantity


def refuse_control_characters_in_query() -> None:
    """400 for a query string whose names or values hold control characters."""
    if not request.query_string:
        return
    for name, value in request.args.items(multi=True):
        if CONTROL.search(name) or CONTROL.search(value):
            abort(400)


def init_app(app: Flask) -> None:
    """Install the converter (before any route is added) and the query-string check."""
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    app.before_request(refuse_control_characters_in_query)
