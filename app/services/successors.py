"""The Nachfolgebörse: anonymous profiles of businesses seeking a successor.

The public reads published profiles only, by filters of sector and area; staff create,
edit, publish and retire them (each change audited). A profile's owner contact and the
office's note are for staff: nothing here that serves the public reads them out.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..clock import local
from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import (
    SUCCESSOR_AREAS,
    SUCCESSOR_EMPLOYEES,
    SUCCESSOR_SALES_AREAS,
    SUCCESSOR_SECTORS,
    SUCCESSOR_TIMELINES,
    SuccessorProfile,
)
from .accounts import AccountError, normalise_email
from .editing import EditError, audit, existing, refuse
from .errors import Problem

TITLE_MAX = 120
DESCRIPTION_MAX = 4000
NOTE_MAX = 4000
NAME_MAX = 100
PHONE_MAX = 40
PHONE_RE = re.compile(r"\+?[0-9 ()/.-]{3,40}")
CODE_RE = re.compile(r"N-\d{4}-\d{2,4}")

SECTOR_LABELS = {
    "retail": _l("Einzelhandel"),
    "crafts": _l("Handwerk"),
    "food": _l("Lebensmittelhandwerk"),
    "hospitality": _l("Gastronomie"),
    "services": _l("Dienstleistung"),
    "health": _l("Gesundheit"),
}
EMPLOYEE_LABELS = {
    "1": _l("nur Inhaber/in"),
    "2_5": _l("2–5 Beschäftigte"),
    "6_10": _l("6–10 Beschäftigte"),
    "11_20": _l("11–20 Beschäftigte"),
    "over_20": _l("mehr als 20 Beschäftigte"),
}
SALES_AREA_LABELS = {
    "none": _l("keine Verkaufsfläche"),
    "under_50": _l("unter 50 m²"),
    "50_100": _l("50–100 m²"),
    "100_250": _l("100–250 m²"),
    "over_250": _l("über 250 m²"),
}
AREA_LABELS = {
    "innenstadt": _l("Innenstadt (Fußgängerzone)"),
    "mitte": _l("Herten-Mitte"),
    "paschenberg": _l("Paschenberg"),
    "sued": _l("Herten-Süd"),
    "disteln": _l("Disteln"),
    "scherlebeck": _l("Scherlebeck"),
    "langenbochum": _l("Langenbochum"),
    "westerholt": _l("Westerholt"),
    "bertlich": _l("Bertlich"),
}
TIMELINE_LABELS = {
    "now": _l("sofort"),
    "1_2_years": _l("in 1–2 Jahren"),
    "3_5_years": _l("in 3–5 Jahren"),
}
STATUS_LABELS = {
    "draft": _l("Entwurf"), "published": _l("veröffentlicht"), "retired": _l("zurückgezogen"),
}
# The choices the model's CHECKs allow, with their German words.
assert set(SECTOR_LABELS) == set(SUCCESSOR_SECTORS)  # noqa: S101
assert set(EMPLOYEE_LABELS) == set(SUCCESSOR_EMPLOYEES)  # noqa: S101
assert set(SALES_AREA_LABELS) == set(SUCCESSOR_SALES_AREAS)  # noqa: S101
assert set(AREA_LABELS) == set(SUCCESSOR_AREAS)  # noqa: S101
assert set(TIMELINE_LABELS) == set(SUCCESSOR_TIMELINES)  # noqa: S101


# ---------------------------------------------------------------------------
# Reading (the public sees published profiles only)
# ---------------------------------------------------------------------------


def published(*, sector: str | None = None, area: str | None = None
              ) -> list[SuccessorProfile]:
    """The published profiles, newest first, by sector and area when given."""
    query = select(SuccessorProfile).where(SuccessorProfile.status == "published")
    if sector:
        query = query.where(SuccessorProfile.sector == sector)
    if area:
        query = query.where(SuccessorProfile.area == area)
    return list(db.session.scalars(
        query.order_by(SuccessorProfile.published_at.desc(), SuccessorProfile.id.desc())))


def by_code(code: str) -> SuccessorProfile | None:
    """The profile with this public code (any status: the view decides), or None."""
    if not CODE_RE.fullmatch(code):
        return None
    return db.session.scalars(
        select(SuccessorProfile).where(SuccessorProfile.code == code)).first()


def staff_profiles() -> list[SuccessorProfile]:
    """Every profile for the back office: drafts and published first, then retired."""
    order = {"draft": 0, "published": 1, "retired": 2}
    rows = db.session.scalars(select(SuccessorProfile).order_by(SuccessorProfile.code))
    return sorted(rows, key=lambda row: (order.get(row.status, 3), row.code))


def next_code(now: datetime) -> str:
    """The next free code of the local year: "N-2026-03"."""
    year = local(now).year
    prefix = f"N-{year}-"
    codes = db.session.scalars(
        select(SuccessorProfile.code).where(SuccessorProfile.code.startswith(prefix)))
    numbers = [int(code[len(prefix):]) for code in codes if code[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


# ---------------------------------------------------------------------------
# Staff edits
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileInput:
    """A profile as typed in the back office (texts trimmed)."""

    title: str
    sector: str
    employees: str
    sales_area: str
    area: str
    timeline: str
    description: str = ""
    internal_note: str = ""
    owner_name: str = ""
    owner_email: str = ""
    owner_phone: str = ""


def check_profile(values: ProfileInput) -> tuple[list[Problem], str]:
    """The problems of ``values`` and the owner's address normalised."""
    problems: list[Problem] = []
    for name in ("title", "description", "internal_note", "owner_name", "owner_email",
                 "owner_phone"):
        if has_control_characters(getattr(values, name),
                                  multiline=name in ("description", "internal_note")):
            problems.append(Problem(name, "control_characters"))
    if not values.title or len(values.title) > TITLE_MAX:
        problems.append(Problem("title", "bad_title", {"max": TITLE_MAX}))
    for name, known in (("sector", SUCCESSOR_SECTORS), ("employees", SUCCESSOR_EMPLOYEES),
                        ("sales_area", SUCCESSOR_SALES_AREAS), ("area", SUCCESSOR_AREAS),
                        ("timeline", SUCCESSOR_TIMELINES)):
        if getattr(values, name) not in known:
            problems.append(Problem(name, "unknown_choice"))
    if len(values.description) > DESCRIPTION_MAX:
        problems.append(Problem("description", "too_long", {"max": DESCRIPTION_MAX}))
    if len(values.internal_note) > NOTE_MAX:
        problems.append(Problem("internal_note", "too_long", {"max": NOTE_MAX}))
    if len(values.owner_name) > NAME_MAX:
        problems.append(Problem("owner_name", "too_long", {"max": NAME_MAX}))
    email = ""
    if values.owner_email:
        try:
            email = normalise_email(values.owner_email)
        except AccountError:
            problems.append(Problem("owner_email", "bad_email"))
    if values.owner_phone and not PHONE_RE.fullmatch(values.owner_phone):
        problems.append(Problem("owner_phone", "bad_phone"))
    return problems, email


