"""Fixtures of the back-office tests: a logged-in staff client and a rally with shops.

The login form belongs to the auth work; these tests log in by writing Flask-Login's
session keys directly, as the real login would leave them.
"""

from collections.abc import Callable
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Rally, Station, User
from app.services.users import create_user

from ..helpers import make_rally, make_shop, make_station

STAFF_PASSWORD = "ein-langes-passwort-123"


def count(model: type) -> int:
    """Rows of a model's table."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def log_in(client: FlaskClient, user: User, moment: datetime) -> None:
    """Put ``user`` into the client's session as a fresh login at ``moment``."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["auth_at"] = moment.isoformat()


@pytest.fixture
def staff_user(app: Flask) -> User:
    """An office staff account."""
    return create_user(email="team@buero.test", password=STAFF_PASSWORD, role="staff",
                       name="Team Büro")


@pytest.fixture
def staff_client(app: Flask, freeze: Callable[[datetime], None], staff_user: User) -> FlaskClient:
    """A client logged in as staff, with the clock frozen on the rally's first day."""
    client = app.test_client()
    log_in(client, staff_user, clock.utcnow())
    return client


@pytest.fixture
def rally_with_shops(app: Flask) -> tuple[Rally, list[Station]]:
    """A published rally (1–24 Dec 2026, goal 3) with three shops."""
    rally = make_rally(slug="advent", name="Advents-Rallye")
    stations = [
        make_station(rally, make_shop(name=name, slug=slug))
        for name, slug in (("Bäckerei Korn", "baeckerei-korn"), ("Café Mitte", "cafe-mitte"),
                           ("Buchladen", "buchladen"))
    ]
    db.session.commit()
    return rally, stations
