"""What each kind of personal data does for the privacy tools: purge, export, delete, count.

Plain functions over the open transaction (the caller, app.services.privacy, opens the
write transaction and commits). Purges take the cut-off moment: what ended before it is
past its retention. Exports and deletions take a normalised e-mail address (see
``normalise_email``) and match stored addresses case-insensitively.
"""

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import String, and_, cast, delete, func, literal, or_, select, update
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.security import generate_password_hash

from ...extensions import db
from ...models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentSlot,
    AuditEvent,
    Card,
    CardKey,
    Entry,
    Event,
    EventRegistration,
    Inquiry,
    Invitation,
    Listing,
    LoginAttempt,
    OutboxMail,
    Rally,
    SearchProfile,
    SuccessorProfile,
    User,
    Winner,
)
from ...models.accounts import PasswordReset, RecoveryCode

# An anonymised entry's contact: unique per entry, so UNIQUE(rally_id, contact) holds, and
# never a real contact (no "@", no leading "+").
ANONYMOUS_CONTACT = "geloescht-"
# An anonymised account's address: unique, and in a domain that cannot exist (RFC 2606).
ANONYMOUS_ACCOUNT_DOMAIN = "konto.invalid"

Record = dict[str, Any]


def _rows(result: Any) -> int:
    return int(result.rowcount or 0)


def _delete(model: Any, *conditions: ColumnElement[bool]) -> int:
    """Delete ``model``'s rows matching ``conditions`` (in the open transaction); how many."""
    return _rows(db.session.execute(
        delete(model).where(*conditions).execution_options(synchronize_session=False)
    ))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _same_address(column: Any, email: str) -> ColumnElement[bool]:
    return func.lower(column) == email


def _count(query: Any) -> int:
    return int(db.session.scalar(query) or 0)


# --- draw entries ------------------------------------------------------------------------


def _entry_held() -> ColumnElement[bool]:
    return ~Entry.contact.startswith(ANONYMOUS_CONTACT)


def _anonymise_entries(condition: ColumnElement[bool]) -> int:
    """Blank name and contact of the entries matching ``condition``; the rows stay (the
    dashboard counts them, winners point to them)."""
    result = db.session.execute(
        update(Entry)
        .where(condition, _entry_held())
        .values(name="", contact=literal(ANONYMOUS_CONTACT) + cast(Entry.id, String),
                exclusion_reason="")
        .execution_options(synchronize_session=False)
    )
    return _rows(result)


def purge_entries(*, rally_ids: list[int]) -> int:
    """Anonymise the entries of the rallies whose retention has passed."""
    if not rally_ids:
        return 0
    return _anonymise_entries(Entry.rally_id.in_(rally_ids))


def export_entries(email: str) -> list[Record]:
    """The entries made with this address, with their rally, card and any prize won."""
    rows = db.session.execute(
        select(Entry, Rally.name, Card.code)
        .join(Rally, Rally.id == Entry.rally_id)
        .join(Card, Card.id == Entry.card_id)
        .where(Entry.contact_kind == "email", Entry.contact == email, _entry_held())
        .order_by(Entry.created_at)
    ).all()
    won = {
        entry_id: count for entry_id, count in db.session.execute(
            select(Winner.entry_id, func.count())
            .where(Winner.entry_id.in_([entry.id for entry, _, _ in rows]))
            .group_by(Winner.entry_id)
        )
    } if rows else {}
    return [
        {
            "rally": rally, "card": code, "name": entry.name, "contact": entry.contact,
            "entered_at": _iso(entry.created_at),
            "terms_accepted_at": _iso(entry.terms_accepted_at),
            "privacy_accepted_at": _iso(entry.privacy_accepted_at),
            "excluded": entry.excluded, "exclusion_reason": entry.exclusion_reason,
            "prizes_won": won.get(entry.id, 0),
        }
        for entry, rally, code in rows
    ]


def delete_entries(email: str, now: datetime) -> int:
    """Anonymise this address's entries (draw records keep their card codes)."""
    return _anonymise_entries(and_(Entry.contact_kind == "email", Entry.contact == email))


