"""The Leerstandsbörse in the privacy registry: owners of offered spaces are blanked after
their retention, search profiles deleted; both exported and deleted by address, with the
office's mails that name them."""

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Listing, ListingMatch, OutboxMail, SearchProfile
from app.services import listing_offers, privacy, search_profiles

from .helpers import BERLIN, FIRST_DAY

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

NOW = FIRST_DAY.astimezone(UTC)
YEAR = FIRST_DAY.year
OWNER = "heike.hermann@example.org"
FOUNDER = "lea@example.org"


def offer(email: str = OWNER, title: str = "Laden") -> Listing:
    return listing_offers.submit_offer(values=listing_offers.OfferInput(
        title=title, street="Kirchstraße 9", postcode="45699", area_m2=80, floor=0,
        owner_name="Heike Hermann", owner_email=email, owner_phone="02366 98765",
        consent=True, uses=("retail",)), now=NOW)


def save_profile(email: str = FOUNDER) -> SearchProfile:
    profile, _matches = search_profiles.save_profile(values=search_profiles.ProfileInput(
        name="Lea Gründerin", email=email, consent=True, uses=("retail",),
        message="Unverpackt-Laden"), now=NOW)
    return profile


def listing(code: str) -> Listing:
    db.session.expire_all()
    found = db.session.scalars(select(Listing).where(Listing.code == code)).one()
    return found


@pytest.fixture
def world(app: Flask, freeze: Callable[[datetime], None]) -> None:
    """Two offers of one owner (the first rejected on 1 December, the second published),
    a published listing of the office, and two search profiles (one closed on 1
    December) that match the published ones."""
    offer(title="Abgelehnt")
    offer(title="Veröffentlicht")
    rejected, shown = listing(f"L-{YEAR}-01"), listing(f"L-{YEAR}-02")
    rejected.status, rejected.updated_at, rejected.internal_note = "rejected", NOW, "Zu klein"
    shown.status, shown.published_at = "published", NOW
    db.session.commit()
    save_profile()
    closed = save_profile("ben@example.org")
    closed.status, closed.closed_at = "closed", NOW
    db.session.commit()


@pytest.mark.usefixtures("world")
def test_purge_blanks_old_owners_and_deletes_old_profiles(app: Flask) -> None:
    assert app.config["LISTING_OWNER_RETENTION_MONTHS"] == 12
    assert app.config["SEARCH_PROFILE_RETENTION_MONTHS"] == 12
    assert db.session.scalars(select(ListingMatch)).all()  # the profiles matched
    shown = listing(f"L-{YEAR}-02")
    shown.confirmed_at = datetime(2027, 11, 1, 12, tzinfo=UTC)  # "noch frei" lately
    db.session.commit()
    done = {item.kind.key: item.count for item in privacy.purge(
        now=datetime(2027, 11, 30, 12, tzinfo=BERLIN))}
    assert done["listing_owners"] == 0 and done["search_profiles"] == 0
    done = {item.kind.key: item.count for item in privacy.purge(
        now=datetime(2027, 12, 2, 12, tzinfo=BERLIN))}
    assert done["listing_owners"] == 1 and done["search_profiles"] == 2
    rejected, shown = listing(f"L-{YEAR}-01"), listing(f"L-{YEAR}-02")
    assert (rejected.owner_name, rejected.owner_email, rejected.owner_phone,
            rejected.internal_note) == ("", "", "", "")
    assert rejected.title == "Abgelehnt"  # the listing stays
    assert shown.owner_email == OWNER  # published and confirmed: still needed
    assert db.session.scalars(select(SearchProfile)).all() == []
    assert db.session.scalars(select(ListingMatch)).all() == []


@pytest.mark.usefixtures("world")
def test_owners_of_forgotten_offers_and_long_stale_listings_are_blanked(app: Flask) -> None:
    """An offer nobody reviewed and a listing published but never confirmed again keep
    their owner no longer than a retired one."""
    forgotten = offer(email="otto@example.org", title="Vergessen")
    forgotten.updated_at = NOW
    shown = listing(f"L-{YEAR}-02")
    shown.confirmed_at = NOW
    db.session.commit()
    privacy.purge(now=datetime(2027, 11, 30, 12, tzinfo=BERLIN))
    assert listing(forgotten.code).owner_email == "otto@example.org"
    assert listing(f"L-{YEAR}-02").owner_email == OWNER
    privacy.purge(now=datetime(2027, 12, 2, 12, tzinfo=BERLIN))
    assert listing(forgotten.code).owner_email == ""
    assert listing(f"L-{YEAR}-02").owner_email == ""
    assert listing(forgotten.code).status == "submitted"  # the listing itself stays


@pytest.mark.usefixtures("world")
def test_export_and_delete_of_an_owner(app: Flask) -> None:
    data = privacy.export(OWNER.upper(), now=NOW)["data"]
    assert [record["listing"] for record in data["listing_owners"]] == [
        f"L-{YEAR}-01", f"L-{YEAR}-02"]
    assert data["listing_owners"][0]["office_note"] == "Zu klein"
    assert "search_profiles" not in data and FOUNDER not in json.dumps(data)
    other = offer("someone@example.org", title="Fremd")
    done = {item.kind.key: item.count for item in privacy.delete(OWNER, now=NOW)}
    assert done["listing_owners"] == 2
    assert (listing(f"L-{YEAR}-02").owner_email, listing(f"L-{YEAR}-02").status) == (
        "", "published")
    assert listing(other.code).owner_email == "someone@example.org"
    # The office's mails about her offers went too; another owner's stays.
    office = db.session.scalars(select(OutboxMail.text_body).where(
        OutboxMail.kind == "listing_offer_office")).all()
    assert len(office) == 1 and "someone@example.org" in office[0]
    assert not any(OWNER in body for body in db.session.scalars(select(OutboxMail.text_body)))
    assert privacy.export(OWNER, now=NOW)["data"] == {}


@pytest.mark.usefixtures("world")
def test_export_and_delete_of_a_founder(app: Flask) -> None:
    [record] = privacy.export(FOUNDER, now=NOW)["data"]["search_profiles"]
    assert (record["name"], record["uses"], record["message"], record["status"]) == (
        "Lea Gründerin", ["retail"], "Unverpackt-Laden", "active")
    assert OWNER not in json.dumps(record)
    matches = select(OutboxMail).where(OutboxMail.kind == "listing_match")
    assert len(db.session.scalars(matches).all()) == 2
    done = {item.kind.key: item.count for item in privacy.delete(FOUNDER, now=NOW)}
    assert done["search_profiles"] == 1
    assert [p.email for p in db.session.scalars(select(SearchProfile))] == ["ben@example.org"]
    [kept] = db.session.scalars(matches)
    assert "ben@example.org" in kept.text_body
    assert not any(FOUNDER in body for body in db.session.scalars(select(OutboxMail.text_body)))


def test_the_privacy_notice_names_the_exchange(client: FlaskClient) -> None:
    page = client.get("/datenschutz").get_data(as_text=True)
    assert 'id="leerstand"' in page
    assert ("12 Monate nach Abschluss oder Ablehnung des Angebots (oder seiner letzten "
            "Bestätigung)") in page
    assert "12 Monate nach dem Anlegen des Profils" in page


def test_the_founder_is_told_when_the_profile_is_deleted(app: Flask) -> None:
    save_profile()
    [sent] = db.session.scalars(select(OutboxMail).where(
        OutboxMail.kind == "search_profile_received"))
    assert "bis zum 1. Dezember 2027 gespeichert" in sent.text_body
