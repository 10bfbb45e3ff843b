"""Data protection: one registry of the kinds of personal data the app holds.

Each kind names its retention setting (app/config.py) and how to purge it once that has
passed, how to export and delete what is held about one e-mail address, and how many
records hold personal data now. The purge (``flask purge``, daily), the export and
deletion (``flask privacy``, the back office's Datenschutz page) and the public privacy
notice all go through :data:`KINDS`; a new kind of data is one more entry there.

Aggregates stay: entries are anonymised, not deleted (the dashboard counts them, winners
and draw records name their pseudonymous card codes); appointments keep topic, time and
status, event registrations their event, status and check-in; cards and stamps stay as
figures once their keys (the link to a browser) and network hashes are gone.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from ...db import begin_write
from ...extensions import db
from ...models import Rally, User
from ..editing import audit
from ..errors import DomainError
from ..rally_terms import entries_deleted_by, months_after
from . import kinds
from . import surveys as survey_kind
from .kinds import Record, drop_network_hashes, email_reference

__all__ = ["KINDS", "Kind", "delete", "drop_network_hashes", "email_reference", "export",
           "purge"]

UNITS = ("months", "days", "hours", "minutes")
EMAIL_MAX = 254  # the longest address any table stores


@dataclass(frozen=True)
class Kind:
    """One kind of personal data: what it is, how long it is kept, and its tools.

    ``retention_key`` names the setting of its retention (an integer in ``unit``) counted
    from the moment ``after`` says; ``None`` for data kept as long as it is used (then
    ``kept`` says how long). ``purge(now, amount)`` deletes or anonymises what is past the
    retention and returns how many records; ``export(email)`` lists what is held about an
    address, ``delete(email, now)`` removes it and returns how many records. ``None``
    where a kind cannot be found by address (the networks of cards).
    """

    key: str
    label: Any  # lazy German text
    description: Any
    retention_key: str | None
    unit: str
    after: Any
    done: Any  # "gelöscht" or "anonymisiert": what purge and delete do to a record
    count: Callable[[], int]
    purge: Callable[[datetime, int], int] | None = None
    export: Callable[[str], list[Record]] | None = None
    delete: Callable[[str, datetime], int] | None = None
    kept: Any = None


def shifted(now: datetime, amount: int, unit: str) -> datetime:
    """``now`` minus ``amount`` of ``unit`` (calendar months for months)."""
    if unit == "months":
        return months_after(now, -amount)
    return now - timedelta(**{unit: amount})


def _expired_rallies(now: datetime, months: int) -> list[int]:
    """The rallies whose entries are past ``entries_deleted_by``."""
    return [rally.id for rally in db.session.scalars(select(Rally))
            if entries_deleted_by(rally, months) <= now]


def _before(function: Callable[..., int], unit: str) -> Callable[[datetime, int], int]:
    return lambda now, amount: function(before=shifted(now, amount, unit))


KINDS: tuple[Kind, ...] = (
    Kind(
        key="entries",
        label=_l("Teilnahmen an der Verlosung"),
        description=_l("Name und E-Mail-Adresse oder Telefonnummer derer, die an der "
                       "Verlosung teilnehmen, mit Kartennummer und Zeitpunkt der Zustimmung."),
        retention_key="ENTRY_RETENTION_MONTHS", unit="months",
        after=_l("nach dem Ende der Rallye"), done=_l("anonymisiert"),
        count=kinds.count_entries,
        purge=lambda now, months: kinds.purge_entries(rally_ids=_expired_rallies(now, months)),
        export=kinds.export_entries, delete=kinds.delete_entries,
    ),
    Kind(
        key="card_keys",
        label=_l("Verbindung von Stempelkarte und Browser"),
        description=_l("Der Prüfwert des Schlüssels im Cookie, mit dem ein Browser seine "
                       "Karte öffnet; Karten und Stempel selbst nennen niemanden."),
        retention_key="ENTRY_RETENTION_MONTHS", unit="months",
        after=_l("nach dem Ende der Rallye"), done=_l("gelöscht"),
        count=kinds.count_card_keys,
        purge=lambda now, months: kinds.purge_card_keys(
            rally_ids=_expired_rallies(now, months)),
    ),
    Kind(
        key="network_hashes",
        label=_l("Netz-Kennungen der Stempelkarten"),
        description=_l("Ein verschlüsselter Prüfwert des Netzes, aus dem eine Karte angelegt "
                       "wurde (nie die IP-Adresse), gegen viele Karten aus einem Netz."),
        retention_key="FRAUD_NETWORK_RETENTION_HOURS", unit="hours",
        after=_l("nach dem Anlegen der Karte"), done=_l("gelöscht"),
        count=kinds.count_network_hashes,
        purge=_before(kinds.drop_network_hashes, "hours"),
    ),
    Kind(
        key="appointments",
        label=_l("Termine"),
        description=_l("Name, E-Mail-Adresse, Telefonnummer und Anmerkung derer, die einen "
                       "Beratungstermin buchen, und die Notizen des Büros dazu."),
        retention_key="APPOINTMENT_RETENTION_MONTHS", unit="months",
        after=_l("nach dem Termin"), done=_l("anonymisiert"),
        count=kinds.count_appointments,
        purge=lambda now, months: kinds.purge_appointments(
            before=shifted(now, months, "months"), now=now),
        export=kinds.export_appointments, delete=kinds.delete_appointments,
    ),
    Kind(
        key="event_registrations",
        label=_l("Anmeldungen zu Veranstaltungen"),
        description=_l("Name, E-Mail-Adresse und Firma derer, die sich zu einer "
                       "Veranstaltung anmelden oder auf die Warteliste setzen lassen."),
        retention_key="EVENT_RETENTION_MONTHS", unit="months",
        after=_l("nach der Veranstaltung"), done=_l("anonymisiert"),
        count=kinds.count_event_registrations,
        purge=lambda now, months: kinds.purge_event_registrations(
            before=shifted(now, months, "months"), now=now),
        export=kinds.export_event_registrations, delete=kinds.delete_event_registrations,
    ),
    Kind(
        key="inquiries",
        label=_l("Anfragen an das Büro"),
        description=_l("Name, E-Mail-Adresse, freiwillig Telefonnummer und Nachricht derer, "
                       "die über die Website anfragen (etwa zur Nachfolgebörse), mit der "
                       "Notiz des Büros."),
        retention_key="INQUIRY_RETENTION_MONTHS", unit="months",
        after=_l("nach der Erledigung (oder dem Eingang)"), done=_l("gelöscht"),
        count=kinds.count_inquiries,
        purge=_before(kinds.purge_inquiries, "months"),
        export=kinds.export_inquiries, delete=kinds.delete_inquiries,
    ),
    Kind(
        key="successor_owners",
        label=_l("Inhaber in der Nachfolgebörse"),
        description=_l("Name, E-Mail-Adresse und Telefonnummer der Inhaberinnen und Inhaber "
                       "hinter den anonymen Profilen der Nachfolgebörse, mit der internen "
                       "Notiz des Büros (nie öffentlich)."),
        retention_key="SUCCESSOR_RETENTION_MONTHS", unit="months",
        after=_l("nach dem Zurückziehen des Profils"), done=_l("anonymisiert"),
        count=kinds.count_successor_owners,
        purge=lambda now, months: kinds.purge_successor_owners(
            before=shifted(now, months, "months"), now=now),
        export=kinds.export_successor_owners, delete=kinds.delete_successor_owners,
    ),
    Kind(
        key="listing_owners",
        label=_l("Eigentümer in der Leerstandsbörse"),
        description=_l("Name, E-Mail-Adresse und Telefonnummer derer, die einen leeren "
                       "Raum anbieten, mit der internen Notiz des Büros (nie öffentlich)."),
        retention_key="LISTING_OWNER_RETENTION_MONTHS", unit="months",
        after=_l("nach Abschluss oder Ablehnung des Angebots (oder seiner letzten Bestätigung)"),
        done=_l("anonymisiert"),
        count=kinds.count_listing_owners,
        purge=lambda now, months: kinds.purge_listing_owners(
            before=shifted(now, months, "months"), now=now),
        export=kinds.export_listing_owners, delete=kinds.delete_listing_owners,
    ),
    Kind(
        key="search_profiles",
        label=_l("Suchprofile der Leerstandsbörse"),
        description=_l("Name, E-Mail-Adresse, freiwillig Telefonnummer und Wünsche derer, "
                       "die einen Raum suchen, mit den passenden Räumen."),
        retention_key="SEARCH_PROFILE_RETENTION_MONTHS", unit="months",
        after=_l("nach dem Anlegen des Profils"), done=_l("gelöscht"),
        count=kinds.count_search_profiles,
        purge=_before(kinds.purge_search_profiles, "months"),
        export=kinds.export_search_profiles, delete=kinds.delete_search_profiles,
    ),
    Kind(
        key="survey_respondents",
        label=_l("Antworten auf Umfragen über den offenen Link"),
        description=_l("E-Mail-Adresse, Firma und Branche der Unternehmen außerhalb der "
                       "Rallye, die über den offenen Link an einer Umfrage des Büros "
                       "teilnehmen, mit ihren Antworten; Auswahl- und Skalenantworten "
                       "bleiben danach ohne Adresse für die Ergebnisse."),
        retention_key="SURVEY_RETENTION_MONTHS", unit="months",
        after=_l("nach dem Ende der Umfrage"), done=_l("Adresse und Freitexte gelöscht"),
        count=survey_kind.count_survey_respondents,
        purge=lambda now, months: survey_kind.purge_survey_respondents(
            before=shifted(now, months, "months"), now=now),
        export=survey_kind.export_survey_respondents,
        delete=survey_kind.delete_survey_respondents,
    ),
    Kind(
        key="outbox",
        label=_l("E-Mails im Postausgang"),
        description=_l("Empfängeradresse, Betreff und Text der E-Mails, die die Website "
                       "verschickt (Termine, Einladungen, Passwort-Links)."),
        retention_key="OUTBOX_RETENTION_DAYS", unit="days",
        after=_l("nach dem Versand oder dem letzten Zustellversuch"), done=_l("gelöscht"),
        count=kinds.count_outbox,
        purge=_before(kinds.purge_outbox, "days"),
        export=kinds.export_outbox, delete=kinds.delete_outbox,
    ),
    Kind(
        key="login_attempts",
        label=_l("Fehlgeschlagene Anmeldeversuche"),
        description=_l("Eingegebene E-Mail-Adresse, IP-Adresse und Uhrzeit einer "
                       "fehlgeschlagenen Anmeldung, gegen das Ausprobieren von Passwörtern."),
        retention_key="LOGIN_FAILURE_WINDOW_MINUTES", unit="minutes",
        after=_l("nach dem Versuch"), done=_l("gelöscht"),
        count=kinds.count_login_attempts,
        purge=_before(kinds.purge_login_attempts, "minutes"),
        export=kinds.export_login_attempts, delete=kinds.delete_login_attempts,
    ),
    Kind(
        key="password_resets",
        label=_l("Links zum Zurücksetzen des Passworts"),
        description=_l("Wann ein Konto einen Link zum Zurücksetzen des Passworts bekam und "
                       "benutzte (gespeichert nur als Prüfwert)."),
        retention_key="PASSWORD_RESET_RETENTION_DAYS", unit="days",
        after=_l("nach Benutzung oder Ablauf"), done=_l("gelöscht"),
        count=kinds.count_password_resets,
        purge=_before(kinds.purge_password_resets, "days"),
        export=kinds.export_password_resets, delete=kinds.delete_password_resets,
    ),
    Kind(
        key="recovery_codes",
        label=_l("Wiederherstellungscodes"),
        description=_l("Einmal-Codes für die Anmeldung ohne Authenticator-App "
                       "(gespeichert nur als Prüfwert), und wann sie benutzt wurden."),
        retention_key="RECOVERY_CODE_RETENTION_DAYS", unit="days",
        after=_l("nach Benutzung"), done=_l("gelöscht"),
        count=kinds.count_recovery_codes,
        purge=_before(kinds.purge_recovery_codes, "days"),
        export=kinds.export_recovery_codes, delete=kinds.delete_recovery_codes,
    ),
    Kind(
        key="invitations",
        label=_l("Einladungen für Geschäfte"),
        description=_l("Die E-Mail-Adresse, an die ein Geschäft seinen Einladungslink "
                       "bekam, und wann er angenommen wurde."),
        retention_key="INVITATION_RETENTION_DAYS", unit="days",
        after=_l("nach Annahme, Widerruf oder Ablauf"), done=_l("gelöscht"),
        count=kinds.count_invitations,
        purge=_before(kinds.purge_invitations, "days"),
        export=kinds.export_invitations, delete=kinds.delete_invitations,
    ),
    Kind(
        key="audit",
        label=_l("Protokoll der Anmeldungen und Änderungen"),
        description=_l("Wer sich wann angemeldet, eine Ziehung durchgeführt oder Daten "
                       "geändert hat; Anmeldungen nennen die E-Mail-Adresse des Kontos."),
        retention_key=None, unit="", after="", done=_l("Adresse durch Prüfwert ersetzt"),
        kept=_l("als Nachweis; bei einer Löschung ersetzt ein Prüfwert die Adresse"),
        count=kinds.count_audit,
        export=kinds.export_audit, delete=kinds.delete_audit,
    ),
    # Last: the kinds above find their rows through the account's address.
    Kind(
        key="accounts",
        label=_l("Konten"),
        description=_l("E-Mail-Adresse, Name und Rolle der Konten des Büros und der "
                       "Geschäfte (das Passwort nur als Prüfwert)."),
        retention_key=None, unit="", after="", done=_l("anonymisiert und gesperrt"),
        kept=_l("solange das Konto gebraucht wird"),
        count=kinds.count_accounts,
        export=kinds.export_accounts, delete=kinds.delete_accounts,
    ),
)
KIND_BY_KEY = {kind.key: kind for kind in KINDS}


def duration(amount: int, unit: str) -> str:
    """``3 Monate``, ``1 Tag``: an amount of a unit in German."""
    texts = {
        "months": ngettext("%(num)s Monat", "%(num)s Monate", amount),
        "days": ngettext("%(num)s Tag", "%(num)s Tage", amount),
        "hours": ngettext("%(num)s Stunde", "%(num)s Stunden", amount),
        "minutes": ngettext("%(num)s Minute", "%(num)s Minuten", amount),
    }
    return texts[unit]


def retention(kind: Kind, config: Mapping[str, Any] | None = None) -> str:
    """How long ``kind`` is kept, from configuration: ``3 Monate nach dem Termin``."""
    if kind.retention_key is None:
        return str(kind.kept)
    settings = current_app.config if config is None else config
    return f"{duration(int(settings[kind.retention_key]), kind.unit)} {kind.after}"


# --- purge --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindCount:
    """What a purge or a deletion did to one kind: ``count`` records."""

    kind: Kind
    count: int


def purge(*, now: datetime, config: Mapping[str, Any] | None = None) -> list[KindCount]:
    """Delete or anonymise everything past its retention, every kind in one transaction;
    report per kind."""
    settings = current_app.config if config is None else config
    begin_write()
    done = [
        KindCount(kind, kind.purge(now, int(settings[kind.retention_key])))
        for kind in KINDS if kind.purge is not None and kind.retention_key is not None
    ]
    db.session.commit()
    return done


# --- export and deletion by e-mail address --------------------------------------------------


def normalise_email(raw: str) -> str:
    """The address as the app compares it (trimmed, lower case); ``DomainError
    ("bad_email")`` for what cannot be one. Only a look-up key: no stricter check, so
    that addresses of test domains and typed slips in login attempts are found too."""
    email = raw.strip().lower()
    local_part, at, domain = email.rpartition("@")
    if not (at and local_part and domain) or len(email) > EMAIL_MAX or any(
            char.isspace() for char in email):
        raise DomainError("bad_email")
    return email


def held(email: str) -> dict[str, list[Record]]:
    """What every kind holds about ``email`` (normalised), for kinds that hold any."""
    found = {kind.key: kind.export(email) for kind in KINDS if kind.export is not None}
    return {key: records for key, records in found.items() if records}


def export(raw_email: str, *, now: datetime, actor_id: int | None = None) -> dict[str, Any]:
    """Everything held about an address as a JSON-ready dict (the export is audited)."""
    email = normalise_email(raw_email)
    data = held(email)
    begin_write()
    audit(now, actor_id, "privacy.export", email_reference(email),
          kinds={key: len(records) for key, records in data.items()})
    db.session.commit()
    return {"email": email, "exported_at": now.isoformat(), "data": data}


def delete(raw_email: str, *, now: datetime, actor_id: int | None = None) -> list[KindCount]:
    """Remove or anonymise everything held about an address, in one transaction; report
    the kinds that held something. Refuses ``own_account`` for the acting user's own
    address (nobody locks themselves out by accident)."""
    email = normalise_email(raw_email)
    begin_write()
    if actor_id is not None:
        own = db.session.get(User, actor_id)
        if own is not None and own.email.lower() == email:
            db.session.rollback()
            raise DomainError("own_account")
    done = [KindCount(kind, kind.delete(email, now)) for kind in KINDS if kind.delete]
    done = [item for item in done if item.count]
    audit(now, actor_id, "privacy.delete", email_reference(email),
          kinds={item.kind.key: item.count for item in done})
    db.session.commit()
    return done


def counts() -> list[KindCount]:
    """How many records of each kind hold personal data now."""
    return [KindCount(kind, kind.count()) for kind in KINDS]
