"""A few appointments for the live server, so that the desk's pages have something to
show: the office's week and topics (unless the demo brought them), a closure, and
bookings in this week in every status, today's included, beside the demo's requests."""

import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.clock import BERLIN, local
from app.extensions import db
from app.models import (
    SLOT_MINUTES,
    Appointment,
    AppointmentSlot,
    AppointmentTopic,
    OfficeClosure,
    OfficeHours,
)

TOPICS = (("Kurzberatung", 30), ("Unternehmensnachfolge", 60),
          ("Leerstand und Zwischennutzung", 30), ("Gründung und Finanzierung", 45),
          ("Sonstiges", 30))
# (weekday, hour, minute, adviser, topic index, status, name, phone, note)
BOOKINGS = (
    (0, 9, 30, 1, 0, "confirmed", "Jonas Becker", "", ""),
    (1, 10, 0, 1, 1, "confirmed", "Erika Musterfrau", "02366 303-210",
     "Ich möchte mein Geschäft in zwei Jahren übergeben und suche Rat."),
    (1, 10, 0, 2, 2, "requested", "Ahmet Yılmaz-Schröder", "0171 2345678",
     "Leerstand in der Ewaldstraße als Pop-up-Laden für sechs Wochen?"),
    (1, 14, 0, 1, 3, "requested", "Marie-Luise von Kleinschmidt-Hartenberg", "", ""),
    (1, 15, 0, 1, 4, "cancelled", "Paul Neumann", "", ""),
    (2, 13, 0, 1, 0, "requested", "Sabine Wolf", "02366 12345", "Rückruf gern vormittags."),
    (3, 9, 0, 2, 3, "declined", "Tim Kaya", "", ""),
    # Next week's Monday: still ahead whenever the tests run, for the desk's browser test.
    (7, 11, 0, 1, 0, "requested", "Nina Vogel", "", "Frage zur Förderung."),
)


def seed_appointments(now: datetime) -> None:
    """Add the office's week, topics, a closure and this week's bookings."""
    if db.session.scalars(select(OfficeHours).limit(1)).first() is None:
        for day in range(4):
            db.session.add_all([OfficeHours(weekday=day, opens=540, closes=720, advisers=2),
                                OfficeHours(weekday=day, opens=780, closes=960, advisers=1)])
    topics = list(db.session.scalars(select(AppointmentTopic).order_by(AppointmentTopic.id)))
    if not topics:
        topics = [AppointmentTopic(slug=f"desk-{n}", name=name, duration_minutes=minutes,
                                   position=n, active=True)
                  for n, (name, minutes) in enumerate(TOPICS)]
        db.session.add_all(topics)
        db.session.flush()
    today = local(now).date()
    monday = today - timedelta(days=today.weekday())
    db.session.add(OfficeClosure(starts_on=monday + timedelta(days=21),
                                 ends_on=monday + timedelta(days=23), reason="Fortbildung"))
    for weekday, hour, minute, adviser, index, status, name, phone, note in BOOKINGS:
        topic = topics[index % len(topics)]
        starts_at = datetime.combine(monday + timedelta(days=weekday), time(hour, minute),
                                     tzinfo=BERLIN)
        booking = Appointment(
            token=secrets.token_urlsafe(16), topic_id=topic.id, starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=topic.duration_minutes), adviser=adviser,
            status=status, name=name, email=f"{name.split()[0].lower()}@example.org",
            phone=phone, note=note, consent_at=now, created_at=now, updated_at=now,
        )
        try:
            with db.session.begin_nested():  # beside the demo's own requests
                db.session.add(booking)
                db.session.flush()
                if status in ("requested", "confirmed"):
                    db.session.add_all(
                        AppointmentSlot(adviser=adviser, appointment_id=booking.id,
                                        starts_at=starts_at + timedelta(minutes=offset))
                        for offset in range(0, topic.duration_minutes, SLOT_MINUTES))
                    db.session.flush()
        except IntegrityError:
            continue  # a demo request holds that time already
    db.session.commit()
