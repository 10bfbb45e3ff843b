"""The Nachfolgebörse in public: the list with filters, one profile, the inquiry form
with its two mails, the thank-you page; the owner's contact and the office's note never
appear anywhere public."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import demo_data
from app.extensions import db
from app.models import Inquiry, OutboxMail, SuccessorProfile
from app.services import successors
from app.services.demo import load_successors

from .helpers import FIRST_DAY, csrf_token
from .smtp import Mailbox

pytestmark = pytest.mark.usefixtures("freeze")

NOW = FIRST_DAY.astimezone(UTC)
YEAR = FIRST_DAY.year
BAKERY, FASHION, OPTICIAN, DRAFT = (f"N-{YEAR}-0{n}" for n in range(1, 5))
# What must never be public: every owner's contact and every internal note of the demo.
SECRETS = [value for item in demo_data.SUCCESSOR_PROFILES
           for value in (item["owner_name"], item["owner_email"], item["owner_phone"],
                         item["internal_note"]) if value]


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo's profiles: three published, one draft."""
    load_successors(NOW)
    db.session.commit()


def profile(code: str) -> SuccessorProfile:
    found = successors.by_code(code)
    assert found is not None
    return found


def assert_no_secrets(text: str) -> None:
    for value in SECRETS:
        assert value not in text, value


def state() -> tuple[int, int, list[tuple[object, ...]]]:
    """Inquiries, mails in the outbox and the profiles, fresh from the database."""
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(Inquiry)) or 0,
            db.session.scalar(select(func.count()).select_from(OutboxMail)) or 0,
            [tuple(row) for row in db.session.execute(select(
                SuccessorProfile.code, SuccessorProfile.status, SuccessorProfile.updated_at)
                .order_by(SuccessorProfile.id))])


def form_values(client: FlaskClient, code: str, **overrides: str | None) -> dict[str, str]:
    page = client.get(f"/nachfolge/{code}")
    assert page.status_code == 200
    values: dict[str, str | None] = {
        "csrf_token": csrf_token(page.get_data(as_text=True)), "name": "Jana Neumann",
        "email": "jana.neumann@example.org", "phone": "0170 1234567",
        "message": "Ich bin Bäckermeisterin und suche einen eigenen Betrieb.",
        "consent": "y"}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


# ---------------------------------------------------------------------------
# Public pages
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
def test_the_list_shows_published_profiles_anonymously(client: FlaskClient) -> None:
    page = client.get("/nachfolge").get_data(as_text=True)
    for code in (BAKERY, FASHION, OPTICIAN):
        assert code in page
    assert DRAFT not in page and "Fahrradwerkstatt" not in page
    assert "Die Profile sind anonym" in page and "über das Formular" in page
    assert_no_secrets(page)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("branche=food", [BAKERY], [FASHION, OPTICIAN]),
    ("lage=westerholt", [OPTICIAN], [BAKERY, FASHION]),
    ("branche=retail&lage=mitte", [FASHION], [BAKERY, OPTICIAN]),
])
def test_the_list_filters_by_sector_and_area(client: FlaskClient, query: str,
                                             shown: list[str], hidden: list[str]) -> None:
    page = client.get(f"/nachfolge?{query}").get_data(as_text=True)
    assert all(code in page for code in shown)
    assert not any(f">{code}<" in page for code in hidden)


@pytest.mark.usefixtures("demo")
def test_a_filter_without_match_and_an_unknown_filter(client: FlaskClient) -> None:
    assert "Dazu gibt es gerade kein Profil." in client.get(
        "/nachfolge?branche=hospitality").get_data(as_text=True)
    assert client.get("/nachfolge?branche=erfunden").status_code == 404


