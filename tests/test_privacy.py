"""The privacy tools: purge past retention per kind, export and deletion by address."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Appointment,
    AppointmentSlot,
    AppointmentTopic,
    AuditEvent,
    Card,
    CardKey,
    Draw,
    Entry,
    Invitation,
    LoginAttempt,
    OutboxMail,
    User,
    Winner,
)
from app.models.accounts import PasswordReset, RecoveryCode
from app.services import privacy, stats
from app.services.accounts import invite_shopkeeper
from app.services.draws import run_draw, seal_draw
from app.services.errors import DomainError
from app.services.users import create_user

from .helpers import (
    BERLIN,
    FIRST_DAY,
    make_card,
    make_entry,
    make_prizes,
    make_rally,
    make_shop,
    make_shopkeeper,
    make_station,
)

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

# The rally of the helpers ends on 24 Dec 2026, 18:00; its entries are due on 24 Mar 2027.
PURGE_AT = datetime(2027, 3, 25, 3, 0, tzinfo=BERLIN)
PERSON = "person@example.org"
OTHER = "andere@example.org"


def count(model: type, *where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def topic() -> AppointmentTopic:
    found = db.session.scalar(select(AppointmentTopic))
    if found is None:
        found = AppointmentTopic(slug="kurzberatung", name="Kurzberatung", duration_minutes=30)
        db.session.add(found)
        db.session.flush()
    return found


def appointment(email: str, starts_at: datetime, **values: object) -> Appointment:
    """A booking of 30 minutes with its two held slots."""
    row = Appointment(token=f"t-{email}-{starts_at.timestamp()}", topic_id=topic().id,
                      starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30),
                      name="Pia Person", email=email, phone="02366 123", note="Laden",
                      staff_note="kennt uns", consent_at=starts_at - timedelta(days=3),
                      created_at=starts_at - timedelta(days=3),
                      updated_at=starts_at - timedelta(days=3), **values)
    db.session.add(row)
    db.session.flush()
    if row.status in ("requested", "confirmed"):
        for minutes in (0, 15):
            db.session.add(AppointmentSlot(adviser=1, appointment_id=row.id,
                                           starts_at=starts_at + timedelta(minutes=minutes)))
    db.session.flush()
    return row


def mail(email: str, status: str, at: datetime) -> OutboxMail:
    row = OutboxMail(kind="appointment", recipient=email, subject="Ihr Termin",
                     text_body=f"Hallo {email}", html_body="<p>Hallo</p>", status=status,
                     attempts=1, created_at=at, next_attempt_at=at,
                     claimed_at=at if status in ("sent", "failed", "sending") else None,
                     sent_at=at if status == "sent" else None)
    db.session.add(row)
    db.session.flush()
    return row


@dataclass
class World:
    old_rally_entry: int
    new_rally_entry: int
    winner_entry: int
    old_card: int
    new_card: int
    old_appointment: int
    new_appointment: int
    keeper: User


def make_world(now: datetime) -> World:
    """Of each kind one record past its retention at ``now`` and one within it."""
    old = make_rally()
    stations = [make_station(old) for _ in range(3)]
    cards = [make_card(old, stations, 3) for _ in range(3)]
    entries = [make_entry(card) for card in cards]
    entries[0].contact, entries[0].name = PERSON, "Pia Person"
    prizes = make_prizes(old, 1)
    db.session.commit()
    draw = seal_draw(rally_id=old.id, kind="final", prize_ids=[p.id for p in prizes],
                     beacon_chain=None, now=datetime(2026, 12, 26, 10, tzinfo=BERLIN))
    run_draw(draw_id=draw.id, now=datetime(2026, 12, 26, 11, tzinfo=BERLIN))
    winner = db.session.scalars(select(Winner)).one()

    new = make_rally(starts_at=datetime(2027, 2, 1, tzinfo=BERLIN),
                     ends_at=datetime(2027, 3, 1, tzinfo=BERLIN),
                     entry_closes_at=datetime(2027, 3, 1, tzinfo=BERLIN))
    new_station = make_station(new)
    new_card = make_card(new, [new_station], 1, created_at=now - timedelta(hours=2),
                         network_hash="b" * 64)
    new_entry = make_entry(new_card, contact=PERSON, name="Pia Person")
    old_card = make_card(new, [new_station], 1, created_at=now - timedelta(hours=25),
                         network_hash="a" * 64)
    db.session.add_all([CardKey(card_id=cards[0].id, secret_hash="c" * 64),
                        CardKey(card_id=new_card.id, secret_hash="d" * 64)])
    db.session.add_all([
        AuditEvent(created_at=now - timedelta(days=2), action="auth.login", subject=PERSON),
        AuditEvent(created_at=now - timedelta(days=2), action="auth.login", subject=OTHER),
    ])

    old_appointment = appointment(PERSON, datetime(2026, 12, 10, 9, tzinfo=BERLIN),
                                  status="confirmed")
    new_appointment = appointment(PERSON, datetime(2027, 3, 1, 9, tzinfo=BERLIN),
                                  status="confirmed")
    appointment(OTHER, datetime(2027, 3, 1, 10, tzinfo=BERLIN), status="confirmed")

    db.session.add_all([
        LoginAttempt(email=PERSON, address="203.0.113.7", at=now - timedelta(minutes=16)),
        LoginAttempt(email=PERSON, address="203.0.113.7", at=now - timedelta(minutes=14)),
    ])
    mail(PERSON, "sent", now - timedelta(days=31))
    mail(PERSON, "failed", now - timedelta(days=31))
    mail(PERSON, "sent", now - timedelta(days=29))
    mail(PERSON, "pending", now - timedelta(days=40))
    mail(OTHER, "sent", now - timedelta(days=1))

    keeper = make_shopkeeper(make_shop(), email=PERSON)
    db.session.add_all([
        PasswordReset(user_id=keeper.id, token_hash="1" * 64, created_at=now - timedelta(days=9),
                      expires_at=now - timedelta(days=8, hours=23)),
        PasswordReset(user_id=keeper.id, token_hash="2" * 64, created_at=now - timedelta(days=6),
                      expires_at=now - timedelta(days=5, hours=23),
                      used_at=now - timedelta(days=6)),
        RecoveryCode(user_id=keeper.id, code_hash="3" * 64, created_at=now - timedelta(days=60),
                     used_at=now - timedelta(days=8)),
        RecoveryCode(user_id=keeper.id, code_hash="4" * 64, created_at=now - timedelta(days=60),
                     used_at=now - timedelta(days=6)),
        RecoveryCode(user_id=keeper.id, code_hash="5" * 64, created_at=now - timedelta(days=60)),
    ])
    db.session.commit()
    invite_shopkeeper(shop_id=keeper.shop_id or 0, email=PERSON, now=now - timedelta(days=40))
    db.session.commit()
    invite_shopkeeper(shop_id=make_shop().id, email="neu@example.org", now=now)
    db.session.commit()
    return World(entries[0].id, new_entry.id, winner.entry_id, old_card.id, new_card.id,
                 old_appointment.id, new_appointment.id, keeper)


def aggregates(rally_id: int, now: datetime) -> tuple[object, ...]:
    """The dashboard's figures and the draw records of a rally."""
    draws = [(d.pool_text, d.pool_hash, d.pool_size, d.seed_hex)
             for d in db.session.scalars(select(Draw).where(Draw.rally_id == rally_id))]
    winners = [(w.rank, w.card_code, w.entry_id) for w in db.session.scalars(select(Winner))]
    return (stats.overview(rally_id, now), stats.funnel(rally_id),
            stats.stamps_per_station(rally_id), stats.stamps_per_day(rally_id, now),
            draws, winners)


