"""Inquiries and the owners behind successor profiles in the privacy registry: purged
after their retention, exported and deleted by address."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Inquiry, OutboxMail, SuccessorProfile
from app.services import inquiries, privacy, successors
from app.services.demo import load_successors

from .helpers import BERLIN, FIRST_DAY

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

NOW = FIRST_DAY.astimezone(UTC)
YEAR = FIRST_DAY.year
BAKERY_OWNER = "h.beispielbaecker@example.org"


def ask(code: str, email: str, *, now: datetime = NOW) -> Inquiry:
    found = successors.by_code(code)
    assert found is not None
    return inquiries.submit(subject_kind="successor", subject_id=found.id, name="Jana",
                            email=email, phone="0170 1234567", message="Interesse",
                            consent=True, now=now)


def profile(code: str) -> SuccessorProfile:
    db.session.expire_all()
    found = successors.by_code(code)
    assert found is not None
    return found


@pytest.fixture
def world(app: Flask, freeze: Callable[[datetime], None]) -> None:
    """The demo's profiles; two inquiries, one handled on 1 December; the fashion shop's
    profile retired on 1 December."""
    load_successors(NOW)
    db.session.commit()
    handled = ask(f"N-{YEAR}-01", "jana@example.org")
    ask(f"N-{YEAR}-02", "jana@example.org", now=NOW + timedelta(days=100))
    inquiries.update(inquiry_id=handled.id, note="Erledigt am Telefon", handled=True,
                     now=NOW, actor_id=None)
    successors.set_status(profile_id=profile(f"N-{YEAR}-02").id, status="retired", now=NOW,
                          actor_id=None)


def held_inquiries() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(row.subject_ref, row.email) for row in
            db.session.scalars(select(Inquiry).order_by(Inquiry.id))]


@pytest.mark.usefixtures("world")
def test_purge_deletes_inquiries_and_blanks_retired_owners_after_their_retention(
        app: Flask) -> None:
    assert app.config["INQUIRY_RETENTION_MONTHS"] == 6
    assert app.config["SUCCESSOR_RETENTION_MONTHS"] == 12
    # Five months on: nothing is due.
    done = {item.kind.key: item.count for item in privacy.purge(
        now=datetime(2027, 5, 1, 12, tzinfo=BERLIN))}
    assert done["inquiries"] == 0 and done["successor_owners"] == 0
    assert len(held_inquiries()) == 2
    # Six months after handling: the handled one goes; the other came in 100 days later.
    done = {item.kind.key: item.count for item in privacy.purge(
        now=datetime(2027, 6, 2, 12, tzinfo=BERLIN))}
    assert done["inquiries"] == 1
    assert held_inquiries() == [(f"N-{YEAR}-02", "jana@example.org")]
    # A year after retiring: the retired profile's owner is blanked; published ones keep
    # theirs; the anonymous profile stays.
    done = {item.kind.key: item.count for item in privacy.purge(
        now=datetime(2027, 12, 2, 12, tzinfo=BERLIN))}
    assert done["successor_owners"] == 1
    retired, published = profile(f"N-{YEAR}-02"), profile(f"N-{YEAR}-01")
    assert (retired.owner_name, retired.owner_email, retired.owner_phone,
            retired.internal_note) == ("", "", "", "")
    assert retired.title == "Modegeschäft für Damen und Herren"
    assert published.owner_email == BAKERY_OWNER
    assert held_inquiries() == []  # the later inquiry's six months have passed too


@pytest.mark.usefixtures("world")
def test_export_and_delete_of_an_inquirer(app: Flask) -> None:
    data = privacy.export(" JANA@example.org ", now=NOW)["data"]
    assert {record["about"] for record in data["inquiries"]} == {
        f"successor N-{YEAR}-01", f"successor N-{YEAR}-02"}
    assert data["inquiries"][0]["office_note"] == "Erledigt am Telefon"
    assert "successor_owners" not in data
    text = json.dumps(data)
    assert BAKERY_OWNER not in text and "Beispielbäcker" not in text
    office_copies = select(OutboxMail.id).where(OutboxMail.kind == "inquiry_office")
    other = ask(f"N-{YEAR}-01", "jana.b@example.org")
    assert len(db.session.scalars(office_copies).all()) == 3
    done = {item.kind.key: item.count for item in privacy.delete("jana@example.org", now=NOW)}
    assert done["inquiries"] == 2
    assert held_inquiries() == [(f"N-{YEAR}-01", "jana.b@example.org")]
    # The office's copies of her inquiries went with them; another person's stays.
    [kept] = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "inquiry_office"))
    assert "jana.b@example.org" in kept.text_body and other.id
    assert not db.session.scalars(select(OutboxMail).where(
        OutboxMail.text_body.contains("E-Mail: jana@example.org"))).all()
    assert profile(f"N-{YEAR}-01").owner_email == BAKERY_OWNER


@pytest.mark.usefixtures("world")
def test_export_and_delete_of_an_owner(app: Flask) -> None:
    data = privacy.export(BAKERY_OWNER.upper(), now=NOW)["data"]
    [record] = data["successor_owners"]
    assert record["profile"] == f"N-{YEAR}-01"
    assert record["owner_name"] == "Heinrich Beispielbäcker"
    assert "inquiries" not in data and "jana@example.org" not in json.dumps(data)
    done = {item.kind.key: item.count for item in privacy.delete(BAKERY_OWNER, now=NOW)}
    assert done == {"successor_owners": 1}
    bakery = profile(f"N-{YEAR}-01")
    assert (bakery.owner_name, bakery.owner_email, bakery.owner_phone) == ("", "", "")
    assert bakery.status == "published"  # the anonymous profile stays online
    assert privacy.export(BAKERY_OWNER, now=NOW)["data"] == {}