@pytest.mark.usefixtures("demo")
def test_the_detail_page_shows_the_profile_and_not_its_owner(client: FlaskClient) -> None:
    response = client.get(f"/nachfolge/{BAKERY}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Traditionsbäckerei mit Café" in page
    assert "Lebensmittelhandwerk" in page and "in 1–2 Jahren" in page
    assert "<li>treue Stammkundschaft" in page  # Markdown rendered
    assert "Art. 6 Abs. 1 lit. e DSGVO" in page and 'href="/datenschutz' in page
    assert "Verantwortlich ist die Stadt Herten" in page
    assert_no_secrets(page)


def test_markdown_of_a_profile_is_sanitised(client: FlaskClient, app: Flask) -> None:
    db.session.add(SuccessorProfile(
        code=f"N-{YEAR}-01", title="Laden", sector="retail", employees="1",
        sales_area="under_50", area="innenstadt", timeline="now", status="published",
        published_at=NOW, description="## Geschichte\n\n<script>alert(1)</script>"
        "[klick](javascript:alert(1)) <img src=x onerror=alert(1)>"))
    db.session.commit()
    page = client.get(f"/nachfolge/N-{YEAR}-01").get_data(as_text=True)
    assert "<h2>Geschichte</h2>" in page
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page
    assert "<img src=x" not in page


@pytest.mark.usefixtures("demo")
def test_drafts_are_unknown_and_retired_profiles_gone(client: FlaskClient) -> None:
    assert client.get(f"/nachfolge/{DRAFT}").status_code == 404
    assert client.get(f"/nachfolge/{DRAFT}/danke").status_code == 404
    assert client.get("/nachfolge/N-1999-99").status_code == 404
    assert client.get("/nachfolge/kein-code").status_code == 404
    successors.set_status(profile_id=profile(FASHION).id, status="retired", now=NOW,
                          actor_id=None)
    response = client.get(f"/nachfolge/{FASHION}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "Nicht mehr verfügbar" in page and 'name="email"' not in page
    assert_no_secrets(page)
    assert FASHION not in client.get("/nachfolge").get_data(as_text=True)


@pytest.mark.usefixtures("demo")
def test_the_service_page_links_to_the_exchange(client: FlaskClient, app: Flask) -> None:
    from app.services.demo import load_services

    load_services()
    db.session.commit()
    page = client.get("/angebote/unternehmensnachfolge").get_data(as_text=True)
    assert 'href="/nachfolge"' in page


@pytest.mark.usefixtures("demo")
def test_gets_change_nothing(client: FlaskClient) -> None:
    before = state()
    for url in ("/nachfolge", f"/nachfolge/{BAKERY}", f"/nachfolge/{BAKERY}/danke",
                f"/nachfolge/{DRAFT}", "/nachfolge?lage=innenstadt"):
        client.get(url)
    assert state() == before


# ---------------------------------------------------------------------------
# The inquiry
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_an_inquiry_reaches_the_office_and_confirms_to_the_person(
        client: FlaskClient, app: Flask, mailbox: Mailbox) -> None:
    with client.post(f"/nachfolge/{BAKERY}", data=form_values(client, BAKERY)) as response:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/nachfolge/{BAKERY}/danke"
    [inquiry] = db.session.scalars(select(Inquiry))
    assert (inquiry.subject_kind, inquiry.subject_id, inquiry.subject_ref) == (
        "successor", profile(BAKERY).id, BAKERY)
    assert (inquiry.name, inquiry.email, inquiry.phone) == (
        "Jana Neumann", "jana.neumann@example.org", "0170 1234567")
    assert inquiry.consent_at == NOW and inquiry.handled_at is None

    [office] = mailbox.to(app.config["OFFICE"]["email"])
    assert BAKERY in office["Subject"]
    text = Mailbox.text(office)
    for value in (BAKERY, "Jana Neumann", "jana.neumann@example.org", "0170 1234567",
                  "Bäckermeisterin", "http://rallye.test/buero/anfragen"):
        assert value in text, value

    [confirmation] = mailbox.to("jana.neumann@example.org")
    assert BAKERY in confirmation["Subject"]
    for body in (Mailbox.text(confirmation), Mailbox.html(confirmation)):
        assert BAKERY in body and "Guten Tag Jana Neumann" in body
        assert_no_secrets(body)

    thanks = client.get(f"/nachfolge/{BAKERY}/danke").get_data(as_text=True)
    assert "Vielen Dank für Ihre Anfrage" in thanks and BAKERY in thanks
    assert "jana.neumann@example.org" not in thanks
    assert_no_secrets(thanks)


@pytest.mark.usefixtures("demo")
def test_the_inquiry_recipient_can_be_configured(client: FlaskClient, app: Flask,
                                                 mailbox: Mailbox) -> None:
    app.config["INQUIRY_RECIPIENT"] = "nachfolge@innenstadt-herten.de"
    with client.post(f"/nachfolge/{OPTICIAN}", data=form_values(client, OPTICIAN, phone="")):
        pass
    [office] = mailbox.to("nachfolge@innenstadt-herten.de")
    assert "Telefon:" not in Mailbox.text(office)
    assert mailbox.to(app.config["OFFICE"]["email"]) == []


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "Bitte geben Sie Ihren Namen ein."),
    ({"name": "x" * 101}, "höchstens 100 Zeichen"),
    ({"email": "jana@"}, "Das ist keine gültige E-Mail-Adresse."),
    ({"email": ""}, "Bitte geben Sie Ihre E-Mail-Adresse ein."),
    ({"phone": "ruf mich an"}, "Bitte geben Sie eine Telefonnummer nur mit Ziffern"),
    ({"phone": "1" * 41}, "höchstens 40 Zeichen"),
    ({"message": ""}, "Bitte schreiben Sie uns kurz, worum es Ihnen geht."),
    ({"message": "   "}, "Bitte schreiben Sie uns kurz, worum es Ihnen geht"),
    ({"message": "x" * 3001}, "höchstens 3000 Zeichen"),
    ({"consent": None}, "Bitte stimmen Sie zu"),
    ({"name": "Jana\x00"}, "Steuerzeichen"),
    ({"message": "Hallo\x1b"}, "Steuerzeichen"),
    ({"csrf_token": "falsch"}, "Bitte laden Sie die Seite neu"),
    ({"csrf_token": None}, "Bitte laden Sie die Seite neu"),
])
def test_bad_input_gets_a_german_message_and_stores_nothing(
        client: FlaskClient, app: Flask, mailbox: Mailbox,
        overrides: dict[str, str | None], message: str) -> None:
    values = form_values(client, BAKERY, **overrides)
    before = state()
    with client.post(f"/nachfolge/{BAKERY}", data=values) as response:
        assert response.status_code == 400
        page = response.get_data(as_text=True)
    assert message in page
    assert_no_secrets(page)
    assert state() == before
    assert mailbox.messages == []