@BOTH_DATABASES
def test_purge_removes_what_is_past_retention_and_keeps_the_rest(
    app: Flask, freeze: Callable[[datetime], None]
) -> None:
    freeze(PURGE_AT)
    world = make_world(PURGE_AT)
    rally_ids = [r for r in db.session.scalars(select(Entry.rally_id).distinct())]
    before = [aggregates(rally_id, PURGE_AT) for rally_id in rally_ids]

    done = {item.kind.key: item.count for item in privacy.purge(now=PURGE_AT)}
    db.session.expire_all()

    # Entries of the old rally: anonymised, not deleted; the new rally's stay.
    assert done["entries"] == 3
    old = db.session.get_one(Entry, world.old_rally_entry)
    assert (old.name, old.contact) == ("", f"geloescht-{old.id}")
    assert db.session.get_one(Entry, world.winner_entry).name == ""
    assert db.session.get_one(Entry, world.new_rally_entry).contact == PERSON
    # The keys tying the old rally's cards to browsers; the cards stay.
    assert done["card_keys"] == 1
    assert list(db.session.scalars(select(CardKey.card_id))) == [world.new_card]
    # Network hashes after 24 hours.
    assert done["network_hashes"] == 1
    assert db.session.get_one(Card, world.old_card).network_hash is None
    assert db.session.get_one(Card, world.new_card).network_hash == "b" * 64
    # Appointments three months after their date: anonymised, time and topic kept.
    assert done["appointments"] == 1
    gone = db.session.get_one(Appointment, world.old_appointment)
    assert (gone.name, gone.email, gone.phone, gone.note, gone.staff_note) == ("",) * 5
    assert gone.token != f"t-{PERSON}-{gone.starts_at.timestamp()}"
    assert gone.status == "confirmed" and gone.topic.name == "Kurzberatung"
    assert db.session.get_one(Appointment, world.new_appointment).email == PERSON
    # Login attempts once they stop counting (15 minutes).
    assert done["login_attempts"] == 1
    assert [a.at for a in db.session.scalars(select(LoginAttempt))] == [
        PURGE_AT - timedelta(minutes=14)]
    # Mails 30 days after sending or failing; waiting mails stay.
    assert done["outbox"] == 2
    # (The world's invitation of PERSON queued a mail of its own, which still waits.)
    assert sorted((m.status, m.created_at) for m in db.session.scalars(select(OutboxMail))
                  if m.recipient == PERSON and m.kind != "invitation") == [
        ("pending", PURGE_AT - timedelta(days=40)), ("sent", PURGE_AT - timedelta(days=29))]
    # Reset links and recovery codes 7 days after use or expiry.
    assert done["password_resets"] == 1 and count(PasswordReset) == 1
    assert done["recovery_codes"] == 1
    assert {c.used_at for c in db.session.scalars(select(RecoveryCode))} == {
        PURGE_AT - timedelta(days=6), None}
    # Invitations 30 days after they ended; the open one stays.
    assert done["invitations"] == 1
    assert [i.email for i in db.session.scalars(select(Invitation))] == ["neu@example.org"]

    assert [aggregates(rally_id, PURGE_AT) for rally_id in rally_ids] == before
    # A second run finds nothing more.
    assert not any(item.count for item in privacy.purge(now=PURGE_AT))


