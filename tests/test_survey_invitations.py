"""A survey's invitations: links created once per shop, mails per shopkeeper account
through the real SMTP test server, printed letters with a QR code that scans to the
personal link, refusals that write nothing, and a page whose GET changes nothing."""

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import (
    AuditEvent,
    OutboxMail,
    Shop,
    Station,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRespondent,
)
from app.services.survey_links import hash_token

from .conftest import IN_CI
from .helpers import BERLIN, FIRST_DAY, csrf_token, make_rally, make_shop, make_station
from .smtp import Mailbox
from .test_auth import log_in, make_user
from .test_qr import decode

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
LINK_RE = re.compile(r"http://rallye\.test/umfragen/antworten/([A-Za-z0-9_-]{43})")


def make_survey(**overrides: object) -> Survey:
    """A published, anonymous survey open through December 2026, with one question."""
    values: dict[str, object] = {
        "slug": "bedarf", "title": "Bedarfsabfrage Innenstadt", "status": "published",
        "intro": "Wir möchten **wissen**, was Sie [brauchen](https://example.org).\n\n"
                 "Zweiter Absatz.",
        "opens_at": datetime(2026, 11, 30, 0, 0, tzinfo=BERLIN),
        "closes_at": datetime(2026, 12, 31, 18, 0, tzinfo=BERLIN),
        "questions": [SurveyQuestion(position=1, page=1, kind="long", prompt="Was fehlt?")],
    }
    values.update(overrides)
    survey = Survey(**values)
    db.session.add(survey)
    db.session.commit()
    return survey


class Setting:
    """A rally with three active shops (A with two accounts and an inactive one, B with
    one, C without) and one retired station, a survey and a logged-in staff client."""

    def __init__(self, app: Flask, **survey: object) -> None:
        """Create everything and log the staff member in."""
        self.rally = make_rally()
        self.a = make_station(self.rally, make_shop(name="Anker Mode")).shop
        self.b = make_station(self.rally, make_shop(name="Buchladen Blatt")).shop
        self.c = make_station(self.rally, make_shop(name="Café Chaos")).shop
        self.retired = make_station(self.rally, make_shop(name="Zu"), active=False).shop
        self.outside = make_shop(name="Nicht dabei")
        db.session.commit()
        self.accounts = {
            "a1": make_user("shopkeeper", email="a1@laden.test"),
            "a2": make_user("shopkeeper", email="a2@laden.test"),
            "a3": make_user("shopkeeper", email="a3@laden.test", active=False),
            "b1": make_user("shopkeeper", email="b1@laden.test"),
        }
        for key, shop in (("a1", self.a), ("a2", self.a), ("a3", self.a), ("b1", self.b)):
            self.accounts[key].shop_id = shop.id
        db.session.commit()
        self.survey = make_survey(**survey)
        self.client = app.test_client()
        assert log_in(self.client, make_user("staff").email).status_code == 303

    @property
    def page_url(self) -> str:
        """The invitations page."""
        return f"/buero/umfragen/{self.survey.id}/einladungen"

    def post(self, action: str, **data: str) -> TestResponse:
        """Press a button of the page (``links``, ``mail`` or ``briefe.pdf``); the
        response is read and closed, which hands its mails to the SMTP server."""
        token = csrf_token(self.client.get(self.page_url).text)
        with self.client.post(f"{self.page_url}/{action}",
                              data={"csrf_token": token, **data}) as response:
            response.get_data()
        return response


@pytest.fixture
def setting(app: Flask, freeze: Callable[[datetime], None]) -> Setting:
    """The rally, its shops and accounts, the survey, on the rally's first day."""
    return Setting(app)


def respondents(survey: Survey) -> dict[int, SurveyRespondent]:
    """The survey's respondents by shop id, fresh from the database."""
    db.session.expire_all()
    rows = db.session.scalars(select(SurveyRespondent).where(
        SurveyRespondent.survey_id == survey.id))
    return {r.shop_id: r for r in rows if r.shop_id is not None}


