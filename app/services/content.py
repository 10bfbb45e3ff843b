"""Texts the office writes (the rules of a rally, later news and service pages) as Markdown.

markdown-it-py turns the Markdown into HTML with raw HTML switched off, so that a
``<script>`` typed into a text shows as text; nh3 then keeps only the tags and
attributes of an allowlist and lets links point to web, mail and phone addresses or to
this site only, each with ``rel="noopener noreferrer"``. Images are left out: an image
from another server would be a third-party request on a page that promises none.
"""

from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markupsafe import Markup

# The page around a text owns its <h1>: a "# Title" in the text becomes an <h2>.
TOP_HEADING = 2

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "strong", "em", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _demote_headings(state: StateCore) -> None:
    """Core rule: headings above ``TOP_HEADING`` take that level instead."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and int(token.tag[1]) < TOP_HEADING:
            token.tag = f"h{TOP_HEADING}"


def _parser() -> MarkdownIt:
    """CommonMark without raw HTML or images, German quotes, a line break per new line.

    Office staff write lines as they want them to appear, so a single new line is a line
    break (``breaks``), as it was when the rules were plain text.
    """
    md = MarkdownIt(
        "commonmark",
        {"html": False, "breaks": True, "typographer": True, "quotes": "„“‚‘"},
    )
    md.enable(["replacements", "smartquotes"]).disable("image")
    md.core.ruler.push("demote_headings", _demote_headings)
    return md


_MARKDOWN = _parser()
_CLEANER: Any = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
)


def render_markdown(text: str) -> Markup:
    """Safe HTML for an office text written in Markdown."""
    return Markup(_CLEANER.clean(_MARKDOWN.render(text)))  # noqa: S704 (sanitised by nh3)
