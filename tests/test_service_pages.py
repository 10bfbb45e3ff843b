"""The office's service pages: the call to action links phone and e-mail."""

from flask.testing import FlaskClient

from app.config import OFFICE
from app.extensions import db
from app.models import Service


def test_service_page_links_phone_and_email(client: FlaskClient) -> None:
    db.session.add(Service(slug="kurzberatung", title="Kurzberatung", summary="Kurz.",
                           body="Lang.", position=1))
    db.session.commit()
    html = client.get("/angebote/kurzberatung").text
    notice = html[html.index('<p class="notice">'):]
    notice = notice[:notice.index("</p>")]
    assert f'<a href="tel:{OFFICE["phone_link"]}">{OFFICE["phone"]}</a>' in notice
    assert f'<a href="mailto:{OFFICE["email"]}">{OFFICE["email"]}</a>' in notice
