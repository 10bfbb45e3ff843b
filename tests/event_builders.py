"""A small builder of events for the view and browser tests."""

from datetime import datetime, timedelta
from itertools import count

from app.extensions import db
from app.models import Event, EventAudience

from .helpers import BERLIN

_serial = count(1)
# A Thursday evening in the rally's second week, local time.
EVENING = datetime(2026, 12, 10, 18, 0, tzinfo=BERLIN)


def make_event(**overrides: object) -> Event:
    """A published networking evening with five places, registration until the day
    before; ``audiences`` is a list of audience keys."""
    n = next(_serial)
    starts_at = overrides.pop("starts_at", EVENING)
    assert isinstance(starts_at, datetime)
    audiences = overrides.pop("audiences", [])
    assert isinstance(audiences, list)
    values: dict[str, object] = {
        "slug": f"netzwerkabend-{n}",
        "kind": "networking",
        "status": "published",
        "title": f"Netzwerkabend {n}",
        "summary": "Kennenlernen bei Kaffee und Kuchen.",
        "description": "Wir treffen uns im **Ladenlokal**.\n\n<script>alert(1)</script>",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "registration_closes_at": starts_at - timedelta(days=1),
        "place": "Hermannstraße 1, 45699 Herten",
        "capacity": 5,
    }
    values.update(overrides)
    event = Event(**values)
    event.audiences = [EventAudience(audience=key) for key in audiences]
    db.session.add(event)
    db.session.flush()
    return event