def count_entries() -> int:
    return _count(select(func.count()).select_from(Entry).where(_entry_held()))


# --- the networks cards were started from --------------------------------------------------


def drop_network_hashes(*, before: datetime) -> int:
    """Set the network hash of every card started before ``before`` to NULL; return how
    many cards had one (in the open transaction)."""
    result = db.session.execute(
        update(Card)
        .where(Card.network_hash.is_not(None), Card.created_at < before)
        .values(network_hash=None)
        .execution_options(synchronize_session=False)
    )
    return _rows(result)


def purge_card_keys(*, rally_ids: list[int]) -> int:
    """Delete the keys that tie the cards of these rallies to browsers: the cards and
    their stamps stay, as figures that no browser or person leads to any more."""
    if not rally_ids:
        return 0
    cards = select(Card.id).where(Card.rally_id.in_(rally_ids))
    return _delete(CardKey, CardKey.card_id.in_(cards))


def count_card_keys() -> int:
    return _count(select(func.count()).select_from(CardKey))


def count_network_hashes() -> int:
    return _count(select(func.count()).select_from(Card).where(Card.network_hash.is_not(None)))


# --- appointments ------------------------------------------------------------------------


def _anonymise_appointments(condition: ColumnElement[bool], now: datetime) -> int:
    """Blank who booked (name, address, phone, notes) and replace the link's token; the
    topic, time and status stay for the office's figures. A booking still ahead is
    cancelled first and its held time freed."""
    found = list(db.session.scalars(
        select(Appointment).where(condition, Appointment.email != "")
    ))
    ahead = [row.id for row in found
             if row.status in HOLDING_STATUSES and row.ends_at > now]
    if ahead:
        db.session.execute(
            delete(AppointmentSlot).where(AppointmentSlot.appointment_id.in_(ahead))
            .execution_options(synchronize_session=False)
        )
    for row in found:
        if row.id in ahead:
            row.status = "cancelled"
        row.name = row.email = row.phone = row.note = row.staff_note = ""
        row.token = secrets.token_urlsafe(32)  # the old link stops working
        row.updated_at = now
    db.session.flush()
    return len(found)


def purge_appointments(*, before: datetime, now: datetime) -> int:
    """Anonymise the appointments that ended before ``before``."""
    return _anonymise_appointments(Appointment.ends_at < before, now)


def export_appointments(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(Appointment).where(_same_address(Appointment.email, email))
        .order_by(Appointment.starts_at)
    )
    return [
        {
            "topic": row.topic.name, "starts_at": _iso(row.starts_at),
            "ends_at": _iso(row.ends_at), "status": row.status, "name": row.name,
            "email": row.email, "phone": row.phone, "note": row.note,
            "office_note": row.staff_note, "consent_at": _iso(row.consent_at),
            "booked_at": _iso(row.created_at),
        }
        for row in rows
    ]


def delete_appointments(email: str, now: datetime) -> int:
    return _anonymise_appointments(_same_address(Appointment.email, email), now)


def count_appointments() -> int:
    return _count(select(func.count()).select_from(Appointment).where(Appointment.email != ""))


# --- event registrations -----------------------------------------------------------------


def _anonymise_registrations(condition: ColumnElement[bool], now: datetime) -> int:
    """Blank who registered (name, address, company) and replace the link's token; event,
    status and check-in stay for the attendance figures. A registration still active for
    an event ahead is withdrawn first through the events service (row locked, its place
    to the next person waiting)."""
    from ..events import remove  # the events service imports nothing of privacy

    found = list(db.session.scalars(
        select(EventRegistration).join(Event)
        .where(condition, EventRegistration.email != "")
        .order_by(EventRegistration.id)
    ))
    for row in found:
        if row.status in ("confirmed", "offered", "waiting") and row.event.starts_at > now:
            remove(row, now=now, status="cancelled")
        row.name = row.email = row.company = ""
        row.token = secrets.token_urlsafe(32)  # the old link stops working
        row.updated_at = now
    db.session.flush()
    return len(found)


