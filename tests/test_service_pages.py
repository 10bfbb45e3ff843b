"""The office's service pages: phone numbers and e-mail addresses are links, in the call
to action and in the office's texts."""

import pytest
from flask.testing import FlaskClient

from app.config import OFFICE
from app.extensions import db
from app.models import Service
from app.templating import contact_links


def test_service_page_links_phone_and_email(client: FlaskClient) -> None:
    db.session.add(Service(slug="kurzberatung", title="Kurzberatung", summary="Kurz.",
                           body="Lang.", position=1))
    db.session.commit()
    html = client.get("/angebote/kurzberatung").text
    notice = html[html.index('<p class="notice">'):]
    notice = notice[:notice.index("</p>")]
    assert f'<a href="tel:{OFFICE["phone_link"]}">{OFFICE["phone"]}</a>' in notice
    assert f'<a href="mailto:{OFFICE["email"]}">{OFFICE["email"]}</a>' in notice


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Rufen Sie 02366 9360621 an.",
         'Rufen Sie <a href="tel:+4923669360621">02366 9360621</a> an.'),
        ("Mobil: +49 171 2345678", 'Mobil: <a href="tel:+491712345678">+49 171 2345678</a>'),
        ("Schreiben Sie an info@innenstadt-herten.de.",
         'Schreiben Sie an <a href="mailto:info@innenstadt-herten.de">'
         "info@innenstadt-herten.de</a>."),
        ("45699 Herten, 1.12.2026, 100 €", "45699 Herten, 1.12.2026, 100 €"),  # no numbers
        ("<b>fett</b> & Co.", "&lt;b&gt;fett&lt;/b&gt; &amp; Co."),  # escaped
    ],
)
def test_contact_links(text: str, html: str) -> None:
    assert contact_links(text) == html


def test_service_texts_link_their_phone_numbers_and_addresses(client: FlaskClient) -> None:
    db.session.add(Service(slug="termine", title="Termine", summary="Kurz.", position=1,
                           body="Erster Absatz.\n\nRufen Sie 02366 9360621 an oder schreiben "
                                "Sie an nutzungsmanagement@innenstadt-herten.de."))
    db.session.commit()
    html = client.get("/angebote/termine").text
    body = html.split('class="lead"')[1].split('id="kontakt-angebot"')[0]
    # The body is Markdown now; the sanitiser gives every link its rel.
    assert ('<a href="tel:+4923669360621" rel="noopener noreferrer">02366 9360621</a>'
            in body)
    assert ('<a href="mailto:nutzungsmanagement@innenstadt-herten.de" '
            'rel="noopener noreferrer">nutzungsmanagement@innenstadt-herten.de</a>') in body
