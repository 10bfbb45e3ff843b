"""Races of event registrations: many people at once for a few places, the same address
many times at once, cancellations and periodic runs at once. On PostgreSQL the events
row's lock (``taken`` under its CHECK) and the partial unique index decide; on SQLite
the write lock."""

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, EventRegistration, OutboxMail
from app.services import events
from app.services.events import EventError

from .test_concurrency import all_at_once
from .test_events import NOW, holding, make_event, register, statuses, taken

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

PEOPLE = 30


def try_registering(i: int, *, same_address: bool = False) -> object:
    """Person ``i`` registers; the refusal is returned rather than raised."""
    try:
        return register(i, email="anna@example.org" if same_address
                        else f"person{i}@example.org")
    except EventError as error:
        return error


def mails(kind: str) -> list[str]:
    """The addresses of the queued mails of ``kind``."""
    return sorted(db.session.scalars(select(OutboxMail.recipient).where(OutboxMail.kind == kind)))


def test_thirty_people_at_once_for_five_places(app: Flask) -> None:
    make_event(capacity=5)
    db.session.remove()

    results = all_at_once(app, try_registering, PEOPLE)

    assert all(isinstance(r, EventRegistration) for r in results), results
    rows = events.registrations(db.session.scalars(select(Event.id)).one())
    assert [r.status for r in rows].count("confirmed") == 5
    assert [r.status for r in rows].count("waiting") == PEOPLE - 5
    assert taken() == 5 == holding()
    waiting = [r for r in rows if r.status == "waiting"]
    assert [events.waiting_position(r) for r in waiting] == list(range(1, PEOPLE - 4))
    # The waiting list's order is the order of arrival: every confirmed one came first.
    assert max(r.id for r in rows if r.status == "confirmed") < min(r.id for r in waiting)
    assert len(mails("event_confirmed")) == 5 and len(mails("event_waiting")) == PEOPLE - 5


def test_the_same_address_thirty_times_at_once_makes_one_registration(app: Flask) -> None:
    make_event(capacity=5)
    db.session.remove()

    results = all_at_once(app, lambda i: try_registering(i, same_address=True), PEOPLE)

    made = [r for r in results if isinstance(r, EventRegistration)]
    refused = [r for r in results if isinstance(r, EventError)]
    assert len(made) == 1 and len(refused) == PEOPLE - 1, results
    assert {error.code for error in refused} == {"already_registered"}
    assert db.session.scalar(select(func.count()).select_from(EventRegistration)) == 1
    assert taken() == 1 and mails("event_confirmed") == ["anna@example.org"]


def test_two_cancellations_at_once_offer_two_different_people(app: Flask) -> None:
    make_event(capacity=2)
    first, second = register(1), register(2)
    for n in range(3, 7):
        register(n)
    tokens = [first.token, second.token]
    db.session.remove()

    later = NOW + timedelta(hours=1)
    results = all_at_once(app, lambda i: events.cancel(token=tokens[i], now=later), 2)

    assert all(isinstance(r, EventRegistration) for r in results)
    assert [s for _e, s in statuses()] == [
        "cancelled", "cancelled", "offered", "offered", "waiting", "waiting"]
    assert taken() == 2 == holding()
    assert mails("event_offer") == ["person3@example.org", "person4@example.org"]


def test_two_periodic_runs_at_once_expire_and_offer_each_once(app: Flask) -> None:
    make_event(capacity=3)
    people = [register(n) for n in range(1, 10)]  # 3 confirmed, 6 waiting
    for registration in people[:3]:
        events.cancel(token=registration.token, now=NOW)  # 4, 5, 6 offered
    db.session.remove()

    deadline = NOW + timedelta(hours=48)
    runs = all_at_once(app, lambda _i: events.process_due(deadline), 2)

    expired = sorted(i for run in runs for i in run[0])
    assert expired == sorted(r.id for r in people[3:6])
    assert [s for _e, s in statuses()] == ["cancelled"] * 3 + ["expired"] * 3 + [
        "offered"] * 3
    assert taken() == 3 == holding()
    assert mails("event_offer_expired") == [f"person{n}@example.org" for n in (4, 5, 6)]
    assert mails("event_offer") == [f"person{n}@example.org" for n in range(4, 10)]


def test_the_same_cancellation_twice_at_once_frees_one_place(app: Flask) -> None:
    make_event(capacity=1)
    first = register(1)
    register(2), register(3)
    token = first.token
    db.session.remove()

    later = NOW + timedelta(hours=1)

    def cancel(_i: int) -> object:
        try:
            return events.cancel(token=token, now=later)
        except EventError as error:
            return error

    results = all_at_once(app, cancel, 8)

    assert sum(isinstance(r, EventRegistration) for r in results) == 1, results
    assert {r.code for r in results if isinstance(r, EventError)} == {"not_changeable"}
    assert [s for _e, s in statuses()] == ["cancelled", "offered", "waiting"]
    assert taken() == 1 == holding()
    assert mails("event_cancelled") == ["person1@example.org"]
    assert mails("event_offer") == ["person2@example.org"]


def test_an_offer_confirmed_while_the_run_expires_it_ends_one_way(app: Flask) -> None:
    make_event(capacity=1)
    first, second = register(1), register(2)
    register(3)
    events.cancel(token=first.token, now=NOW)
    token = second.token
    db.session.remove()

    # The same instant seen a microsecond apart: the person still in time, the run late.
    deadline = NOW + timedelta(hours=48)

    def race(i: int) -> object:
        try:
            if i % 2:
                return events.confirm_offer(token=token,
                                            now=deadline - timedelta(microseconds=1))
            return events.expire_offers(deadline)
        except EventError as error:
            return error

    all_at_once(app, race, 6)

    assert taken() == 1 == holding()
    assert [s for _e, s in statuses()] in (
        ["cancelled", "confirmed", "waiting"], ["cancelled", "expired", "offered"])


def test_people_leaving_the_list_while_a_place_is_freed_are_never_offered_it(
        app: Flask) -> None:
    make_event(capacity=1)
    people = [register(n) for n in range(1, 12)]  # 1 confirmed, 2 to 11 waiting
    tokens = [r.token for r in people[:6]]  # the confirmed one cancels, 2 to 6 leave
    db.session.remove()

    later = NOW + timedelta(hours=1)
    all_at_once(app, lambda i: events.cancel(token=tokens[i], now=later), len(tokens))

    assert [s for _e, s in statuses()] == ["cancelled"] * 6 + ["offered"] + ["waiting"] * 4
    assert taken() == 1 == holding()
    offers = mails("event_offer")
    assert offers[-1] == "person7@example.org"
    assert len(offers) == len(set(offers))


def test_registrations_at_once_beside_places_added_while_people_wait(app: Flask) -> None:
    event = make_event(capacity=1)
    for n in range(1, 6):
        register(n)  # 1 confirmed, 2 to 5 waiting
    event.capacity = 4  # three places more, not yet offered
    db.session.commit()
    db.session.remove()

    all_at_once(app, lambda i: try_registering(100 + i), 6)

    assert taken() == 4 == holding()
    by_person = dict(statuses())
    assert [by_person[f"person{n}@example.org"] for n in range(1, 6)] == [
        "confirmed", "offered", "offered", "offered", "waiting"]
    assert {by_person[f"person{100 + i}@example.org"] for i in range(6)} == {"waiting"}
    assert sorted(mails("event_offer")) == [f"person{n}@example.org" for n in (2, 3, 4)]
