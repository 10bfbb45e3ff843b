"""Inquiries to the office about something on the site: a successor profile now, an
empty shop later. The person never writes to an owner: the office gets a mail naming the
subject's public reference and the person's details, the person a confirmation that
names only the public reference (never anything of the business behind it).

A new kind of subject is one more entry in :data:`SUBJECTS` (and in the model's
``INQUIRY_SUBJECTS``): a function from an id to the public :class:`Subject` or None.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import Inquiry, Listing, SuccessorProfile
from .accounts import AccountError, normalise_email
from .editing import audit
from .errors import DomainError
from .mail import queue_mail

NAME_MAX = 100
PHONE_MAX = 40
DIGITS = frozenset("0123456789")  # str.isdigit() would take "٣" or "²" too
MESSAGE_MAX = 3000


class InquiryError(DomainError):
    """An inquiry refused. Codes: ``unknown_subject`` (gone, or not public),
    ``bad_name``, ``bad_email``, ``bad_phone``, ``bad_message``, ``consent_missing``,
    ``control_characters``, ``unknown_inquiry``, ``note_too_long``."""


@dataclass(frozen=True)
class Subject:
    """What an inquiry is about, as the public may know it."""

    kind: str
    id: int
    reference: str  # "N-2026-03"
    title: str  # the public headline
    path: str  # the public page


def _successor(subject_id: int) -> Subject | None:
    profile = db.session.get(SuccessorProfile, subject_id)
    if profile is None or profile.status != "published":
        return None
    return Subject("successor", profile.id, profile.code, profile.title,
                   f"/nachfolge/{profile.code}")


def _listing(subject_id: int) -> Subject | None:
    from .. import clock
    from .listings import is_public

    listing = db.session.get(Listing, subject_id)
    if listing is None or not is_public(listing, clock.utcnow()):
        return None
    return Subject("listing", listing.id, listing.code, listing.title,
                   f"/leerstand/{listing.code}")


SUBJECTS: dict[str, Callable[[int], Subject | None]] = {"successor": _successor,
                                                        "listing": _listing}
# The German word of each kind, for mails and the back office.
KIND_WORDS = {"successor": "Nachfolgebörse", "listing": "Leerstandsbörse"}


def recipient() -> str:
    """Where the office's copy of an inquiry goes."""
    return str(current_app.config.get("INQUIRY_RECIPIENT") or
               current_app.config["OFFICE"]["email"])


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str
    message: str


def phone_looks_right(phone: str) -> bool:
    """Whether ``phone`` reads as a phone number: digits (at least five), spaces and
    + ( ) / - . only, at most ``PHONE_MAX`` characters."""
    return len(phone) <= PHONE_MAX and all(
        char in DIGITS or char in " +()/-." for char in phone) and \
        sum(char in DIGITS for char in phone) >= 5


def check_person(*, name: str, email: str, phone: str, message: str, consent: bool
                 ) -> Person:
    """Clean and check the form; raise the first problem's code."""
    if any(has_control_characters(value) for value in (name, email, phone)) or \
            has_control_characters(message, multiline=True):
        raise InquiryError("control_characters")
    clean_name = " ".join(name.split())
    if not clean_name or len(clean_name) > NAME_MAX:
        raise InquiryError("bad_name")
    try:
        address = normalise_email(email)
    except AccountError as error:
        raise InquiryError("bad_email") from error
    clean_phone = " ".join(phone.split())
    if clean_phone and not phone_looks_right(clean_phone):
        raise InquiryError("bad_phone")
    clean_message = message.strip().replace("\r\n", "\n")
    if not clean_message or len(clean_message) > MESSAGE_MAX:
        raise InquiryError("bad_message")
    if not consent:
        raise InquiryError("consent_missing")
    return Person(clean_name, address, clean_phone, clean_message)


def submit(*, subject_kind: str, subject_id: int, name: str, email: str, phone: str = "",
           message: str, consent: bool, now: datetime) -> Inquiry:
    """Store an inquiry and queue the office's mail and the person's confirmation, in one
    transaction; nothing is written on refusal."""
    person = check_person(name=name, email=email, phone=phone, message=message,
                          consent=consent)
    begin_write()
    resolve = SUBJECTS.get(subject_kind)
    subject = resolve(subject_id) if resolve else None
    if subject is None:
        db.session.rollback()
        raise InquiryError("unknown_subject")
    inquiry = Inquiry(subject_kind=subject.kind, subject_id=subject.id,
                      subject_ref=subject.reference, name=person.name, email=person.email,
                      phone=person.phone, message=person.message, consent_at=now,
                      created_at=now)
    db.session.add(inquiry)
    db.session.flush()
    base = str(current_app.config["BASE_URL"])
    context = {"inquiry": inquiry, "subject": subject, "kind_word": KIND_WORDS[subject.kind],
               "public_link": base + subject.path,
               "desk_link": base + "/buero/anfragen#anfrage-" + str(inquiry.id)}
    queue_mail(kind="inquiry_office", to=recipient(),
               subject=f"Anfrage zu {subject.reference} ({KIND_WORDS[subject.kind]})",
               template="inquiry_office", context=context, now=now, language="de")
    queue_mail(kind="inquiry_received", to=person.email,
               subject=_("Ihre Anfrage zu %(reference)s", reference=subject.reference),
               template="inquiry_received", context=context, now=now)
    db.session.commit()
    return inquiry


# ---------------------------------------------------------------------------
# The office's side
# ---------------------------------------------------------------------------


def staff_inquiries(*, handled: bool) -> list[Inquiry]:
    """Open (or handled) inquiries, newest first."""
    done = Inquiry.handled_at.is_not(None) if handled else Inquiry.handled_at.is_(None)
    return list(db.session.scalars(
        select(Inquiry).where(done).order_by(Inquiry.created_at.desc(), Inquiry.id.desc())))


def update(*, inquiry_id: int, note: str, handled: bool | None, now: datetime,
           actor_id: int | None) -> Inquiry:
    """Save the office's note; mark handled (True) or open again (False), or leave the
    state (None). Audited as ``inquiry.handled``, ``inquiry.reopened`` or
    ``inquiry.note``."""
    clean = note.strip().replace("\r\n", "\n")
    if len(clean) > MESSAGE_MAX:
        raise InquiryError("note_too_long")
    if has_control_characters(clean, multiline=True):
        raise InquiryError("control_characters")
    begin_write()
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None:
        db.session.rollback()
        raise InquiryError("unknown_inquiry")
    inquiry.staff_note = clean
    action = "inquiry.note"
    if handled is True and inquiry.handled_at is None:
        inquiry.handled_at, action = now, "inquiry.handled"
    elif handled is False and inquiry.handled_at is not None:
        inquiry.handled_at, action = None, "inquiry.reopened"
    audit(now, actor_id, action, f"{inquiry.subject_ref} #{inquiry.id}")
    db.session.commit()
    return inquiry