def test_purge_keeps_entries_until_the_retention_date(app: Flask) -> None:
    rally = make_rally()
    entry = make_entry(make_card(rally, [], 0))
    db.session.commit()
    due = datetime(2027, 3, 24, 18, 0, tzinfo=BERLIN)
    privacy.purge(now=due - timedelta(minutes=1))
    assert db.session.get_one(Entry, entry.id).name != ""
    privacy.purge(now=due)
    db.session.expire_all()
    assert db.session.get_one(Entry, entry.id).name == ""


def test_retention_comes_from_configuration(app: Flask) -> None:
    app.config["APPOINTMENT_RETENTION_MONTHS"] = 1
    app.config["OUTBOX_RETENTION_DAYS"] = 1
    kinds = privacy.KIND_BY_KEY
    assert privacy.retention(kinds["appointments"]) == "1 Monat nach dem Termin"
    assert privacy.retention(kinds["outbox"]).startswith("1 Tag nach dem Versand")
    assert privacy.retention(kinds["entries"]) == "3 Monate nach dem Ende der Rallye"
    assert privacy.retention(kinds["network_hashes"]).startswith("24 Stunden")
    assert all(kind.retention_key is None or kind.retention_key in app.config
               for kind in privacy.KINDS)
    appointment(PERSON, datetime(2026, 12, 10, 9, tzinfo=BERLIN))
    db.session.commit()
    done = {i.kind.key: i.count for i in privacy.purge(now=datetime(2027, 1, 11, tzinfo=BERLIN))}
    assert done["appointments"] == 1