def hashes(survey: Survey) -> dict[int, str]:
    """The respondents' token hashes by shop id, as they are now."""
    return {shop: r.token_hash for shop, r in respondents(survey).items()}


def count(model: type) -> int:
    """How many rows ``model`` has."""
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def actions() -> list[str]:
    """The audit log's survey actions, in order."""
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("survey.%")).order_by(AuditEvent.id)))


def test_links_are_created_once_per_active_shop(setting: Setting) -> None:
    response = setting.post("links")
    assert response.status_code == 303
    first = respondents(setting.survey)
    assert set(first) == {setting.a.id, setting.b.id, setting.c.id}
    assert all(r.sent_at is None and len(r.token_hash) == 64 for r in first.values())
    assert first[setting.a.id].company == "Anker Mode"
    created = hashes(setting.survey)

    page = setting.client.get(setting.page_url, follow_redirects=True).text
    assert "3 Links angelegt." in page
    setting.post("links")
    assert hashes(setting.survey) == created
    assert actions() == ["survey.links_created", "survey.links_created"]
    assert "Jedes Geschäft hat schon seinen Link." in setting.client.get(setting.page_url).text


@BOTH_DATABASES
def test_mail_goes_to_every_active_account(setting: Setting, mailbox: Mailbox) -> None:
    response = setting.post("mail")
    assert response.status_code == 303
    page = setting.client.get(setting.page_url).text
    assert "3 E-Mails gehen hinaus." in page
    assert "Ohne Konto – bitte Brief drucken: Café Chaos" in page
    assert sorted(m["To"] for m in mailbox.messages) == ["a1@laden.test", "a2@laden.test",
                                                         "b1@laden.test"]
    found = respondents(setting.survey)
    # C has no account: no link was needed for a mail (and none is sent).
    assert set(found) == {setting.a.id, setting.b.id}
    links = {}
    for message in mailbox.messages:
        text = Mailbox.text(message)
        subject = str(message["Subject"]).strip()
        assert subject == "Umfrage des Innenstadtbüros: Bedarfsabfrage Innenstadt"
        assert "Donnerstag, 31. Dezember 2026, 18:00 Uhr" in text
        assert "Ihre Antworten werden anonym ausgewertet" in text
        assert "Wir möchten wissen, was Sie brauchen." in text  # the intro's first paragraph
        assert "Zweiter Absatz" not in text
        [token] = LINK_RE.findall(text)
        assert token in Mailbox.html(message)
        links[str(message["To"])] = token
    # One link per shop, shared by the shop's accounts, stored only as its hash.
    assert links["a1@laden.test"] == links["a2@laden.test"] != links["b1@laden.test"]
    assert found[setting.a.id].token_hash == hash_token(links["a1@laden.test"])
    assert found[setting.b.id].token_hash == hash_token(links["b1@laden.test"])
    assert found[setting.a.id].sent_at is not None
    assert actions() == ["survey.invitations_mailed"]
    assert "ohne Konto – bitte Brief drucken" in page  # C's row
    kinds = set(db.session.scalars(select(OutboxMail.kind)))
    assert kinds == {"survey_invitation"}


def test_mail_to_one_shop_replaces_its_link(setting: Setting, mailbox: Mailbox) -> None:
    setting.post("links")
    before = hashes(setting.survey)
    setting.post("mail", shop=str(setting.b.id))
    assert [m["To"] for m in mailbox.messages] == ["b1@laden.test"]
    after = respondents(setting.survey)
    assert after[setting.b.id].token_hash != before[setting.b.id]
    assert after[setting.a.id].token_hash == before[setting.a.id]
    assert after[setting.a.id].sent_at is None and after[setting.b.id].sent_at is not None
    # A shop without an account: nothing goes out, the page says to print a letter.
    setting.post("mail", shop=str(setting.c.id))
    assert len(mailbox.messages) == 1
    assert "Ohne Konto – bitte Brief drucken: Café Chaos" in setting.client.get(
        setting.page_url).text