def purge_event_registrations(*, before: datetime, now: datetime) -> int:
    """Anonymise the registrations for events that ended before ``before``."""
    return _anonymise_registrations(Event.ends_at < before, now)


def export_event_registrations(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(EventRegistration).join(Event)
        .where(_same_address(EventRegistration.email, email))
        .order_by(Event.starts_at, EventRegistration.id)
    )
    return [
        {
            "event": row.event.title, "starts_at": _iso(row.event.starts_at),
            "status": row.status, "name": row.name, "email": row.email,
            "company": row.company, "consent_at": _iso(row.consent_at),
            "registered_at": _iso(row.created_at), "checked_in_at": _iso(row.checked_in_at),
        }
        for row in rows
    ]


def delete_event_registrations(email: str, now: datetime) -> int:
    return _anonymise_registrations(_same_address(EventRegistration.email, email), now)


def count_event_registrations() -> int:
    return _count(select(func.count()).select_from(EventRegistration)
                  .where(EventRegistration.email != ""))


# --- inquiries to the office --------------------------------------------------------------


def purge_inquiries(*, before: datetime) -> int:
    """Delete the inquiries handled (or, never handled, received) before ``before``."""
    return _delete(Inquiry, func.coalesce(Inquiry.handled_at, Inquiry.created_at) < before)


def export_inquiries(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(Inquiry).where(_same_address(Inquiry.email, email)).order_by(Inquiry.id))
    return [
        {
            "about": f"{row.subject_kind} {row.subject_ref}", "name": row.name,
            "email": row.email, "phone": row.phone, "message": row.message,
            "consent_at": _iso(row.consent_at), "received_at": _iso(row.created_at),
            "handled_at": _iso(row.handled_at), "office_note": row.staff_note,
        }
        for row in rows
    ]


def _office_copies(email: str) -> ColumnElement[bool]:
    """The office's mails about this address's inquiries (they repeat its details; the
    line ``E-Mail: <address>`` of mail/inquiry_office.txt names it)."""
    return and_(OutboxMail.kind == "inquiry_office",
                OutboxMail.text_body.contains(f"E-Mail: {email}\n", autoescape=True))


def delete_inquiries(email: str, now: datetime) -> int:
    """Delete this address's inquiries and the office's mails about them (one being
    handed to the server right now loses its body instead)."""
    copies = _office_copies(email)
    db.session.execute(
        update(OutboxMail).where(copies, OutboxMail.status == "sending")
        .values(text_body="", html_body="", attachments=[])
        .execution_options(synchronize_session=False))
    _delete(OutboxMail, copies, OutboxMail.status != "sending")
    return _delete(Inquiry, _same_address(Inquiry.email, email))


def count_inquiries() -> int:
    return _count(select(func.count()).select_from(Inquiry))


# --- the owners behind successor profiles ---------------------------------------------------


def _owner_held() -> ColumnElement[bool]:
    return or_(SuccessorProfile.owner_name != "", SuccessorProfile.owner_email != "",
               SuccessorProfile.owner_phone != "")


def _blank_owners(condition: ColumnElement[bool], now: datetime) -> int:
    """Blank the owner's contact (and the office's note, which may name them) of the
    matching profiles; the anonymous profile stays."""
    return _rows(db.session.execute(
        update(SuccessorProfile).where(condition, _owner_held())
        .values(owner_name="", owner_email="", owner_phone="", internal_note="",
                updated_at=now)
        .execution_options(synchronize_session=False)
    ))


def purge_successor_owners(*, before: datetime, now: datetime) -> int:
    """Blank the owners of profiles retired before ``before``."""
    return _blank_owners(and_(SuccessorProfile.status == "retired",
                              SuccessorProfile.retired_at < before), now)


def export_successor_owners(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(SuccessorProfile).where(_same_address(SuccessorProfile.owner_email, email))
        .order_by(SuccessorProfile.code))
    return [
        {
            "profile": row.code, "title": row.title, "status": row.status,
            "owner_name": row.owner_name, "owner_email": row.owner_email,
            "owner_phone": row.owner_phone, "office_note": row.internal_note,
            "published_at": _iso(row.published_at), "retired_at": _iso(row.retired_at),
        }
        for row in rows
    ]


