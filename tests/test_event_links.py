""""Link vergessen?": the personal links of one's registrations by mail, the same answer
for every address, the address forgotten once the mail is sent."""

from datetime import UTC

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import EventRegistration, OutboxMail
from app.services import events

from .event_builders import make_event
from .helpers import FIRST_DAY, csrf_token
from .smtp import Mailbox

pytestmark = pytest.mark.usefixtures("freeze")

NOW = FIRST_DAY.astimezone(UTC)
URL = "/veranstaltungen/meine-anmeldungen"


def ask(client: FlaskClient, email: str, *, token: bool = True) -> int:
    """Send the form; return the status (mails go out when the response closes)."""
    page = client.get(URL).get_data(as_text=True)
    data = {"email": email}
    if token:
        data["csrf_token"] = csrf_token(page)
    with client.post(URL, data=data) as response:
        if response.status_code == 303:
            assert response.headers["Location"] == URL + "/verschickt"
        return response.status_code


def outbox_size() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(OutboxMail)) or 0)


def test_the_links_of_registrations_in_play_come_in_one_mail(
        client: FlaskClient, mailbox: Mailbox) -> None:
    evening, tour, other = make_event(), make_event(capacity=1), make_event()
    db.session.commit()
    confirmed = events.register(slug=evening.slug, name="Anna Beispiel",
                                email="anna@example.org", consent=True, now=NOW)
    events.register(slug=tour.slug, name="Bert", email="bert@example.org", consent=True,
                    now=NOW)
    waiting = events.register(slug=tour.slug, name="Anna Beispiel", email="anna@example.org",
                              consent=True, now=NOW)
    left = events.register(slug=other.slug, name="Anna Beispiel", email="anna@example.org",
                           consent=True, now=NOW)
    events.cancel(token=left.token, now=NOW)
    mailbox.clear()

    assert ask(client, "  Anna@Example.org ") == 303
    [message] = mailbox.to("anna@example.org")
    text = Mailbox.text(message)
    assert f"/veranstaltungen/anmeldung/{confirmed.token}" in text
    assert f"/veranstaltungen/anmeldung/{waiting.token}" in text
    assert left.token not in text  # cancelled: nothing to do there any more
    db.session.expire_all()
    row = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "event_links")).one()
    assert row.status == "sent" and "anna" not in row.recipient and row.text_body == ""
    shown = client.get(URL + "/verschickt").get_data(as_text=True)
    assert "Schauen Sie in Ihr Postfach" in shown


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
        client: FlaskClient, mailbox: Mailbox) -> None:
    make_event()
    db.session.commit()
    before = outbox_size()
    assert ask(client, "niemand@example.org") == 303
    assert outbox_size() == before and mailbox.to("niemand@example.org") == []


def test_bad_input_and_a_missing_token_are_refused_and_send_nothing(
        client: FlaskClient, mailbox: Mailbox) -> None:
    event = make_event()
    db.session.commit()
    events.register(slug=event.slug, name="Anna", email="anna@example.org", consent=True,
                    now=NOW)
    before = outbox_size()
    page = client.get(URL).get_data(as_text=True)
    response = client.post(URL, data={"csrf_token": csrf_token(page), "email": "anna@"})
    assert response.status_code == 400
    assert "Das ist keine gültige E-Mail-Adresse." in response.get_data(as_text=True)
    assert ask(client, "anna@example.org", token=False) == 400
    assert outbox_size() == before
    assert client.get(URL + "?email=anna@example.org").status_code == 200
    assert outbox_size() == before  # a GET sends nothing


def test_the_already_registered_answer_leads_to_the_form(client: FlaskClient) -> None:
    event = make_event()
    db.session.commit()
    events.register(slug=event.slug, name="Anna", email="anna@example.org", consent=True,
                    now=NOW)
    page = client.get(f"/veranstaltungen/{event.slug}").get_data(as_text=True)
    response = client.post(f"/veranstaltungen/{event.slug}", data={
        "csrf_token": csrf_token(page), "name": "Anna", "email": "anna@example.org",
        "consent": "y"})
    assert response.status_code == 409
    assert f'href="{URL}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(EventRegistration)) == 1