def pdf_pages_as_png(data: bytes, tmp_path: Path) -> list[Path]:
    """The PDF's pages rendered by pdftoppm, or skip (fail in CI) without it."""
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm (poppler-utils) is missing in CI")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "letters.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    return sorted(tmp_path.glob("page*.png"))


@BOTH_DATABASES
def test_letters_one_page_per_shop_with_a_scannable_link(setting: Setting,
                                                         tmp_path: Path) -> None:
    setting.post("links")
    old = hashes(setting.survey)
    response = setting.post("briefe.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    data = response.data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    # Ordered by shop name like the page; each letter names its shop, the survey, the date.
    for text, name in zip(texts, ["Anker Mode", "Buchladen Blatt", "Café Chaos"], strict=True):
        assert name in text and "Bedarfsabfrage Innenstadt" in text
        assert "31. Dezember 2026" in text and "anonym" in text
        assert "Ein neuer Brief oder eine neue Mail ersetzt den alten Link." in text
        assert "02366 9360621" in text  # the office's contact
    new = respondents(setting.survey)
    assert all(new[shop].token_hash != old[shop] for shop in old)
    assert all(r.sent_at is not None for r in new.values())
    assert actions() == ["survey.links_created", "survey.letters_printed"]

    pngs = pdf_pages_as_png(data, tmp_path)
    assert len(pngs) == 3
    shop_ids = [setting.a.id, setting.b.id, setting.c.id]
    for png, shop_id in zip(pngs, shop_ids, strict=True):
        [url] = decode(Image.open(png))
        token = LINK_RE.fullmatch(url)
        assert token is not None, url
        assert hash_token(token.group(1)) == new[shop_id].token_hash
        # The link printed as text for typing is the same one.
        assert token.group(1)[:20] in texts[shop_ids.index(shop_id)].replace(" ", "")


def test_a_letter_for_one_shop(setting: Setting) -> None:
    response = setting.post("briefe.pdf", shop=str(setting.c.id))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1 and "Café Chaos" in reader.pages[0].extract_text()
    assert set(respondents(setting.survey)) == {setting.c.id}
    disposition = response.headers["Content-Disposition"]
    assert f"umfrage-bedarf-brief-{setting.c.id}.pdf" in disposition


def nothing_written(setting: Setting) -> None:
    assert respondents(setting.survey) == {}
    assert count(OutboxMail) == 0
    assert actions() == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"status": "draft"}, "Die Umfrage ist noch ein Entwurf."),
    ({"status": "archived"}, "Die Umfrage ist archiviert."),
    ({"closes_at": FIRST_DAY - timedelta(hours=1)}, "Die Umfrage ist abgelaufen."),
])
@pytest.mark.parametrize("action", ["links", "mail", "briefe.pdf"])
def test_refused_for_a_survey_not_open(app: Flask, freeze: Callable[[datetime], None],
                                       changes: dict[str, object], message: str,
                                       action: str, mailbox: Mailbox) -> None:
    setting = Setting(app, **changes)
    page = setting.client.get(setting.page_url)
    assert page.status_code == 200 and message in page.text
    assert "Links anlegen" not in page.text  # no buttons while refused
    response = setting.post(action)
    assert response.status_code == 409
    assert message in response.text
    nothing_written(setting)
    assert mailbox.messages == []


@pytest.mark.parametrize(("shop", "message"), [
    ("abc", "Bitte wählen Sie ein Geschäft aus der Liste."),
    ("1" * 30, "Bitte wählen Sie ein Geschäft aus der Liste."),
    ("outside", "Dieses Geschäft nimmt nicht an der gewählten Rallye teil."),
    ("retired", "Dieses Geschäft nimmt nicht an der gewählten Rallye teil."),
])
@pytest.mark.parametrize("action", ["mail", "briefe.pdf"])
def test_a_shop_outside_the_rally_is_refused(setting: Setting, shop: str, message: str,
                                             action: str) -> None:
    value = {"outside": str(setting.outside.id),
             "retired": str(setting.retired.id)}.get(shop, shop)
    response = setting.post(action, shop=value)
    assert response.status_code == 400
    assert message in response.text
    nothing_written(setting)


