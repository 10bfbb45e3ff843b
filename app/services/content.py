"""Texts the office writes (the rules of a rally, later news and service pages) as Markdown.

markdown-it-py turns the Markdown into HTML with raw HTML switched off, so that a
``<script>`` typed into a text shows as text; nh3 then keeps only the tags and
attributes of an allowlist and lets links point to web, mail and phone addresses or to
this site only, each with ``rel="noopener noreferrer"``. Images are left out: an image
from another server would be a third-party request on a page that promises none.
"""

import re
from typing import Any

import nh3
import phonenumbers
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

# The page around a text owns its <h1>: a "# Title" in the text becomes an <h2>.
TOP_HEADING = 2

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "strong", "em", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Good enough to find an address in running text; the mail program checks the rest.
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def contact_spans(text: str) -> list[tuple[int, int, str]]:
    """Where ``text`` names a phone number (German numbers, found by the phonenumbers
    library) or an e-mail address: ``(start, end, href)``, in order."""
    spans: list[tuple[int, int, str]] = []
    for match in phonenumbers.PhoneNumberMatcher(text, "DE"):
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        spans.append((match.start, match.end, f"tel:{number}"))
    for found in EMAIL_IN_TEXT.finditer(text):
        if not any(start < found.end() and found.start() < end for start, end, _ in spans):
            spans.append((found.start(), found.end(), f"mailto:{found.group()}"))
    return sorted(spans)


def _link_contacts(state: StateCore) -> None:
    """Core rule: phone numbers and e-mail addresses in plain text (not already inside a
    link) become ``tel:`` and ``mailto:`` links."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for token in block.children:
            in_link += token.type == "link_open"
            in_link -= token.type == "link_close"
            if token.type != "text" or in_link or not (spans := contact_spans(token.content)):
                children.append(token)
                continue
            position = 0
            for start, end, href in spans:
                if start > position:
                    children.append(_text_token(token.content[position:start]))
                opening = Token("link_open", "a", 1)
                opening.attrSet("href", href)
                children += [opening, _text_token(token.content[start:end]),
                             Token("link_close", "a", -1)]
                position = end
            if position < len(token.content):
                children.append(_text_token(token.content[position:]))
        block.children = children


def _text_token(content: str) -> Token:
    """A plain text token."""
    token = Token("text", "", 0)
    token.content = content
    return token


def _demote_headings(state: StateCore) -> None:
    """Core rule: headings above ``TOP_HEADING`` take that level instead."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and int(token.tag[1]) < TOP_HEADING:
            token.tag = f"h{TOP_HEADING}"


def _parser(*, link_contacts: bool = False) -> MarkdownIt:
    """CommonMark without raw HTML or images, German quotes, a line break per new line.

    Office staff write lines as they want them to appear, so a single new line is a line
    break (``breaks``), as it was when the rules were plain text. ``link_contacts``
    makes the phone numbers and e-mail addresses of the text links.
    """
    md = MarkdownIt(
        "commonmark",
        {"html": False, "breaks": True, "typographer": True, "quotes": "„“‚‘"},
    )
    md.enable(["replacements", "smartquotes"]).disable("image")
    md.core.ruler.push("demote_headings", _demote_headings)
    if link_contacts:
        md.core.ruler.push("link_contacts", _link_contacts)
    return md


_MARKDOWN = _parser()
_MARKDOWN_LINKING_CONTACTS = _parser(link_contacts=True)
_CLEANER: Any = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
)


def render_markdown(text: str, *, link_contacts: bool = False) -> Markup:
    """Safe HTML for an office text written in Markdown; with ``link_contacts`` its phone
    numbers and e-mail addresses become links (the service pages)."""
    parser = _MARKDOWN_LINKING_CONTACTS if link_contacts else _MARKDOWN
    return Markup(_CLEANER.clean(parser.render(text)))  # noqa: S704 (sanitised by nh3)
