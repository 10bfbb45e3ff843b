"""The one place that reads the wall clock, and conversions to local time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC. Tests replace this function."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """Return ``moment`` in the town's time zone (Europe/Berlin)."""
    return moment.astimezone(BERLIN)
