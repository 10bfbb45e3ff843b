"""Office texts in Markdown: headings are headings, hostile input comes out harmless."""

import re

import pytest
from markupsafe import Markup

from app.services.content import render_markdown


def test_headings_lists_and_links_render() -> None:
    html = render_markdown(
        "## 1. Veranstalter\n\nDie Stadt.\nZweite Zeile.\n\n- eins\n- zwei\n\n"
        "Siehe [Ziehungen](/ziehungen) und [LDI](https://www.ldi.nrw.de)."
    )
    assert isinstance(html, Markup)
    assert "<h2>1. Veranstalter</h2>" in html
    assert "<p>Die Stadt.<br>\nZweite Zeile.</p>" in html  # one new line, one line break
    assert "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>" in html
    assert '<a href="/ziehungen" rel="noopener noreferrer">Ziehungen</a>' in html
    assert '<a href="https://www.ldi.nrw.de" rel="noopener noreferrer">LDI</a>' in html


def test_a_top_level_heading_becomes_h2_because_the_page_owns_h1() -> None:
    html = render_markdown("# Teilnahmebedingungen\n\n### Kleiner")
    assert "<h1" not in html
    assert "<h2>Teilnahmebedingungen</h2>" in html and "<h3>Kleiner</h3>" in html


def test_german_quotes_and_dashes() -> None:
    assert render_markdown('Der "Lostopf" -- versiegelt') == "<p>Der „Lostopf“ – versiegelt</p>\n"


def test_mail_and_phone_links_are_kept() -> None:
    html = render_markdown("[Mail](mailto:team@example.org) [Anruf](tel:+4923669360621)")
    assert 'href="mailto:team@example.org"' in html and 'href="tel:+4923669360621"' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">klick</a>',
        "[klick](javascript:alert(1))",
        "[klick](JaVaScRiPt:alert(1))",
        "[klick](  javascript:alert(1)  )",
        "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[klick](vbscript:msgbox(1))",
        "<iframe src=https://example.org></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<svg onload=alert(1)>",
        "[klick](java\tscript:alert(1))",
        "<a href='javascript:alert(1)'>x</a>",
        "![bild](https://tracker.example/pixel.gif)",
        "![x](javascript:alert(1))",
    ],
)
def test_hostile_input_renders_as_text(hostile: str) -> None:
    html = str(render_markdown(f"Vorher\n\n{hostile}\n\nNachher"))
    tags = set(re.findall(r"<\s*([a-zA-Z0-9]+)", html))
    assert tags <= {"p", "a", "br"}, html
    assert not re.search(r"<[^>]*\son\w+\s*=", html), html  # no event handler attribute
    assert not re.search(r'href="\s*(javascript|vbscript|data):', html, re.IGNORECASE), html
    assert not re.search(r"<[^>]*\sstyle\s*=", html), html
    assert "Vorher" in html and "Nachher" in html


def test_raw_html_is_escaped_not_dropped() -> None:
    """Staff see what they typed (as text) rather than losing it silently."""
    assert "&lt;b&gt;fett&lt;/b&gt;" in render_markdown("<b>fett</b>")


def test_only_allowlisted_attributes_survive() -> None:
    html = render_markdown('[x](https://example.org "Titel")\n\n3. drei\n4. vier')
    assert '<a href="https://example.org" title="Titel" rel="noopener noreferrer">x</a>' in html
    assert '<ol start="3">' in html
