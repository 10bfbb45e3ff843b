"""Calendar files (RFC 5545) for appointments and, later, events: the icalendar library.

Times are written in Europe/Berlin with a VTIMEZONE for the years the file's events
span, so that every calendar program shows them at the office's wall-clock time, across
a change to or from summer time too.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from icalendar import Calendar, Event

from ..clock import BERLIN

PRODUCT_ID = "-//Nutzungsmanagement Innenstadt Herten//Innenstadt-Rallye//DE"
CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class CalendarEntry:
    """One event of a calendar file. ``uid`` must stay the same when the event moves."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    cancelled: bool = False
    # Held but not yet confirmed (a booking the office has still to confirm).
    tentative: bool = False
    # Bumped when the event changes, so calendar programs take the newer version.
    sequence: int = 0


def calendar_file(
    entries: Iterable[CalendarEntry], *, now: datetime, name: str = "", method: str = ""
) -> str:
    """The text of a calendar file holding ``entries``.

    ``method`` is "PUBLISH" or "CANCEL" for a mail attachment (RFC 5546), empty for a
    download or a subscribed feed; ``name`` titles a feed in calendar programs.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Berlin")
    years: list[int] = []
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now)
        event.add("dtstart", entry.starts_at.astimezone(BERLIN))
        event.add("dtend", entry.ends_at.astimezone(BERLIN))
        event.add("summary", entry.summary)
        event.add("sequence", entry.sequence)
        if entry.description:
            event.add("description", entry.description)
        if entry.location:
            event.add("location", entry.location)
        if entry.url:
            event.add("url", entry.url)
        event.add("status", "CANCELLED" if entry.cancelled
                  else "TENTATIVE" if entry.tentative else "CONFIRMED")
        calendar.add_component(event)
        years += [entry.starts_at.astimezone(BERLIN).year, entry.ends_at.astimezone(BERLIN).year]
    if years:
        calendar.add_missing_timezones(
            first_date=date(min(years), 1, 1), last_date=date(max(years) + 1, 1, 1)
        )
    return str(calendar.to_ical().decode("utf-8"))