def delete_successor_owners(email: str, now: datetime) -> int:
    return _blank_owners(_same_address(SuccessorProfile.owner_email, email), now)


def count_successor_owners() -> int:
    return _count(select(func.count()).select_from(SuccessorProfile).where(_owner_held()))


# --- the owners behind offered empty spaces (Leerstandsbörse) ---------------------------


def _listing_owner_held() -> ColumnElement[bool]:
    return or_(Listing.owner_name != "", Listing.owner_email != "", Listing.owner_phone != "")


def _office_mails_naming(kind: str, email: str) -> ColumnElement[bool]:
    """The office's mails of ``kind`` that name this address (their line
    ``E-Mail: <address>``, as in mail/listing_offer_office.txt and listing_match.txt)."""
    return and_(OutboxMail.kind == kind,
                OutboxMail.text_body.contains(f"E-Mail: {email}\n", autoescape=True))


def _drop_office_mails(kind: str, email: str) -> None:
    """Delete the office's mails of ``kind`` naming ``email`` (one being handed to the
    server right now loses its body instead)."""
    copies = _office_mails_naming(kind, email)
    db.session.execute(
        update(OutboxMail).where(copies, OutboxMail.status == "sending")
        .values(text_body="", html_body="", attachments=[])
        .execution_options(synchronize_session=False))
    _delete(OutboxMail, copies, OutboxMail.status != "sending")


def _blank_listing_owners(condition: ColumnElement[bool], now: datetime) -> int:
    """Blank the owner's contact (and the office's note, which may name them) of the
    matching listings; the listing stays."""
    return _rows(db.session.execute(
        update(Listing).where(condition, _listing_owner_held())
        .values(owner_name="", owner_email="", owner_phone="", internal_note="",
                updated_at=now)
        .execution_options(synchronize_session=False)
    ))


def purge_listing_owners(*, before: datetime, now: datetime) -> int:
    """Blank the owners of listings done with before ``before``: retired then, rejected
    or left as an offer or draft with no change since, or published but not confirmed
    since (long hidden from the public)."""
    return _blank_listing_owners(or_(
        and_(Listing.status == "retired", Listing.retired_at < before),
        and_(Listing.status.in_(("rejected", "submitted", "draft")),
             Listing.updated_at < before),
        and_(Listing.status == "published", Listing.confirmed_at < before)), now)


def export_listing_owners(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(Listing).where(_same_address(Listing.owner_email, email))
        .order_by(Listing.code))
    return [
        {
            "listing": row.code, "title": row.title, "street": row.street,
            "status": row.status, "owner_name": row.owner_name,
            "owner_email": row.owner_email, "owner_phone": row.owner_phone,
            "office_note": row.internal_note, "consent_at": _iso(row.owner_consent_at),
            "offered_at": _iso(row.created_at), "retired_at": _iso(row.retired_at),
        }
        for row in rows
    ]


def delete_listing_owners(email: str, now: datetime) -> int:
    """Blank this address's contact on its listings and delete the office's mails about
    its offers."""
    _drop_office_mails("listing_offer_office", email)
    return _blank_listing_owners(_same_address(Listing.owner_email, email), now)


def count_listing_owners() -> int:
    return _count(select(func.count()).select_from(Listing).where(_listing_owner_held()))


# --- founders' search profiles (Leerstandsbörse) -------------------------------------------


def purge_search_profiles(*, before: datetime) -> int:
    """Delete the profiles saved before ``before``, closed or not (the confirmation mail
    names the day); their uses and matches go with them."""
    return _delete(SearchProfile, SearchProfile.created_at < before)


def export_search_profiles(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(SearchProfile).where(_same_address(SearchProfile.email, email))
        .order_by(SearchProfile.id))
    return [
        {
            "name": row.name, "email": row.email, "phone": row.phone,
            "min_area_m2": row.min_area_m2, "max_area_m2": row.max_area_m2,
            "max_rent_cents": row.max_rent_cents, "temporary_only": row.temporary_only,
            "uses": [item.use for item in row.uses], "message": row.message,
            "status": row.status, "consent_at": _iso(row.consent_at),
            "created_at": _iso(row.created_at), "closed_at": _iso(row.closed_at),
        }
        for row in rows
    ]