def _apply(profile: SuccessorProfile, values: ProfileInput, email: str) -> None:
    profile.title = values.title
    profile.sector = values.sector
    profile.employees = values.employees
    profile.sales_area = values.sales_area
    profile.area = values.area
    profile.timeline = values.timeline
    profile.description = values.description
    profile.internal_note = values.internal_note
    profile.owner_name = values.owner_name
    profile.owner_email = email
    profile.owner_phone = values.owner_phone


def create_profile(*, values: ProfileInput, now: datetime, actor_id: int | None
                   ) -> SuccessorProfile:
    """A new draft with the year's next code. Audited as ``successor.create``."""
    begin_write()
    problems, email = check_profile(values)
    if problems:
        refuse(problems)
    profile = SuccessorProfile(code=next_code(now), status="draft", created_at=now,
                               updated_at=now)
    _apply(profile, values, email)
    db.session.add(profile)
    try:
        db.session.flush()
    except IntegrityError as error:  # two new profiles at the same moment took the code
        db.session.rollback()
        raise EditError("code_taken") from error
    audit(now, actor_id, "successor.create", profile.code)
    db.session.commit()
    return profile


def update_profile(*, profile_id: int, values: ProfileInput, now: datetime,
                   actor_id: int | None) -> SuccessorProfile:
    """Save an edit (code and status stay). Audited as ``successor.edit`` with the names
    of the changed fields (never their values: the owner's contact stays out of the
    log)."""
    begin_write()
    profile = existing(SuccessorProfile, profile_id, "unknown_profile")
    problems, email = check_profile(values)
    if problems:
        refuse(problems)
    before = {name: getattr(profile, name) for name in ProfileInput.__dataclass_fields__}
    _apply(profile, values, email)
    changed = sorted(name for name, value in before.items() if getattr(profile, name) != value)
    profile.updated_at = now
    audit(now, actor_id, "successor.edit", profile.code, fields=changed)
    db.session.commit()
    return profile


def set_status(*, profile_id: int, status: str, now: datetime, actor_id: int | None
               ) -> SuccessorProfile:
    """Publish (a draft or a retired profile) or retire (a published or draft one).
    Audited as ``successor.publish`` or ``successor.retire``."""
    if status not in ("published", "retired"):
        raise EditError("unknown_status")
    begin_write()
    profile = existing(SuccessorProfile, profile_id, "unknown_profile")
    if profile.status == status:
        db.session.rollback()
        raise EditError("unchanged")
    profile.status = status
    if status == "published":
        profile.published_at = now
        profile.retired_at = None
    else:
        profile.retired_at = now
    profile.updated_at = now
    audit(now, actor_id, "successor.publish" if status == "published" else "successor.retire",
          profile.code)
    db.session.commit()
    return profile


def open_inquiry_counts() -> dict[int, int]:
    """How many open inquiries each profile has (by profile id)."""
    from ..models import Inquiry

    return {subject_id: count for subject_id, count in db.session.execute(
        select(Inquiry.subject_id, func.count()).where(
            Inquiry.subject_kind == "successor", Inquiry.handled_at.is_(None))
        .group_by(Inquiry.subject_id))}
