"""Matching published listings with founders' search profiles: placeholder until merge.

The listings-public helper writes the real module (ListingMatch rows for new pairs, one
mail to the office per pair); this stand-in only keeps the office side importable.
"""

from datetime import datetime

from ..models import Listing, SearchProfile


def notify_for_listing(listing: Listing, now: datetime) -> int:
    """Placeholder until merge: tell staff of the profiles ``listing`` fits; return the
    number of new pairs (here always 0)."""
    return 0


def notify_for_profile(profile: SearchProfile, now: datetime) -> int:
    """Placeholder until merge: tell staff of the listings ``profile`` fits; return the
    number of new pairs (here always 0)."""
    return 0
