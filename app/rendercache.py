"""Render once what many requests show alike: URLs, header and footer, list items, pages.

The shopper's pages are small, yet rendering them cost more than reading their data:
a dozen links and twenty translated strings in the header and footer alone. Here they
are rendered once per process and reused.

Nothing is ever stale, so nothing needs invalidating: every key holds all that the output
depends on. That is the language, the script root, and the records shown, which are
immutable records read afresh from the database on each request (a renamed shop is a
new key). What differs per visitor never enters a cache: logged-in staff get fresh
renderings, and a cached page's CSRF token is a hole filled in for each response.
"""

import re
import secrets
from collections.abc import Callable, Hashable, Iterable, Mapping
from functools import cache
from typing import Any

from flask import (
    Flask,
    current_app,
    has_request_context,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

# Renderings kept per list-item template (stations and stamps of the running rallies).
FRAGMENTS_PER_TEMPLATE = 4096

# Stands for the CSRF token in cached HTML; random, so no page content can imitate it.
CSRF_HOLE = "csrf-hole-" + secrets.token_hex(16)
_HOLE_SALT = secrets.token_hex(16)


@cache
def hole(name: str) -> str:
    """The placeholder for the per-response value ``name`` in a cached page.

    Random like ``CSRF_HOLE``, and only letters, digits, dashes and underscores, which
    HTML escaping leaves as they are.
    """
    return f"hole-{name}-{_HOLE_SALT}"


class Memo:
    """A dict of renderings, bounded by emptying it when full (the keys are few)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: dict[Hashable, Any] = {}

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value for ``key``, made and remembered on first use."""
        value = self.items.get(key)
        if value is None:
            value = make()
            if len(self.items) >= self.size:
                self.items.clear()
            self.items[key] = value
        return value


def staff_request() -> bool:
    """Whether a logged-in staff member makes this request.

    Staff log in without "remember me" (see app.auth), so a browser without Flask-Login's
    user id in its session is a visitor; only the others need Flask-Login's full check.
    """
    return "_user_id" in session and bool(current_user.is_authenticated)


def memo(name: str) -> Memo:
    """The app's memo ``name``: ``urls``, ``parts`` or ``pages``."""
    memos: dict[str, Memo] = current_app.extensions["rallye_render"]
    return memos[name]


def shared_key(*parts: Hashable) -> tuple[Hashable, ...]:
    """A key for output shared by visitors: ``parts`` plus language and script root."""
    environ = request.environ  # one per request, unlike g (one per app context)
    scope = environ.get("rallye.render_scope")
    if scope is None:
        scope = environ["rallye.render_scope"] = (str(get_locale()), request.script_root)
    return (*scope, *parts)


def cached_url_for(endpoint: str, **values: Any) -> str:
    """``url_for`` for templates, remembered per process.

    A relative URL depends only on the endpoint, its arguments and the script root (and,
    for ``.endpoint``, the blueprint). Calls with options (``_external``, ``_anchor``...)
    or unhashable arguments are not remembered.
    """
    if not has_request_context() or any(key.startswith("_") for key in values):
        return url_for(endpoint, **values)
    blueprint = request.blueprint if endpoint.startswith(".") else None
    try:
        key = (request.script_root, blueprint, endpoint, frozenset(values.items()))
    except TypeError:
        return url_for(endpoint, **values)
    url: str = memo("urls").get(key, lambda: url_for(endpoint, **values))
    return url


def _render_markup(name: str, context: dict[str, Any]) -> Markup:
    return Markup(render_template(name, **context))  # noqa: S704 (autoescaped template)


def site_part(name: str) -> Markup:
    """The header or footer template ``name``: the same on every page for visitors.

    Staff get it freshly rendered, since their header holds a logout form.
    """
    if not has_request_context() or staff_request():
        return _render_markup(name, {})
    part: Markup = memo("parts").get(shared_key(name), lambda: _render_markup(name, {}))
    return part


def fragment(name: str, **context: Hashable) -> Markup:
    """A small template (one list item) rendered once per distinct ``context``.

    ``context`` must be hashable records; the template must not depend on the visitor.
    """
    key = shared_key(name, tuple(sorted(context.items())))
    part: Markup = memo("parts").get(key, lambda: _render_markup(name, context))
    return part


def fragments(name: str, variable: str, records: Iterable[Hashable]) -> Markup:
    """:func:`fragment` for each of ``records`` (given to the template as ``variable``),
    joined: a whole list in one call.

    The renderings of one template sit in one table keyed by the record alone, so that a
    list of forty costs forty dictionary lookups.
    """
    table: Memo = memo("parts").get(
        shared_key(name, variable), lambda: Memo(FRAGMENTS_PER_TEMPLATE)
    )
    rendered = []
    for record in records:
        part = table.items.get(record)  # the common case, without making a closure
        if part is None:
            part = table.get(record, lambda: _render_markup(name, {variable: record}))  # noqa: B023
        rendered.append(part)
    return Markup("".join(rendered))  # noqa: S704 (joins autoescaped renderings)


def render_page(
    name: str, key: Hashable, holes: Mapping[str, str] | None = None, **context: Any
) -> str:
    """``render_template`` for a page whose content is determined by ``key`` and ``holes``.

    ``key`` must hold every value the page shows (records, flags) other than the holes;
    ``context`` gives them to the template. For visitors the page is rendered once per
    key, language and script root; its CSRF token is filled in per response. Staff get
    a fresh rendering, and so does everyone when ``key`` is None.

    ``holes`` are the template variables whose values differ between responses of one
    key (a card's code, its list of stamps). The stored page holds a placeholder for each,
    replaced in every response by the value, escaped unless it is ``Markup``; a template
    must print a hole as it is, never test or transform it.
    """
    holes = holes or {}
    if key is None or staff_request():
        return render_template(name, **context, **holes)

    def make() -> tuple[str, ...]:
        placeholders = {variable: hole(variable) for variable in holes}
        page = render_template(name, csrf_token=lambda: CSRF_HOLE, **context, **placeholders)
        return split_at_holes(page, holes)

    pieces: tuple[str, ...] = memo("pages").get(shared_key(name, key, *holes), make)
    return fill(pieces, holes)


def split_at_holes(page: str, holes: Iterable[str]) -> tuple[str, ...]:
    """``page`` cut at its placeholders: text at even indexes, at odd ones the name of
    the hole that stood there (``CSRF_HOLE`` for the CSRF token).

    Filling a page cut once costs one join per response, instead of a pass over the whole
    page for each hole.
    """
    markers = {hole(variable): variable for variable in holes}
    markers[CSRF_HOLE] = CSRF_HOLE
    pattern = "|".join(re.escape(marker) for marker in markers)
    parts = re.split(f"({pattern})", page)
    return tuple(part if index % 2 == 0 else markers[part] for index, part in enumerate(parts))


def fill(pieces: tuple[str, ...], holes: Mapping[str, str]) -> str:
    """The page of :func:`split_at_holes` with each hole's value, escaped unless it is
    ``Markup``, and a CSRF token of this visitor where the page has a form."""
    if len(pieces) == 1:
        return pieces[0]
    values = {variable: str(escape(value)) for variable, value in holes.items()}
    if CSRF_HOLE in pieces:
        values[CSRF_HOLE] = generate_csrf()
    filled = list(pieces)
    for index in range(1, len(filled), 2):
        filled[index] = values[filled[index]]
    return "".join(filled)


def init_app(app: Flask) -> None:
    """Give the app its memos and the template globals that use them."""
    app.extensions["rallye_render"] = {
        "urls": Memo(4096),
        "parts": Memo(4096),
        "pages": Memo(1024),
    }
    app.jinja_env.globals.update(
        url_for=cached_url_for, site_part=site_part, fragment=fragment, fragments=fragments
    )