def test_the_page_shows_each_shops_state_and_changes_nothing(setting: Setting) -> None:
    setting.post("links")
    found = respondents(setting.survey)
    question = setting.survey.questions[0]
    db.session.add(SurveyAnswer(respondent_id=found[setting.a.id].id, question_id=question.id,
                                survey_id=setting.survey.id, text="Parkplätze"))
    found[setting.b.id].submitted_at = FIRST_DAY
    db.session.commit()
    before = (count(SurveyRespondent), count(AuditEvent), count(OutboxMail),
              hashes(setting.survey))

    page = setting.client.get(setting.page_url)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = page.text
    assert "Ein neuer Brief oder eine neue Mail ersetzt den alten Link." in text
    rows = {name: re.search(rf"{name}</th>(.*?)</tr>", text, re.S) for name in
            ("Anker Mode", "Buchladen Blatt", "Café Chaos")}
    assert "angefangen (Entwurf)" in rows["Anker Mode"].group(1)  # type: ignore[union-attr]
    assert "abgeschickt" in rows["Buchladen Blatt"].group(1)  # type: ignore[union-attr]
    assert "noch nicht" in rows["Café Chaos"].group(1)  # type: ignore[union-attr]
    assert "ohne Konto – bitte Brief drucken" in rows["Café Chaos"].group(1)  # type: ignore[union-attr]
    assert "2 Konten" in rows["Anker Mode"].group(1)  # type: ignore[union-attr]
    assert "Zu</th>" not in text and "Nicht dabei" not in text
    # The letters only by POST: a GET of their address is not allowed.
    assert setting.client.get(f"{setting.page_url}/briefe.pdf").status_code == 405
    assert setting.client.get("/buero/umfragen/999/einladungen").status_code == 404
    after = (count(SurveyRespondent), count(AuditEvent), count(OutboxMail),
             hashes(setting.survey))
    assert after == before


def test_a_survey_link_by_the_rally_chosen(setting: Setting) -> None:
    """``?rally=`` picks the rally whose shops are invited; the buttons keep it."""
    other = make_rally(slug="sommer", name="Sommer-Rallye")
    make_station(other, make_shop(name="Sommerladen"))
    db.session.commit()
    page = setting.client.get(setting.page_url + "?rally=sommer").text
    assert "Sommerladen" in page and "Anker Mode" not in page
    assert "einladungen/links?rally=sommer" in page
    token = csrf_token(page)
    setting.client.post(setting.page_url + "/links?rally=sommer", data={"csrf_token": token})
    shops = {db.session.get(Shop, s).name for s in respondents(setting.survey)}  # type: ignore[union-attr]
    assert shops == {"Sommerladen"}
    assert db.session.scalar(select(func.count(Station.id))) == 5


@BOTH_DATABASES
def test_links_created_at_once_make_one_respondent_per_shop(app: Flask) -> None:
    """Two staff members press "Links anlegen" at the same moment: each shop still has
    one respondent; the slower press adds none or is told to try again."""
    from app.services.survey_invitations import InvitationError, create_links

    from .test_concurrency import all_at_once

    rally = make_rally()
    for n in range(5):
        make_station(rally, make_shop(name=f"Laden {n}"))
    survey = make_survey()
    survey_id, rally_id = survey.id, rally.id
    db.session.remove()

    def press(_i: int) -> object:
        try:
            return create_links(survey_id, rally_id, now=FIRST_DAY, actor_id=None)
        except InvitationError as error:
            return error.code

    results = all_at_once(app, press, 4)
    assert sorted(results, key=str).count(5) == 1, results
    assert all(r in (0, 5, "busy") for r in results), results
    assert count(SurveyRespondent) == 5