def delete_search_profiles(email: str, now: datetime) -> int:
    """Delete this address's profiles (with their matches) and the office's mails about
    their matches."""
    _drop_office_mails("listing_match", email)
    return _delete(SearchProfile, _same_address(SearchProfile.email, email))


def count_search_profiles() -> int:
    return _count(select(func.count()).select_from(SearchProfile))


# --- failed login attempts ---------------------------------------------------------------


def purge_login_attempts(*, before: datetime) -> int:
    return _delete(LoginAttempt, LoginAttempt.at < before)


def export_login_attempts(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(LoginAttempt).where(_same_address(LoginAttempt.email, email))
        .order_by(LoginAttempt.at)
    )
    return [{"at": _iso(row.at), "email": row.email, "ip_address": row.address}
            for row in rows]


def delete_login_attempts(email: str, now: datetime) -> int:
    return _delete(LoginAttempt, _same_address(LoginAttempt.email, email))


def count_login_attempts() -> int:
    return _count(select(func.count()).select_from(LoginAttempt))


# --- mails in the outbox -----------------------------------------------------------------


def purge_outbox(*, before: datetime) -> int:
    """Delete mails sent, or given up on, before ``before`` (a failed mail's last attempt
    is its last claim). Mails still waiting stay."""
    done = or_(
        and_(OutboxMail.status == "sent", OutboxMail.sent_at < before),
        and_(OutboxMail.status == "failed",
             func.coalesce(OutboxMail.claimed_at, OutboxMail.created_at) < before),
    )
    return _delete(OutboxMail, done)


def export_outbox(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(OutboxMail).where(_same_address(OutboxMail.recipient, email))
        .order_by(OutboxMail.created_at)
    )
    return [
        {
            "kind": row.kind, "to": row.recipient, "subject": row.subject,
            "status": row.status, "queued_at": _iso(row.created_at),
            "sent_at": _iso(row.sent_at), "text": row.text_body,
            "attachments": [item.get("filename") for item in row.attachments or []],
        }
        for row in rows
    ]


def delete_outbox(email: str, now: datetime) -> int:
    """Delete the mails to this address; one being handed to the server right now loses
    its address and body instead (the sender still records its outcome)."""
    mine = _same_address(OutboxMail.recipient, email)
    blanked = _rows(db.session.execute(
        update(OutboxMail).where(mine, OutboxMail.status == "sending")
        .values(recipient="", subject="", text_body="", html_body="", attachments=[])
        .execution_options(synchronize_session=False)
    ))
    deleted = _delete(OutboxMail, mine, OutboxMail.status != "sending")
    return blanked + deleted


def count_outbox() -> int:
    return _count(select(func.count()).select_from(OutboxMail).where(OutboxMail.recipient != ""))


# --- accounts and what hangs on them -------------------------------------------------------


def _account_ids(email: str) -> list[int]:
    return list(db.session.scalars(select(User.id).where(_same_address(User.email, email))))


def purge_password_resets(*, before: datetime) -> int:
    """Delete reset links used or expired before ``before``."""
    finished = or_(PasswordReset.used_at < before, PasswordReset.expires_at < before)
    return _delete(PasswordReset, finished)


def export_password_resets(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(PasswordReset).where(PasswordReset.user_id.in_(_account_ids(email)))
        .order_by(PasswordReset.created_at)
    )
    return [{"requested_at": _iso(row.created_at), "expires_at": _iso(row.expires_at),
             "used_at": _iso(row.used_at)} for row in rows]


def delete_password_resets(email: str, now: datetime) -> int:
    return _delete(PasswordReset, PasswordReset.user_id.in_(_account_ids(email)))


def count_password_resets() -> int:
    return _count(select(func.count()).select_from(PasswordReset))


