"""Calendar files: parse back, Berlin wall-clock time with its VTIMEZONE, right instants."""

from datetime import UTC, datetime

from icalendar import Calendar

from app.clock import BERLIN
from app.services.calendar import CalendarEntry, calendar_file

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def parse(text: str) -> Calendar:
    """The parsed calendar of ``text``."""
    return Calendar.from_ical(text)


def test_an_entry_keeps_its_instant_across_the_change_to_summer_time() -> None:
    winter = datetime(2027, 3, 25, 9, 0, tzinfo=BERLIN)  # Thursday before the change
    summer = datetime(2027, 3, 29, 9, 0, tzinfo=BERLIN)  # Monday after it
    text = calendar_file(
        [CalendarEntry(uid="a@rallye.test", starts_at=winter, ends_at=winter.replace(minute=30),
                       summary="Kurzberatung"),
         CalendarEntry(uid="b@rallye.test", starts_at=summer, ends_at=summer.replace(minute=30),
                       summary="Kurzberatung", location="Hermannstraße 16")],
        now=NOW, method="PUBLISH",
    )
    calendar = parse(text)
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Berlin" in text
    starts = [event.decoded("dtstart") for event in calendar.walk("VEVENT")]
    assert [s.astimezone(UTC).hour for s in starts] == [8, 7]  # 09:00 CET, 09:00 CEST
    assert all(str(event["dtstart"].params["TZID"]) == "Europe/Berlin"
               for event in calendar.walk("VEVENT"))
    assert str(calendar["method"]) == "PUBLISH"


def test_a_cancelled_entry_says_so() -> None:
    start = datetime(2026, 12, 3, 9, 0, tzinfo=BERLIN)
    text = calendar_file([CalendarEntry(uid="c@rallye.test", starts_at=start, ends_at=start,
                                        summary="x", cancelled=True, sequence=2)],
                         now=NOW, method="CANCEL")
    [event] = parse(text).walk("VEVENT")
    assert (str(event["status"]), int(event["sequence"])) == ("CANCELLED", 2)


def test_a_held_but_unconfirmed_entry_is_tentative() -> None:
    start = datetime(2026, 12, 3, 9, 0, tzinfo=BERLIN)
    text = calendar_file([CalendarEntry(uid="d@rallye.test", starts_at=start, ends_at=start,
                                        summary="x", tentative=True)], now=NOW)
    [event] = parse(text).walk("VEVENT")
    assert str(event["status"]) == "TENTATIVE"