@BOTH_DATABASES
def test_export_holds_each_kind_of_the_address_and_nothing_of_another(
    app: Flask, freeze: Callable[[datetime], None]
) -> None:
    freeze(PURGE_AT)
    make_world(PURGE_AT)
    data = privacy.export(" Person@Example.ORG ", now=PURGE_AT)
    assert data["email"] == PERSON
    held = data["data"]
    assert set(held) == {"entries", "appointments", "outbox", "login_attempts",
                         "password_resets", "recovery_codes", "invitations", "audit",
                         "accounts"}
    assert {"action": "auth.login", "subject": PERSON} in [
        {k: v for k, v in event.items() if k != "at"} for event in held["audit"]]
    assert len(held["entries"]) == 2 and len(held["appointments"]) == 2
    assert {e["prizes_won"] for e in held["entries"]} <= {0, 1}
    assert held["accounts"][0]["role"] == "shopkeeper"
    assert held["appointments"][0]["phone"] == "02366 123"
    text = json.dumps(data)
    assert OTHER not in text and "neu@example.org" not in text
    assert "Teilnehmerin" not in text  # the other entrants' names
    assert {e["name"] for e in held["entries"]} == {"Pia Person"}
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "privacy.export")).one()
    assert PERSON not in json.dumps([audit.subject, audit.details])
    assert audit.subject == privacy.email_reference(PERSON)


@BOTH_DATABASES
def test_delete_leaves_an_empty_export_and_the_aggregates(
    app: Flask, freeze: Callable[[datetime], None]
) -> None:
    now = datetime(2027, 2, 15, 10, tzinfo=BERLIN)
    freeze(now)
    world = make_world(now)
    rally_ids = [r for r in db.session.scalars(select(Entry.rally_id).distinct())]
    before = [aggregates(rally_id, now) for rally_id in rally_ids]
    other_before = privacy.held(OTHER)

    done = {item.kind.key: item.count for item in privacy.delete(PERSON, now=now)}
    db.session.expire_all()

    assert done["entries"] == 2 and done["appointments"] == 2 and done["accounts"] == 1
    assert done["audit"] >= 2  # the login above and the account's invitation
    assert db.session.scalars(select(AuditEvent.subject).where(
        AuditEvent.action == "auth.login").order_by(AuditEvent.id)).all() == [
        privacy.email_reference(PERSON), OTHER]
    assert privacy.export(PERSON, now=now)["data"] == {}
    assert privacy.held(OTHER) == other_before
    assert [aggregates(rally_id, now) for rally_id in rally_ids] == before
    # The booking still ahead is cancelled and its time free again; the other stays.
    ahead = db.session.get_one(Appointment, world.new_appointment)
    assert ahead.status == "cancelled"
    assert count(AppointmentSlot, AppointmentSlot.appointment_id == ahead.id) == 0
    assert count(AppointmentSlot) == 4  # the old booking's and the other person's
    # The account is disabled and carries no address.
    keeper = db.session.get_one(User, world.keeper.id)
    assert not keeper.active and keeper.email.endswith("@konto.invalid") and keeper.name == ""
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("privacy.%"))))
    assert [e.action for e in events] == ["privacy.delete", "privacy.export"]
    everything = [[e.subject, e.details] for e in db.session.scalars(select(AuditEvent))]
    assert PERSON not in json.dumps(everything)


