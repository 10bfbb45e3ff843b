"""Founders describe the space they look for ("Suchprofil").

A profile is for staff only: it never shows in public. Saving one queues a confirmation to
the founder and tells staff of every public listing it already fits
(app.services.listing_matches), in one transaction; nothing is written when the input is
refused. Staff close profiles in the back office.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _

from ..clock import local
from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import LISTING_USES, SearchProfile, SearchProfileUse
from . import listing_matches
from .editing import audit, refuse
from .errors import Problem
from .listing_offers import AREA_MAX, MONEY_MAX, check_contact
from .listings import USE_LABELS, money
from .mail import queue_mail
from .rally_terms import months_after

MESSAGE_MAX = 3000


@dataclass(frozen=True)
class ProfileInput:
    """A search profile as typed (money in cent)."""

    name: str
    email: str
    consent: bool
    phone: str = ""
    min_area_m2: int | None = None
    max_area_m2: int | None = None
    max_rent_cents: int | None = None
    temporary_only: bool = False
    uses: tuple[str, ...] = field(default_factory=tuple)
    message: str = ""


def check_profile(values: ProfileInput) -> tuple[list[Problem], str, str, str]:
    """The problems of ``values`` and the founder's name, address and phone cleaned."""
    problems: list[Problem] = []
    for name in ("min_area_m2", "max_area_m2"):
        area = getattr(values, name)
        if area is not None and not 0 < area <= AREA_MAX:
            problems.append(Problem(name, "bad_area", {"max": AREA_MAX}))
    if (values.min_area_m2 is not None and values.max_area_m2 is not None
            and values.max_area_m2 < values.min_area_m2):
        problems.append(Problem("max_area_m2", "area_range"))
    if values.max_rent_cents is not None and not 0 <= values.max_rent_cents <= MONEY_MAX:
        problems.append(Problem("max_rent_cents", "bad_money"))
    if any(use not in LISTING_USES for use in values.uses):
        problems.append(Problem("uses", "unknown_choice"))
    if has_control_characters(values.message, multiline=True):
        problems.append(Problem("message", "control_characters"))
    if len(values.message) > MESSAGE_MAX:
        problems.append(Problem("message", "too_long", {"max": MESSAGE_MAX}))
    contact, name, email, phone = check_contact(
        name=values.name, email=values.email, phone=values.phone, consent=values.consent)
    return problems + contact, name, email, phone


def save_profile(*, values: ProfileInput, now: datetime) -> tuple[SearchProfile, int]:
    """Store a founder's profile (active, consent at ``now``), queue their confirmation
    and tell staff of the listings it fits; the profile and the number of matches. Raise
    :class:`~app.services.editing.InvalidInput` and write nothing on bad input. Audited
    as ``search_profile.create`` (without the person's details)."""
    problems, name, email, phone = check_profile(values)
    if problems:
        refuse(problems)
    begin_write()
    profile = SearchProfile(
        name=name, email=email, phone=phone, min_area_m2=values.min_area_m2,
        max_area_m2=values.max_area_m2, max_rent_cents=values.max_rent_cents,
        temporary_only=values.temporary_only,
        message=values.message.strip().replace("\r\n", "\n"), status="active",
        consent_at=now, created_at=now,
        uses=[SearchProfileUse(use=use) for use in sorted(set(values.uses))])
    db.session.add(profile)
    db.session.flush()
    audit(now, None, "search_profile.create", f"#{profile.id}")
    queue_mail(kind="search_profile_received", to=email,
               subject=_("Ihr Suchprofil in der Leerstandsbörse"),
               template="search_profile_received",
               context={"profile": profile, "kept_until": kept_until(now),
                        "uses": [USE_LABELS[item.use] for item in profile.uses],
                        "max_rent": money(profile.max_rent_cents)
                        if profile.max_rent_cents is not None else ""},
               now=now)
    matches = listing_matches.notify_for_profile(profile, now)
    db.session.commit()
    return profile, matches


def kept_until(now: datetime) -> date:
    """The local day a profile saved at ``now`` is deleted (flask purge)."""
    months = int(current_app.config["SEARCH_PROFILE_RETENTION_MONTHS"])
    return local(months_after(now, months)).date()
