"""What a rally promises the people who enter its draw, beyond its dates.

The draw date, how winners are told, until when a prize can be claimed, who gave each
prize, and how long entry data is kept. The rules page shows these from the rally's data
around the office's own text, so that nobody has to type a date twice.

Plain functions over plain values; :mod:`app.services.admin` calls them while it saves a
rally, in its transaction.
"""

import calendar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..clock import local
from ..extensions import db
from ..models import (
    DEFAULT_WINNERS_NOTICE,
    Prize,
    Rally,
    Shop,
    default_claim_until,
    default_draw_at,
)
from .errors import Problem

# In the prize textarea: "Preis | spendendes Geschäft | kurze Beschreibung".
PRIZE_SEPARATOR = "|"
PRIZE_DESCRIPTION_MAX = 200  # Prize.description
WINNERS_NOTICE_MAX = 1000


@dataclass(frozen=True)
class PrizeLine:
    """One prize as the office types it: name, the donor as typed, a short description."""

    name: str
    donor: str = ""
    description: str = ""
    parts: int = 1  # how many "|"-separated parts the line had


@dataclass(frozen=True)
class RallyTerms:
    """The terms of a rally's draw as entered; ``None`` or empty means the usual one.

    ``prizes`` holds each prize line's donor and description, in the order of the
    rally's prize names; ``None`` leaves the saved ones as they are. With
    ``retention_months`` (the ``ENTRY_RETENTION_MONTHS`` setting) the claim deadline
    must come before entry data is deleted.
    """

    draw_at: datetime | None = None
    claim_until: datetime | None = None
    winners_notice: str = ""
    prizes: tuple[PrizeLine, ...] | None = None
    retention_months: int | None = None

    def resolved(self, entry_closes_at: datetime) -> tuple[datetime, datetime, str]:
        """Draw, claim deadline and notice, with the usual ones where none is given."""
        draw = self.draw_at or default_draw_at(entry_closes_at)
        claim = self.claim_until or default_claim_until(draw)
        return draw, claim, self.winners_notice or DEFAULT_WINNERS_NOTICE


def parse_prize_lines(text: str) -> list[PrizeLine]:
    """The prizes of the textarea: one per non-blank line, parts split at ``|``."""
    lines = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        parts = [part.strip() for part in raw.split(PRIZE_SEPARATOR)]
        padded = [*parts, "", ""]
        lines.append(PrizeLine(name=padded[0], donor=padded[1], description=padded[2],
                               parts=len(parts)))
    return lines


def prize_line_text(prize: Prize) -> str:
    """A saved prize as a line of the textarea (the inverse of :func:`parse_prize_lines`)."""
    parts = [prize.name, prize.donor.name if prize.donor else "", prize.description]
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    text = parts[0]
    for part in parts[1:]:  # "Korb | | im Wert von 40 €": a description, no donor
        text += f" {PRIZE_SEPARATOR} {part}" if part else f" {PRIZE_SEPARATOR}"
    return text


def prizes_with_donors(rally_id: int, limit: int | None = None) -> list[Prize]:
    """The rally's prizes in order, each with its donating shop loaded (for the pages).

    With ``limit``, only the first ones (the top prizes a page names); one query either way.
    """
    query = (
        select(Prize).options(joinedload(Prize.donor))
        .where(Prize.rally_id == rally_id).order_by(Prize.position)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def months_after(moment: datetime, months: int) -> datetime:
    """The same local time ``months`` calendar months later (31 Jan + 1 → 28/29 Feb)."""
    here = local(moment)
    index = here.month - 1 + months
    year, month = here.year + index // 12, index % 12 + 1
    day = min(here.day, calendar.monthrange(year, month)[1])
    return here.replace(year=year, month=month, day=day)


def entries_deleted_by(rally: Rally, retention_months: int) -> datetime:
    """When a rally's entries are deleted at the latest: months after its end."""
    return months_after(rally.ends_at, retention_months)


def _shops_by_key() -> dict[str, list[Shop]]:
    """Every shop under its case-folded name and its slug."""
    found: dict[str, list[Shop]] = {}
    for shop in db.session.scalars(select(Shop)):
        for key in {shop.name.casefold(), shop.slug.casefold()}:
            found.setdefault(key, []).append(shop)
    return found


def find_donor(typed: str, shops: dict[str, list[Shop]] | None = None) -> list[Shop]:
    """The shops a typed donor can mean: by name (any case) or by slug."""
    return (shops if shops is not None else _shops_by_key()).get(typed.strip().casefold(), [])


def check_prize_lines(lines: tuple[PrizeLine, ...]) -> list[Problem]:
    """Every reason the prize lines' donors and descriptions cannot be saved."""
    problems: list[Problem] = []
    shops = _shops_by_key() if any(line.donor for line in lines) else {}
    for number, line in enumerate(lines, start=1):
        if line.parts > 3:
            problems.append(Problem("prizes", "too_many_parts", {"line": number}))
            continue
        if not line.name:
            problems.append(Problem("prizes", "missing_name", {"line": number}))
        if len(line.description) > PRIZE_DESCRIPTION_MAX:
            problems.append(Problem("prizes", "description_too_long",
                                    {"line": number, "max": PRIZE_DESCRIPTION_MAX}))
        if line.donor:
            matches = find_donor(line.donor, shops)
            if not matches:
                problems.append(Problem("prizes", "unknown_donor",
                                        {"line": number, "donor": line.donor}))
            elif len(matches) > 1:
                problems.append(Problem("prizes", "ambiguous_donor",
                                        {"line": number, "donor": line.donor}))
    return problems


def check_terms(terms: RallyTerms, *, entry_closes_at: datetime,
                ends_at: datetime) -> list[Problem]:
    """Every reason ``terms`` cannot be saved for a rally with these dates."""
    problems: list[Problem] = []
    draw, claim, notice = terms.resolved(entry_closes_at)
    if draw < entry_closes_at:
        problems.append(Problem("draw_at", "before_entry_close"))
    if claim <= draw:
        problems.append(Problem("claim_until", "not_after_draw"))
    elif terms.retention_months is not None and claim > months_after(
        ends_at, terms.retention_months
    ):
        problems.append(Problem("claim_until", "after_deletion",
                                {"months": terms.retention_months}))
    if len(notice) > WINNERS_NOTICE_MAX:
        problems.append(Problem("winners_notice", "too_long", {"max": WINNERS_NOTICE_MAX}))
    if terms.prizes is not None:
        problems.extend(check_prize_lines(terms.prizes))
    return problems


def apply_terms(rally: Rally, terms: RallyTerms, *, entry_closes_at: datetime) -> None:
    """Put the (checked) draw date, claim deadline and notice on ``rally``."""
    rally.draw_at, rally.claim_until, rally.winners_notice = terms.resolved(entry_closes_at)


def apply_prize_details(rally: Rally, lines: tuple[PrizeLine, ...] | None) -> None:
    """Give the rally's saved prizes, by position, the lines' donors and descriptions."""
    if lines is None:
        return
    shops = _shops_by_key()
    prizes = db.session.scalars(
        select(Prize).where(Prize.rally_id == rally.id).order_by(Prize.position)
    )
    for prize, line in zip(prizes, lines, strict=False):
        donors = find_donor(line.donor, shops) if line.donor else []
        prize.donor_shop_id = donors[0].id if donors else None
        prize.description = line.description
        db.session.expire(prize, ["donor"])  # follows donor_shop_id on its next read
    db.session.flush()
