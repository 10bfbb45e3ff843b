"""Races of bookings: many people at once for one time get one booking; the others a
"gerade vergeben" with other times. On PostgreSQL the primary key's unique index
decides (an insert waits for the open booking of the same slot); on SQLite the write
lock."""

from datetime import UTC, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appointment, AppointmentSlot
from app.services import appointments
from app.services.appointments import AppointmentError

from .test_appointments import MONDAY_9, NOW, make_topic, office_week
from .test_concurrency import all_at_once

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

PEOPLE = 20


def try_booking(i: int, slug: str = "kurzberatung", minutes_after_nine: int = 0) -> object:
    """Person ``i`` books; the refusal is returned rather than raised."""
    try:
        return appointments.book(
            topic_slug=slug, starts_at=(MONDAY_9 + timedelta(minutes=minutes_after_nine))
            .astimezone(UTC), name=f"Person {i}", email=f"person{i}@example.org",
            consent=True, now=NOW)
    except AppointmentError as error:
        return error


def outcome(results: list[object]) -> tuple[list[Appointment], list[AppointmentError]]:
    """The bookings and the refusals among ``results``."""
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, AppointmentError)]
    assert len(booked) + len(refused) == len(results), results
    return booked, refused


def slots_by_booking() -> dict[int, int]:
    """How many slots each booking holds."""
    rows = db.session.execute(select(AppointmentSlot.appointment_id, func.count())
                              .group_by(AppointmentSlot.appointment_id))
    return dict(rows.all())  # type: ignore[arg-type]


def test_twenty_people_for_one_time_make_one_booking(app: Flask) -> None:
    office_week()
    make_topic()
    db.session.commit()
    db.session.remove()

    booked, refused = outcome(all_at_once(app, try_booking, PEOPLE))

    assert len(booked) == 1 and len(refused) == PEOPLE - 1
    assert {error.code for error in refused} == {"slot_taken"}
    for error in refused:
        alternatives = error.context["alternatives"]
        assert alternatives and MONDAY_9 not in [free.starts_at for free in alternatives]
        assert alternatives[0].starts_at.astimezone(UTC) >= MONDAY_9.astimezone(UTC) - timedelta(
            days=7)
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    assert slots_by_booking() == {booked[0].id: 2}


def test_with_two_advisers_twenty_people_make_two_bookings(app: Flask) -> None:
    office_week(advisers=2)
    make_topic()
    db.session.commit()
    db.session.remove()

    booked, refused = outcome(all_at_once(app, try_booking, PEOPLE))

    assert len(booked) == 2 and {error.code for error in refused} == {"slot_taken"}
    assert sorted(appointment.adviser for appointment in booked) == [1, 2]
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2


def test_overlapping_topics_racing_make_one_booking(app: Flask) -> None:
    """An hour from 9:00 and half-hours from 9:30 share the slots 9:30 and 9:45."""
    office_week()
    make_topic()
    make_topic("nachfolge", 60)
    db.session.commit()
    db.session.remove()

    def work(i: int) -> object:
        if i % 2:
            return try_booking(i, "nachfolge", 0)
        return try_booking(i, "kurzberatung", 30)

    booked, refused = outcome(all_at_once(app, work, PEOPLE))

    assert len(booked) == 1 and {error.code for error in refused} == {"slot_taken"}
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1


def test_moves_and_bookings_racing_for_one_time_leave_one_holder(app: Flask) -> None:
    """Ten people move their bookings to 9:00 while ten others book 9:00; a refused
    move keeps its old time."""
    office_week()
    make_topic()
    db.session.commit()
    tokens = []
    tuesday = [60 * 24 + 30 * k for k in range(6)] + [60 * 28 + 30 * k for k in range(4)]
    for i, offset in enumerate(tuesday):
        booked = try_booking(100 + i, minutes_after_nine=offset)
        assert isinstance(booked, Appointment)
        tokens.append(booked.token)
    db.session.remove()

    def work(i: int) -> object:
        if i % 2:
            return try_booking(i)
        try:
            return appointments.move(token=tokens[i // 2],
                                     starts_at=MONDAY_9.astimezone(UTC), now=NOW)
        except AppointmentError as error:
            return error

    booked, refused = outcome(all_at_once(app, work, PEOPLE))

    assert len(booked) == 1 and {error.code for error in refused} == {"slot_taken"}
    holders = db.session.scalars(select(Appointment).where(
        Appointment.starts_at == MONDAY_9.astimezone(UTC)))
    assert [a.id for a in holders] == [booked[0].id]
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == PEOPLE // 2 + (
        0 if booked[0].token in tokens else 1)
    assert set(slots_by_booking().values()) == {2}
    assert len(slots_by_booking()) == db.session.scalar(
        select(func.count()).select_from(Appointment))