def purge_recovery_codes(*, before: datetime) -> int:
    """Delete recovery codes used before ``before`` (a used code is refused either way)."""
    return _delete(RecoveryCode, RecoveryCode.used_at < before)


def export_recovery_codes(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id.in_(_account_ids(email)))
        .order_by(RecoveryCode.created_at, RecoveryCode.id)
    )
    return [{"created_at": _iso(row.created_at), "used_at": _iso(row.used_at)} for row in rows]


def delete_recovery_codes(email: str, now: datetime) -> int:
    return _delete(RecoveryCode, RecoveryCode.user_id.in_(_account_ids(email)))


def count_recovery_codes() -> int:
    return _count(select(func.count()).select_from(RecoveryCode))


def purge_invitations(*, before: datetime) -> int:
    """Delete invitations used, revoked or expired before ``before``."""
    finished = or_(Invitation.used_at < before, Invitation.revoked_at < before,
                   Invitation.expires_at < before)
    return _delete(Invitation, finished)


def export_invitations(email: str) -> list[Record]:
    rows = db.session.scalars(
        select(Invitation).where(_same_address(Invitation.email, email))
        .order_by(Invitation.created_at)
    )
    return [{"shop": row.shop.name, "email": row.email, "created_at": _iso(row.created_at),
             "expires_at": _iso(row.expires_at), "used_at": _iso(row.used_at),
             "revoked_at": _iso(row.revoked_at)} for row in rows]


def delete_invitations(email: str, now: datetime) -> int:
    return _delete(Invitation, _same_address(Invitation.email, email))


def count_invitations() -> int:
    return _count(select(func.count()).select_from(Invitation))


def export_accounts(email: str) -> list[Record]:
    rows = db.session.scalars(select(User).where(_same_address(User.email, email)))
    return [
        {"email": row.email, "name": row.name, "role": row.role,
         "shop": row.shop_id, "active": row.active, "created_at": _iso(row.created_at),
         "two_factor": row.totp_enabled_at is not None,
         "calendar_feed": row.calendar_token is not None}
        for row in rows
    ]


def delete_accounts(email: str, now: datetime) -> int:
    """Anonymise and disable the account: the row stays for the audit trail and the draws
    it sealed, without address, name, password, second factor or feed; every session
    of it ends."""
    rows = list(db.session.scalars(select(User).where(_same_address(User.email, email))))
    for row in rows:
        row.email = f"{ANONYMOUS_CONTACT}{row.id}@{ANONYMOUS_ACCOUNT_DOMAIN}"
        row.name = ""
        row.password_hash = generate_password_hash(secrets.token_urlsafe(32))  # unknown
        row.active = False
        row.session_version += 1
        row.totp_secret = None
        row.totp_enabled_at = None
        row.totp_last_step = None
        row.calendar_token = None
    db.session.flush()
    return len(rows)


def count_accounts() -> int:
    return _count(select(func.count()).select_from(User).where(
        ~User.email.endswith("@" + ANONYMOUS_ACCOUNT_DOMAIN)))


# --- the audit trail -----------------------------------------------------------------------


def email_reference(email: str) -> str:
    """A short keyed hash of an address for the audit trail: the same address gives the
    same reference, and the reference does not give the address back."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, b"privacy-audit:" + email.encode(), hashlib.sha256).hexdigest()
    return f"email:{digest[:16]}"


def export_audit(email: str) -> list[Record]:
    """Audit events about the address (logins, account changes name it as subject)."""
    rows = db.session.scalars(
        select(AuditEvent).where(_same_address(AuditEvent.subject, email))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return [{"at": _iso(row.created_at), "action": row.action, "subject": row.subject}
            for row in rows]


def delete_audit(email: str, now: datetime) -> int:
    """Replace the address in the audit trail by its reference: the events stay as proof."""
    return _rows(db.session.execute(
        update(AuditEvent).where(_same_address(AuditEvent.subject, email))
        .values(subject=email_reference(email))
        .execution_options(synchronize_session=False)
    ))


def count_audit() -> int:
    return _count(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.subject.contains("@")))
