"""Every back-office and shop-portal URL, discovered from the URL map, against every kind
of visitor.

No list of pages to keep up to date: a new back-office view is checked as soon as it is
registered. Path parameters are filled from ``PARAMETERS`` below; a parameter it does not
know makes the test skip with a message saying what to add.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import product
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from app import create_app
from app.extensions import db
from app.models import (
    AdventDoor,
    Card,
    DgsVideo,
    Draw,
    DrawPrize,
    Entry,
    Event,
    EventRegistration,
    Image,
    Inquiry,
    Invitation,
    Listing,
    ListingPhoto,
    NewsPost,
    Prize,
    Rally,
    SearchProfile,
    Service,
    Shop,
    Station,
    SuccessorProfile,
    Survey,
    SurveyQuestion,
    User,
    Winner,
)
from app.services import codes
from app.services.accounts import invite_shopkeeper

from .helpers import (
    FIRST_DAY,
    SHOPKEEPER_PASSWORD,
    csrf_token,
    make_rally,
    make_shop,
    make_shopkeeper,
    make_station,
)
from .test_auth import log_in, make_user

BLUEPRINT = "backoffice."
ARGUMENT_RE = re.compile(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>.*?)\))?:)?"
                         r"(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")


def discover(method: str, blueprint: str = BLUEPRINT) -> list[tuple[str, str]]:
    """(endpoint, rule) of every rule of ``blueprint`` (the back office) answering
    ``method``."""
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "discovery-only-" + "x" * 32,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )
    return sorted(
        (rule.endpoint, rule.rule)
        for rule in application.url_map.iter_rules()
        if rule.endpoint.startswith(blueprint) and method in (rule.methods or ())
    )


# Back-office URLs whose secret path is the key, for programs that cannot log in (a
# calendar app subscribing to the staff feed): checked by test_token_urls below.
TOKEN_URLS = {"backoffice.appointment_feed"}
GET_RULES = [(e, r) for e, r in discover("GET") if e not in TOKEN_URLS]
POST_RULES = discover("POST")


@dataclass
class World:
    """One existing object of each kind a back-office URL may name."""

    rally: Rally
    shop: Shop
    station: Station
    card: Card
    entry: Entry
    prize: Prize
    service: Service
    draw: Draw
    winner: Winner
    staff: User
    invitation: Invitation
    door: AdventDoor
    mail_id: int = 0  # the invitation's mail in the outbox


def make_world() -> World:
    """Create the objects (and a staff user) that path parameters point to."""
    rally = make_rally()
    shop = make_shop()
    station = make_station(rally, shop)
    card = Card(rally_id=rally.id, code=codes.new_card_code())
    db.session.add(card)
    db.session.flush()
    entry = Entry(
        rally_id=rally.id,
        card_id=card.id,
        name="Max Muster",
        contact_kind="email",
        contact="max@example.test",
        age_confirmed=True,
        terms_accepted_at=FIRST_DAY,
        privacy_accepted_at=FIRST_DAY,
        created_at=FIRST_DAY,
    )
    prize = Prize(rally_id=rally.id, position=1, name="Gutschein")
    service = Service(slug="leerstand", title="Leerstand", summary="Kurz", body="Lang")
    db.session.add_all([entry, prize, service])
    db.session.flush()
    draw = Draw(
        rally_id=rally.id,
        kind="final",
        title="Hauptverlosung",
        status="run",
        pool_text=card.code + "\n",
        pool_hash="0" * 64,
        pool_size=1,
        seed_hex="1" * 64,
        commitment="2" * 64,
        beacon_hex="3" * 64,
        sealed_at=FIRST_DAY,
        run_at=FIRST_DAY,
    )
    db.session.add(draw)
    db.session.flush()
    db.session.add(DrawPrize(draw_id=draw.id, prize_id=prize.id, rank=1))
    winner = Winner(
        rally_id=rally.id,
        draw_id=draw.id,
        entry_id=entry.id,
        prize_id=prize.id,
        rank=1,
        card_code=card.code,
    )
    db.session.add(winner)
    door = AdventDoor(rally_id=rally.id, number=1, opens_on=FIRST_DAY.date(), title="Türchen 1",
                      body="", image_alt="", offer="", daily_draw=False, updated_at=FIRST_DAY)
    db.session.add(door)
    add_event()
    add_news_post()
    add_successor()
    add_listing()
    add_dgs_video()
    add_survey()
    db.session.commit()
    staff = make_user("staff")
    issued = invite_shopkeeper(shop_id=shop.id, email="laden@example.org", now=FIRST_DAY)
    return World(rally, shop, station, card, entry, prize, service, draw, winner, staff,
                 issued.invitation, door, mail_id=issued.mail.id)


def add_event() -> None:
    """An event with one confirmed registration (the events pages' URLs name them)."""
    event = Event(slug="netzwerkabend", kind="networking", status="published",
                  title="Netzwerkabend", starts_at=FIRST_DAY + timedelta(days=9),
                  ends_at=FIRST_DAY + timedelta(days=9, hours=2),
                  registration_closes_at=FIRST_DAY + timedelta(days=9), place="Markt 1",
                  capacity=10, taken=1)
    db.session.add(event)
    db.session.flush()
    db.session.add(EventRegistration(event_id=event.id, token="t" * 32, status="confirmed",
                                     name="Erika Muster", email="erika@example.org",
                                     consent_at=FIRST_DAY))


def add_news_post() -> None:
    """A draft news post (the news pages' URLs name it)."""
    db.session.add(NewsPost(slug="rallye-gestartet", status="draft", title="Rallye gestartet",
                            summary="Los geht's.", body="", image_alt="",
                            created_at=FIRST_DAY, updated_at=FIRST_DAY))


def add_successor() -> None:
    """A successor profile with one inquiry (the Nachfolgebörse's URLs name them)."""
    profile = SuccessorProfile(code="N-2026-01", title="Bäckerei", sector="food",
                               employees="2_5", sales_area="under_50", area="innenstadt",
                               timeline="now", status="published", published_at=FIRST_DAY)
    db.session.add(profile)
    db.session.flush()
    db.session.add(Inquiry(subject_kind="successor", subject_id=profile.id,
                           subject_ref=profile.code, name="Erika Muster",
                           email="erika@example.org", message="Interesse", consent_at=FIRST_DAY))


def add_listing() -> None:
    """A published listing with a photo and a floor plan, and a search profile (the
    Leerstandsbörse's URLs name them)."""
    listing = Listing(code="L-2026-01", title="Ladenlokal", street="Markt 1", area_m2=80,
                      status="published", published_at=FIRST_DAY, confirmed_at=FIRST_DAY,
                      floor_plan=b"%PDF-1.4\n%%EOF\n", floor_plan_name="grundriss.pdf")
    db.session.add(listing)
    image = Image(sha256="a" * 64, mime="image/webp", width=1, height=1, data=b"RIFF")
    db.session.add(image)
    db.session.flush()
    db.session.add(ListingPhoto(listing_id=listing.id, image_id=image.id, alt="Schaufenster"))
    db.session.add(SearchProfile(name="Gina Gründerin", email="gina@example.org",
                                 consent_at=FIRST_DAY))


def add_dgs_video() -> None:
    """A sign-language video's row (its page and actions name it; no file needed)."""
    db.session.add(DgsVideo(sha256="a" * 64, mime="video/mp4", size=1000, title="DGS",
                            transcript="Der Inhalt als Text.", uploaded_at=FIRST_DAY))


def add_survey() -> None:
    """A published survey with one question (the survey pages' URLs name them, issue 23)."""
    db.session.add(Survey(slug="bedarfsabfrage", title="Bedarfsabfrage", status="published",
                          opens_at=FIRST_DAY, closes_at=FIRST_DAY + timedelta(days=28),
                          questions=[SurveyQuestion(position=1, kind="short",
                                                    prompt="Was fehlt?")]))


def first_id(model: type) -> int:
    """The id of the one row of ``model`` that make_world created."""
    return int(db.session.scalars(select(model.id)).first() or 0)


Getter = Callable[[World], tuple[int, str]]

# Parameter name (without ``_id``/``_slug``) → value for an integer converter, value for a
# string converter.
PARAMETERS: dict[str, Getter] = {
    "rally": lambda w: (w.rally.id, w.rally.slug),
    "shop": lambda w: (w.shop.id, w.shop.slug),
    "station": lambda w: (w.station.id, w.station.token),
    "card": lambda w: (w.card.id, w.card.code),
    "entry": lambda w: (w.entry.id, str(w.entry.id)),
    "prize": lambda w: (w.prize.id, str(w.prize.id)),
    "service": lambda w: (w.service.id, w.service.slug),
    "draw": lambda w: (w.draw.id, str(w.draw.id)),
    "winner": lambda w: (w.winner.id, str(w.winner.id)),
    "user": lambda w: (w.staff.id, w.staff.email),
    "invitation": lambda w: (w.invitation.id, str(w.invitation.id)),
    "door": lambda w: (w.door.id, str(w.door.id)),
    "mail": lambda w: (w.mail_id, str(w.mail_id)),
    "token": lambda w: (w.station.id, w.station.token),
    "short_code": lambda w: (w.station.id, w.station.short_code),
    "event": lambda w: (first_id(Event), str(first_id(Event))),
    "registration": lambda w: (first_id(EventRegistration), str(first_id(EventRegistration))),
    "post": lambda w: (first_id(NewsPost), str(first_id(NewsPost))),
    "profile": lambda w: (first_id(SuccessorProfile), str(first_id(SuccessorProfile))),
    "inquiry": lambda w: (first_id(Inquiry), str(first_id(Inquiry))),
    "key": lambda w: (0, "imprint"),  # an office text's block (issue 21)
    "listing": lambda w: (first_id(Listing), str(first_id(Listing))),
    "photo": lambda w: (first_id(ListingPhoto), str(first_id(ListingPhoto))),
    "search_profile": lambda w: (first_id(SearchProfile), str(first_id(SearchProfile))),
    "video": lambda w: (first_id(DgsVideo), str(first_id(DgsVideo))),
    "survey": lambda w: (first_id(Survey), str(first_id(Survey))),
    "question": lambda w: (first_id(SurveyQuestion), str(first_id(SurveyQuestion))),
}
# Bare names that could mean several objects: each is tried, the one the page knows wins.
AMBIGUOUS: dict[str, list[str]] = {
    "slug": ["rally", "shop", "service"],
    "code": ["card", "short_code"],
    "id": ["rally", "shop", "station", "card", "entry", "prize", "draw", "winner", "service"],
}
STRING_CONVERTERS = ("default", "string", "path")


def parameter_choices(
    world: World, endpoint: str, converter: str, args: str, name: str, method: str
) -> list[object]:
    """Values for one path parameter that name existing objects, or skip.

    POSTs get a placeholder for parameters this file does not know: the expected answers
    (400 without token, login, 403) all come before the view looks anything up.
    """
    if converter == "any":
        return [args.split(",")[0].strip().strip("'\"")]
    if converter not in ("int", *STRING_CONVERTERS):
        if method == "POST" and converter in ("float", "uuid"):
            return [{"float": 1.0, "uuid": "00000000-0000-4000-8000-000000000000"}[converter]]
        pytest.skip(f"{endpoint}: no test value for the converter <{converter}:{name}>; "
                    "teach parameter_choices() in tests/test_authorization_matrix.py about it")
    key = name if name in PARAMETERS else name.removesuffix("_id").removesuffix("_slug")
    keys = [key] if key in PARAMETERS else AMBIGUOUS.get(name, [])
    if not keys and method == "POST":
        return [1 if converter == "int" else "x"]
    if not keys:
        pytest.skip(f"{endpoint}: no test value for the parameter <{converter}:{name}>; add "
                    "one to PARAMETERS in tests/test_authorization_matrix.py")
    return [PARAMETERS[k](world)[0 if converter == "int" else 1] for k in keys]


def candidate_urls(app: Flask, world: World, endpoint: str, rule: str, method: str) -> list[str]:
    """URLs of ``rule`` with every parameter filled, one per combination of choices."""
    names: list[str] = []
    choices: list[list[object]] = []
    for match in ARGUMENT_RE.finditer(rule):
        names.append(match["name"])
        choices.append(parameter_choices(
            world, endpoint, match["converter"] or "default", match["args"] or "",
            match["name"], method,
        ))
    found: Rule | None = next(
        (r for r in app.url_map.iter_rules() if (r.endpoint, r.rule) == (endpoint, rule)), None
    )
    assert found is not None
    urls = []
    for combination in product(*choices):
        built = found.build(dict(zip(names, combination, strict=True)), append_unknown=False)
        assert built is not None, f"{endpoint}: could not build {rule} from {combination}"
        urls.append(built[1])
    return urls


def login_path(response: TestResponse) -> str:
    """The path a redirect points to."""
    return urlsplit(response.headers["Location"]).path


@pytest.fixture
def world(app: Flask, freeze: Callable[[datetime], None]) -> World:
    """Objects to name in URLs, with the clock on the rally's first day."""
    return make_world()


@pytest.fixture
def visitors(app: Flask, world: World) -> dict[str, FlaskClient]:
    """An anonymous visitor, a shopkeeper and a staff member, logged in through /anmelden."""
    anonymous = app.test_client()
    shopkeeper = app.test_client()
    staff = app.test_client()
    assert log_in(shopkeeper, make_user("shopkeeper").email).status_code == 303
    assert log_in(staff, world.staff.email).status_code == 303
    return {"anonymous": anonymous, "shopkeeper": shopkeeper, "staff": staff}


def test_discovery_finds_the_back_office() -> None:
    assert GET_RULES, "no GET rule of the back office found"
    # The privacy tools (personal data of anyone) are among the checked URLs.
    assert ("backoffice.privacy_page", "/buero/datenschutz") in GET_RULES
    for endpoint, rule in (("backoffice.privacy_export", "/buero/datenschutz/auskunft"),
                           ("backoffice.privacy_delete_check", "/buero/datenschutz/loeschen"),
                           ("backoffice.privacy_delete",
                            "/buero/datenschutz/loeschen/bestaetigen")):
        assert (endpoint, rule) in POST_RULES and (endpoint, rule) not in GET_RULES
    assert all(rule.startswith("/buero/") for _, rule in GET_RULES + POST_RULES)
    # The outbox (issue 19): its page and its "Erneut senden".
    assert ("backoffice.outbox", "/buero/post") in GET_RULES
    assert ("backoffice.outbox_requeue", "/buero/post/<int:mail_id>/erneut") in POST_RULES
    # The events (issue 20): the list, the CSV export, the phone check-in's POST.
    assert ("backoffice.events", "/buero/veranstaltungen") in GET_RULES
    assert ("backoffice.event_registrations_csv",
            "/buero/veranstaltungen/<int:event_id>/anmeldungen.csv") in GET_RULES
    assert ("backoffice.event_check_in",
            "/buero/veranstaltungen/<int:event_id>/einlass/<int:registration_id>") in POST_RULES
    # The news (issue 21): list, new, edit, preview; publish and take back by POST.
    for endpoint, rule in (("backoffice.news_posts", "/buero/aktuelles"),
                           ("backoffice.news_new", "/buero/aktuelles/neu"),
                           ("backoffice.news_edit", "/buero/aktuelles/<int:post_id>"),
                           ("backoffice.news_preview",
                            "/buero/aktuelles/<int:post_id>/vorschau")):
        assert (endpoint, rule) in GET_RULES
    for endpoint, rule in (("backoffice.news_new", "/buero/aktuelles/neu"),
                           ("backoffice.news_edit", "/buero/aktuelles/<int:post_id>"),
                           ("backoffice.news_publish",
                            "/buero/aktuelles/<int:post_id>/veroeffentlichen"),
                           ("backoffice.news_unpublish",
                            "/buero/aktuelles/<int:post_id>/zurueckziehen")):
        assert (endpoint, rule) in POST_RULES
    # The Nachfolgebörse and the inquiries (issue 21).
    assert ("backoffice.successor_edit", "/buero/nachfolge/<int:profile_id>") in GET_RULES
    assert ("backoffice.successor_retire",
            "/buero/nachfolge/<int:profile_id>/zurueckziehen") in POST_RULES
    assert ("backoffice.inquiries", "/buero/anfragen") in GET_RULES
    assert ("backoffice.inquiry_update", "/buero/anfragen/<int:inquiry_id>") in POST_RULES
    # The office's texts (issue 21): list, edit (with preview), restore by POST.
    for endpoint, rule in (("backoffice.texts", "/buero/texte"),
                           ("backoffice.text_block", "/buero/texte/<key>"),
                           ("backoffice.text_service",
                            "/buero/texte/angebote/<int:service_id>")):
        assert (endpoint, rule) in GET_RULES
    for endpoint, rule in (("backoffice.text_block", "/buero/texte/<key>"),
                           ("backoffice.text_service",
                            "/buero/texte/angebote/<int:service_id>"),
                           ("backoffice.text_block_restore",
                            "/buero/texte/<key>/fassungen/<int:version>/wiederherstellen"),
                           ("backoffice.text_service_restore",
                            "/buero/texte/angebote/<int:service_id>/fassungen/<int:version>"
                            "/wiederherstellen")):
        assert (endpoint, rule) in POST_RULES
    # The Leerstandsbörse (issue 21): list, edit, floor plan and poster; the changes by POST.
    for endpoint, rule in (("backoffice.listings", "/buero/leerstand"),
                           ("backoffice.listing_edit", "/buero/leerstand/<int:listing_id>"),
                           ("backoffice.listing_floor_plan",
                            "/buero/leerstand/<int:listing_id>/grundriss.pdf"),
                           ("backoffice.listing_poster",
                            "/buero/leerstand/<int:listing_id>/plakat.pdf"),
                           ("backoffice.search_profiles", "/buero/suchprofile")):
        assert (endpoint, rule) in GET_RULES
    for endpoint, rule in (("backoffice.listing_publish",
                            "/buero/leerstand/<int:listing_id>/veroeffentlichen"),
                           ("backoffice.listing_confirm",
                            "/buero/leerstand/<int:listing_id>/bestaetigen"),
                           ("backoffice.listing_photo_add",
                            "/buero/leerstand/<int:listing_id>/fotos"),
                           ("backoffice.listing_floor_plan_upload",
                            "/buero/leerstand/<int:listing_id>/grundriss"),
                           ("backoffice.search_profile_close",
                            "/buero/suchprofile/<int:search_profile_id>/schliessen")):
        assert (endpoint, rule) in POST_RULES
    # Staff's translations of their own texts: one page per text, saved by POST.
    translations = ("backoffice.translations",
                    "/buero/uebersetzungen/<any(block, event, door, listing, service):kind>"
                    "/<key>")
    assert translations in GET_RULES and translations in POST_RULES
    # The sign-language video (issue 21): the page and upload, show, stop, delete.
    assert ("backoffice.dgs_videos", "/buero/gebaerdensprache") in GET_RULES
    assert ("backoffice.dgs_video_delete",
            "/buero/gebaerdensprache/<int:video_id>/loeschen") in GET_RULES
    for endpoint, rule in (("backoffice.dgs_videos", "/buero/gebaerdensprache"),
                           ("backoffice.dgs_video_activate",
                            "/buero/gebaerdensprache/<int:video_id>/zeigen"),
                           ("backoffice.dgs_video_deactivate",
                            "/buero/gebaerdensprache/<int:video_id>/ausblenden"),
                           ("backoffice.dgs_video_delete",
                            "/buero/gebaerdensprache/<int:video_id>/loeschen")):
        assert (endpoint, rule) in POST_RULES
    # The survey editor (issue 23): list, new, edit, preview; the changes by POST.
    for endpoint, rule in (("backoffice.surveys", "/buero/umfragen"),
                           ("backoffice.survey_new", "/buero/umfragen/neu"),
                           ("backoffice.survey_edit", "/buero/umfragen/<int:survey_id>"),
                           ("backoffice.survey_preview",
                            "/buero/umfragen/<int:survey_id>/vorschau")):
        assert (endpoint, rule) in GET_RULES
    for endpoint, rule in (("backoffice.survey_new", "/buero/umfragen/neu"),
                           ("backoffice.survey_edit", "/buero/umfragen/<int:survey_id>"),
                           ("backoffice.survey_question_add",
                            "/buero/umfragen/<int:survey_id>/fragen"),
                           ("backoffice.survey_question_edit",
                            "/buero/umfragen/<int:survey_id>/fragen/<int:question_id>"),
                           ("backoffice.survey_question_delete",
                            "/buero/umfragen/<int:survey_id>/fragen/<int:question_id>/loeschen"),
                           ("backoffice.survey_question_move",
                            "/buero/umfragen/<int:survey_id>/fragen/<int:question_id>"
                            "/verschieben"),
                           ("backoffice.survey_copy", "/buero/umfragen/<int:survey_id>/kopieren"),
                           ("backoffice.survey_publish",
                            "/buero/umfragen/<int:survey_id>/veroeffentlichen"),
                           ("backoffice.survey_archive",
                            "/buero/umfragen/<int:survey_id>/archivieren")):
        assert (endpoint, rule) in POST_RULES
    # A survey's results, their CSV and the printable report (issue 23, part C).
    for endpoint, rule in (("backoffice.survey_results_page",
                            "/buero/umfragen/<int:survey_id>/ergebnisse"),
                           ("backoffice.survey_results_csv",
                            "/buero/umfragen/<int:survey_id>/ergebnisse.csv"),
                           ("backoffice.survey_report", "/buero/umfragen/<int:survey_id>/bericht")):
        assert (endpoint, rule) in GET_RULES


def test_discovery_finds_the_survey_invitations() -> None:
    """Issue 23: the invitations page; links, mails and the letters only by POST."""
    base = "/buero/umfragen/<int:survey_id>/einladungen"
    assert ("backoffice.survey_invitations", base) in GET_RULES
    for endpoint, rule in (("backoffice.survey_links_create", base + "/links"),
                           ("backoffice.survey_invitations_mail", base + "/mail"),
                           ("backoffice.survey_letters", base + "/briefe.pdf")):
        assert (endpoint, rule) in POST_RULES and (endpoint, rule) not in GET_RULES


@pytest.mark.parametrize(("endpoint", "rule"), GET_RULES, ids=[e for e, _ in GET_RULES])
def test_get_pages(
    app: Flask, world: World, visitors: dict[str, FlaskClient], endpoint: str, rule: str
) -> None:
    urls = candidate_urls(app, world, endpoint, rule, "GET")
    url = urls[0]  # access rules come before any lookup, so any candidate will do

    response = visitors["anonymous"].get(url)
    assert response.status_code == 302, f"{url}: anonymous got {response.status_code}"
    assert login_path(response) == "/anmelden"

    response = visitors["shopkeeper"].get(url)
    assert response.status_code == 403, f"{url}: shopkeeper got {response.status_code}"

    for url in urls:  # the first candidate naming an object the page knows
        response = visitors["staff"].get(url)
        if response.status_code != 404:
            break
    if response.status_code == 302:
        assert login_path(response) == "/anmelden/bestaetigen", f"{url}: staff redirected"
    else:
        assert response.status_code == 200, f"{url}: staff got {response.status_code}"


@pytest.mark.parametrize(("endpoint", "rule"), POST_RULES, ids=[e for e, _ in POST_RULES])
def test_post_actions(
    app: Flask, world: World, visitors: dict[str, FlaskClient], endpoint: str, rule: str
) -> None:
    url = candidate_urls(app, world, endpoint, rule, "POST")[0]

    response = visitors["staff"].post(url)
    assert response.status_code == 400, f"{url}: POST without token: {response.status_code}"

    # With a valid token the access rules still hold (a missing decorator shows here).
    anonymous = visitors["anonymous"]
    token = csrf_token(anonymous.get("/anmelden").text)
    response = anonymous.post(url, data={"csrf_token": token})
    assert response.status_code == 302, f"{url}: anonymous got {response.status_code}"
    assert login_path(response) == "/anmelden"

    shopkeeper = visitors["shopkeeper"]
    token = csrf_token(shopkeeper.get("/").text)
    response = shopkeeper.post(url, data={"csrf_token": token})
    assert response.status_code == 403, f"{url}: shopkeeper got {response.status_code}"


def test_token_urls(app: Flask, world: World, visitors: dict[str, FlaskClient]) -> None:
    """A token URL answers 404 to everyone without the right token, logged in or not."""
    rules = [r for e, r in discover("GET") if e in TOKEN_URLS]
    assert len(rules) == len(TOKEN_URLS)
    for rule in rules:
        url = ARGUMENT_RE.sub("not-a-token", rule)
        for kind, visitor in visitors.items():
            response = visitor.get(url)
            assert response.status_code == 404, f"{url}: {kind} got {response.status_code}"


# --- the shop portal (/laden) -----------------------------------------------------------

SHOP_GET_RULES = discover("GET", "shop.")
SHOP_POST_RULES = discover("POST", "shop.")
NO_STORE_TYPES = ("text/html", "application/pdf", "image/svg+xml", "image/png")


@pytest.fixture
def shop_visitors(app: Flask, world: World) -> tuple[dict[str, FlaskClient], Station]:
    """Anonymous, staff, and the shopkeeper of shop A; B is the world's shop (its station
    is in the same rally). Returns the clients and A's station."""
    ours = make_station(world.rally, make_shop(name="Laden A"))
    db.session.commit()
    keeper = make_shopkeeper(ours.shop)
    clients = {"anonymous": app.test_client(), "staff": app.test_client(),
               "shopkeeper": app.test_client()}
    assert log_in(clients["staff"], world.staff.email).status_code == 303
    assert log_in(clients["shopkeeper"], keeper.email, SHOPKEEPER_PASSWORD).status_code == 303
    return clients, ours


def test_discovery_finds_the_portal() -> None:
    assert ("shop.portal", "/laden/") in SHOP_GET_RULES
    assert all(rule.startswith("/laden/") for _, rule in SHOP_GET_RULES + SHOP_POST_RULES)
    # No portal URL names a shop or a station: a shopkeeper can only ask for the own one.
    assert not any(ARGUMENT_RE.search(rule) and "any(" not in rule
                   for _, rule in SHOP_GET_RULES + SHOP_POST_RULES)


@pytest.mark.parametrize(("endpoint", "rule"), SHOP_GET_RULES, ids=[e for e, _ in SHOP_GET_RULES])
def test_portal_pages(app: Flask, world: World, shop_visitors, endpoint: str, rule: str) -> None:
    clients, ours = shop_visitors
    url = candidate_urls(app, world, endpoint, rule, "GET")[0]

    response = clients["anonymous"].get(url)
    assert response.status_code == 302, f"{url}: anonymous got {response.status_code}"
    assert login_path(response) == "/anmelden"

    response = clients["staff"].get(url)
    assert response.status_code == 302, f"{url}: staff got {response.status_code}"
    assert login_path(response) == "/buero/"

    # Shop A's keeper gets A's page or file, and nothing of B.
    response = clients["shopkeeper"].get(url)
    assert response.status_code == 200, f"{url}: shopkeeper got {response.status_code}"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype in NO_STORE_TYPES
    if response.mimetype == "text/html":
        assert "Laden A" in response.text
        assert world.shop.name not in response.text
        assert world.station.token not in response.text
    else:
        disposition = response.headers["Content-Disposition"]
        assert ours.shop.slug in disposition and world.shop.slug not in disposition
        assert world.station.token.encode() not in response.data


@pytest.mark.parametrize(("endpoint", "rule"), SHOP_POST_RULES,
                         ids=[e for e, _ in SHOP_POST_RULES])
def test_portal_actions(app: Flask, world: World, shop_visitors, endpoint: str,
                        rule: str) -> None:
    clients, ours = shop_visitors
    url = candidate_urls(app, world, endpoint, rule, "POST")[0]
    before = (world.station.token, world.station.mode, world.shop.opening_hours)

    response = clients["shopkeeper"].post(url)
    assert response.status_code == 400, f"{url}: POST without token: {response.status_code}"

    anonymous = clients["anonymous"]
    token = csrf_token(anonymous.get("/anmelden").text)
    response = anonymous.post(url, data={"csrf_token": token})
    assert response.status_code == 302 and login_path(response) == "/anmelden"

    staff = clients["staff"]
    token = csrf_token(staff.get("/buero/").text)
    response = staff.post(url, data={"csrf_token": token})
    assert response.status_code == 302 and login_path(response) == "/buero/"

    # A's keeper acting with a valid token changes A at most, never B.
    keeper = clients["shopkeeper"]
    token = csrf_token(keeper.get("/laden/").text)
    response = keeper.post(url, data={"csrf_token": token, "mode": "live",
                                      "opening_hours": "Mo 9–12 Uhr"})
    assert response.status_code in (303, 400), f"{url}: shopkeeper got {response.status_code}"
    db.session.expire_all()
    b_station = db.session.get(Station, world.station.id)
    assert b_station is not None and b_station.shop is not None
    assert (b_station.token, b_station.mode, b_station.shop.opening_hours) == before


# --- the account pages outside both portals ---------------------------------------------

ACCOUNT_PAGES = [("/passwort-vergessen", 200), ("/passwort-neu/" + "A" * 43, 404),
                 ("/anmelden/code", 303)]


@pytest.mark.parametrize(("path", "status"), ACCOUNT_PAGES, ids=[p for p, _ in ACCOUNT_PAGES])
def test_account_pages_outside_the_portals(
    app: Flask, world: World, visitors: dict[str, FlaskClient], path: str, status: int
) -> None:
    """Open to anyone (a forgotten password, the login's second step), never cached, and
    a POST without a token is refused."""
    for name, client in visitors.items():
        response = client.get(path)
        assert response.status_code == status, f"{path}: {name} got {response.status_code}"
        assert response.headers["Cache-Control"] == "no-store"
        assert client.post(path).status_code == 400
