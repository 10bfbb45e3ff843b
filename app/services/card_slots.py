"""The stamp card's look: one slot per stamp up to the goal, then one per further shop,
each collected stamp a round ink mark with the shop's initials and colour.

Everything here is computed from what the card page has already loaded (its stamps and
the rally's open stations): no query per slot, nor any at all.
"""

import re
import zlib
from dataclasses import dataclass
from datetime import datetime

from ..clock import local
from .cards import Progress, StampLine

# Ink colours of the stamp marks: dark enough that the initials (the ink colour on the
# card's cream paper with a light wash of the same ink) keep WCAG AA contrast, 4.5:1,
# even at small sizes; distinct enough to tell neighbouring stamps apart. The first is
# the rally's own red, the rest are the calm tones of a stamp pad.
INKS = (
    "#9b1c2c",  # rally red
    "#1d5c3f",  # fir green
    "#1f3f74",  # navy
    "#6a2c70",  # plum
    "#7a4311",  # umber
    "#0f5b63",  # petrol
    "#8a1f52",  # berry
    "#4b5316",  # olive
)
# The paper the marks sit on (site.css --cream) and the strength of the ink's wash.
PAPER = "#fff8e6"
WASH_OPACITY = 0.1

# Small words that do not make a shop's initials ("Gasthaus Zum Förderkorb" is "GF").
SMALL_WORDS = frozenset({
    "am", "an", "auf", "bei", "beim", "das", "dem", "den", "der", "die", "im", "in", "und",
    "von", "vom", "zu", "zum", "zur", "the", "of", "and",
})
WORD_RE = re.compile(r"[^\W_]+")  # letters and digits; "&", "-" and spaces separate

# A real stamp never lands straight: each shop's mark leans by its own few degrees.
MAX_TILT = 12


def initials(name: str) -> str:
    """The letters on a shop's stamp: the first letters of its first two words that are
    not small words ("Café Mühle" → "CM", "Buchhandlung am Markt" → "BM"); a one-word
    name of up to three letters in full ("dm" → "DM"), a longer one by its first letter."""
    words = WORD_RE.findall(name)
    significant = [word for word in words if word.casefold() not in SMALL_WORDS] or words
    if not significant:
        return "★"
    if len(significant) == 1:
        word = significant[0]
        return word.upper() if len(word) <= 3 else word[0].upper()
    return "".join(word[0].upper()[:1] for word in significant[:2])


def shop_hash(slug: str) -> int:
    """A stable number for a shop (CRC-32 of its slug): the same in every process and
    year, unlike Python's salted ``hash``."""
    return zlib.crc32(slug.encode("utf-8"))


def ink(slug: str) -> str:
    """The shop's ink colour, always the same for the same shop."""
    return INKS[shop_hash(slug) % len(INKS)]


def tilt(slug: str) -> int:
    """The shop's stamp angle in degrees, from -MAX_TILT to MAX_TILT."""
    return (shop_hash(slug) // len(INKS)) % (2 * MAX_TILT + 1) - MAX_TILT


@dataclass(frozen=True)
class Slot:
    """One field of the card: its number, and the stamp in it if there is one."""

    number: int
    stamp: StampLine | None = None
    is_new: bool = False  # the stamp that has just landed (the page celebrates it)

    @property
    def initials(self) -> str:
        """The letters of the stamp's shop."""
        return initials(self.stamp.shop_name) if self.stamp else ""

    @property
    def ink(self) -> str:
        """The stamp's colour."""
        return ink(self.stamp.shop_slug) if self.stamp else ""

    @property
    def tilt(self) -> int:
        """The stamp's angle in degrees."""
        return tilt(self.stamp.shop_slug) if self.stamp else 0

    @property
    def short_day(self) -> str:
        """The stamp's day as on a paper stamp, ``2.12.`` (Berlin time)."""
        if self.stamp is None:
            return ""
        day = local(self.stamp.created_at)
        return f"{day.day}.{day.month}."

    @property
    def stamped_at(self) -> datetime | None:
        """When the stamp landed."""
        return self.stamp.created_at if self.stamp else None


@dataclass(frozen=True)
class CardSlots:
    """The card's fields: those that count for the draw (up to the goal) and those for
    the rest of the rally's shops."""

    goal: list[Slot]
    extra: list[Slot]

    @property
    def total(self) -> int:
        """All fields of the card."""
        return len(self.goal) + len(self.extra)


def lay_out(stamps: list[StampLine], goal: int, stations: int, *,
            celebrating: bool = False) -> CardSlots:
    """Lay ``stamps``, oldest first, into the fields of a card.

    The card has a field for each of the rally's ``stations`` (and at least ``goal``);
    the first ``goal`` fields count for the draw. With ``celebrating`` (the page follows
    a new stamp), the newest stamp is marked as new.
    """
    total = max(stations, goal, len(stamps))
    newest = len(stamps) if celebrating else 0
    slots = [
        Slot(number=n, stamp=stamps[n - 1] if n <= len(stamps) else None, is_new=n == newest)
        for n in range(1, total + 1)
    ]
    return CardSlots(goal=slots[:goal], extra=slots[goal:])


def card_slots(progress: Progress, *, celebrating: bool = False) -> CardSlots:
    """The fields of a card with its stamps: one per active station of the rally (the
    stamped ones and those still open)."""
    return lay_out(progress.stamps, progress.goal, progress.total, celebrating=celebrating)


def blank_card(goal: int) -> CardSlots:
    """The fields for the draw of a card that has no stamp yet (the page for a browser
    without a card shows what its card will look like)."""
    return lay_out([], goal, goal)