@pytest.mark.usefixtures("demo")
def test_no_inquiry_about_a_draft_or_a_retired_profile(client: FlaskClient,
                                                        app: Flask) -> None:
    values = form_values(client, FASHION)
    successors.set_status(profile_id=profile(FASHION).id, status="retired", now=NOW,
                          actor_id=None)
    before = state()
    assert client.post(f"/nachfolge/{FASHION}", data=values).status_code == 410
    assert client.post(f"/nachfolge/{DRAFT}", data=values).status_code == 404
    assert state() == before


@pytest.mark.usefixtures("demo")
def test_the_inquiry_post_is_rate_limited(client: FlaskClient, app: Flask) -> None:
    app.config["RATELIMIT_INQUIRY"] = "2 per minute"
    values = form_values(client, BAKERY, name="")
    codes = [client.post(f"/nachfolge/{BAKERY}", data=values).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


@pytest.mark.usefixtures("demo")
def test_the_privacy_notice_names_inquiries_and_owners(client: FlaskClient) -> None:
    page = client.get("/datenschutz").get_data(as_text=True)
    assert 'id="anfragen"' in page
    assert "6 Monate nach der Erledigung" in page
    assert "12 Monate nach dem Zurückziehen des Profils" in page


def test_codes_count_up_per_year(app: Flask, freeze: Callable[[datetime], None]) -> None:
    values = successors.ProfileInput(title="Laden", sector="retail", employees="1",
                                     sales_area="none", area="innenstadt", timeline="now")
    first = successors.create_profile(values=values, now=NOW, actor_id=None)
    second = successors.create_profile(values=values, now=NOW, actor_id=None)
    later = successors.create_profile(values=values, now=NOW + timedelta(days=60),
                                      actor_id=None)
    assert (first.code, second.code) == (f"N-{YEAR}-01", f"N-{YEAR}-02")
    assert later.code == f"N-{YEAR + 1}-01"
    assert re.fullmatch(r"N-\d{4}-\d{2}", later.code)


def test_the_demo_profiles_load_once(app: Flask) -> None:
    load_successors(NOW)
    load_successors(NOW)
    db.session.commit()
    statuses = sorted(db.session.scalars(select(SuccessorProfile.status)))
    assert statuses == ["draft", "published", "published", "published"]