def test_delete_refuses_the_own_account_and_bad_addresses(app: Flask) -> None:
    staff = create_user(email="team@buero.test", password="ein-langes-passwort-123",
                        role="staff", name="Team")
    with pytest.raises(DomainError) as refused:
        privacy.delete("TEAM@buero.test", now=FIRST_DAY, actor_id=staff.id)
    assert refused.value.code == "own_account"
    assert db.session.get_one(User, staff.id).active
    with pytest.raises(DomainError) as bad:
        privacy.export("keine-adresse", now=FIRST_DAY)
    assert bad.value.code == "bad_email"


# --- command line ------------------------------------------------------------------------


@BOTH_DATABASES
def test_purge_command_reports_every_kind(app: Flask, freeze: Callable[[datetime], None]) -> None:
    freeze(PURGE_AT)
    make_world(PURGE_AT)
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Teilnahmen an der Verlosung: 3 anonymisiert (Frist: 3 Monate nach dem Ende der " \
           "Rallye)." in lines
    assert "Termine: 1 anonymisiert (Frist: 3 Monate nach dem Termin)." in lines
    assert "E-Mails im Postausgang: 2 gelöscht (Frist: 30 Tage nach dem Versand oder dem " \
           "letzten Zustellversuch)." in lines
    assert "Fehlgeschlagene Anmeldeversuche: 1 gelöscht (Frist: 15 Minuten nach dem " \
           "Versuch)." in lines
    assert len(lines) == len([k for k in privacy.KINDS if k.purge])


def test_privacy_commands_export_and_delete(app: Flask, freeze: Callable[[datetime], None]) -> None:
    now = datetime(2027, 2, 15, 10, tzinfo=BERLIN)
    freeze(now)
    make_world(now)
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["privacy", "export", "--email", PERSON])
    assert exported.exit_code == 0, exported.output
    assert set(json.loads(exported.output)["data"]) >= {"entries", "appointments", "accounts"}

    asked = runner.invoke(args=["privacy", "delete", "--email", PERSON], input="n\n")
    assert asked.exit_code == 1 and "Termine: 2" in asked.output
    assert privacy.held(PERSON)  # nothing happened

    deleted = runner.invoke(args=["privacy", "delete", "--email", PERSON, "--yes"])
    assert deleted.exit_code == 0, deleted.output
    assert "Termine: 2 anonymisiert." in deleted.output
    assert "Konten: 1 anonymisiert und gesperrt." in deleted.output
    after = runner.invoke(args=["privacy", "export", "--email", PERSON])
    assert json.loads(after.output)["data"] == {}
    again = runner.invoke(args=["privacy", "delete", "--email", PERSON, "--yes"])
    assert again.exit_code == 0 and "nichts gespeichert" in again.output

    bad = runner.invoke(args=["privacy", "export", "--email", "nope"])
    assert bad.exit_code == 1 and "keine gültige E-Mail-Adresse" in bad.output


# --- the public privacy notice -------------------------------------------------------------


def test_privacy_notice_lists_every_kind_with_its_configured_retention(app: Flask) -> None:
    app.config["APPOINTMENT_RETENTION_MONTHS"] = 4
    app.config["OUTBOX_RETENTION_DAYS"] = 21
    html = app.test_client().get("/datenschutz").text
    for kind in privacy.KINDS:
        assert f"<dt>{kind.label}</dt>\n      <dd>{privacy.retention(kind)}</dd>" in html
    assert "4 Monate nach dem Termin" in html
    assert '<h3 id="termine">Beratungstermine</h3>' in html
    assert '<h3 id="e-mails">E-Mails von dieser Website</h3>' in html
    assert "21 Tage nach dem Versand oder dem letzten Zustellversuch; der Link zur " \
           "Stempelkarte sofort nach dem Versand" in html
    assert "gespeichert wird die Adresse nicht" in html
