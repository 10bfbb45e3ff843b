"""Configuration defaults and the instance secret key.

Settings come, in this order, from the defaults below, ``instance/config.py``, the plain
environment variables ``DATABASE_URL`` and ``RATELIMIT_STORAGE_URI`` (the deployment
contract), and finally every ``FLASK_*`` environment variable.
"""

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from .private_files import create_sqlite_database, private_directory, sqlite_file

SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)
SQLITE_FILE = "rallye.sqlite3"

# The office behind the site, and the town that runs it: shown in the footer and on the
# legal pages (Impressum per § 5 DDG and § 18 Abs. 2 MStV, Datenschutz, Barrierefreiheit).
# The people named here are examples (Mustermann); a real instance sets its own in
# instance/config.py: from app.config import OFFICE; OFFICE = {**OFFICE, "editor": ...}.
OFFICE: dict[str, str] = {
    "name": "Nutzungsmanagement Innenstadt",
    "street": "Hermannstraße 16",
    "postcode": "45699",
    "city": "Herten",
    "phone": "02366 9360621",
    "phone_link": "+4923669360621",
    "email": "nutzungsmanagement@innenstadt-herten.de",
    "hours": "Montag bis Donnerstag, 9–16 Uhr, und nach Vereinbarung",
    # The same for English and Turkish pages (app.templating.office_hours); a language
    # without its own text shows the German one.
    "hours_en": "Monday to Thursday, 9:00–16:00, and by appointment",
    "hours_tr": "Pazartesi–Perşembe, 09:00–16:00 ve randevuyla",
    # The operator in law: the town, a public corporation, and who represents it.
    "operator": "Stadt Herten",
    "operator_legal_form": "Körperschaft des öffentlichen Rechts",
    "operator_street": "Kurt-Schumacher-Straße 2",
    "operator_postcode": "45699",
    "operator_city": "Herten",
    "representative": "Bürgermeister Max Mustermann",
    "vat_id": "",  # Umsatzsteuer-Identifikationsnummer, shown only when set
    # Responsible for the editorial content (§ 18 Abs. 2 MStV), with an address.
    "editor": "Erika Mustermann",
    "editor_street": "Hermannstraße 16",
    "editor_postcode": "45699",
    "editor_city": "Herten",
    # The town's data protection officer (Art. 37 DSGVO).
    "dpo": "Behördlicher Datenschutzbeauftragter der Stadt Herten",
    "dpo_street": "Kurt-Schumacher-Straße 2",
    "dpo_postcode": "45699",
    "dpo_city": "Herten",
    "dpo_email": "datenschutz@herten.example",
    # Who hosts the servers on the town's behalf (a processor, Art. 28 DSGVO); empty
    # when the town runs them itself.
    "hosting": "",
}

# The supervisory authority for data protection in North Rhine-Westphalia.
PRIVACY_AUTHORITY: dict[str, str] = {
    "name": "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen",
    "street": "Kavalleriestraße 2–4",
    "postcode": "40213",
    "city": "Düsseldorf",
    "phone": "0211 38424-0",
    "phone_link": "+49211384240",
    "email": "poststelle@ldi.nrw.de",
    "website": "https://www.ldi.nrw.de",
}

# Where an accessibility complaint goes when the office's answer does not help
# (§ 10d BGG NRW): the state's Ombudsstelle.
ACCESSIBILITY_OMBUDS: dict[str, str] = {
    "name": "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen",
    "office": "bei der Beauftragten der Landesregierung für Menschen mit Behinderung",
    "street": "Fürstenwall 25",
    "postcode": "40219",
    "city": "Düsseldorf",
    "email": "ombudsstelle-barrierefreie-it@mags.nrw.de",
    "website": "https://www.mags.nrw/ombudsstelle-barrierefreie-informationstechnik",
}


def defaults(instance_path: str) -> dict[str, Any]:
    """Return the built-in settings for an app whose instance folder is ``instance_path``."""
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / SQLITE_FILE),
        "SQLALCHEMY_ENGINE_OPTIONS": {},  # pool_pre_ping: see load()
        "BASE_URL": "http://127.0.0.1:5000",
        "PRODUCTION": False,
        "TIMEZONE": "Europe/Berlin",
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        "OFFICE": OFFICE,
        # Where the suggested walking route starts for a card without a stamp: the
        # office in the Hermannstraße, amid the town centre's shops (WGS 84 degrees).
        "OFFICE_LAT": 51.59633,
        "OFFICE_LON": 7.14284,
        "PRIVACY_AUTHORITY": PRIVACY_AUTHORITY,
        "ACCESSIBILITY_OMBUDS": ACCESSIBILITY_OMBUDS,
        # The one retention period of entry data (name, contact) and of the cards: the
        # entry form, the rules and the privacy notice all state it from here.
        "ENTRY_RETENTION_MONTHS": 3,
        # What the privacy notice promises for the server's logs and the backups; the
        # log rotation and the backup job must keep to it (docs/deploy.md).
        "LOG_RETENTION_DAYS": 14,
        "BACKUP_RETENTION_DAYS": 30,
        # Date of the accessibility statement (ISO), and of its last review.
        "ACCESSIBILITY_STATEMENT_DATE": "2026-11-26",
        "CARD_COOKIE_NAME": "stempelkarte",
        "CARD_COOKIE_MAX_AGE": 60 * 60 * 24 * 120,
        "SESSION_COOKIE_NAME": "sitzung",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A shopper may leave the scan page open for hours; the token is bound to the
        # session cookie, which is what protects it.
        "WTF_CSRF_TIME_LIMIT": None,
        # Stated, so that each app sets it: Flask-Limiter keeps the last app's value on
        # its one shared object otherwise.
        # Flask-Caching: fragments of pages that are the same for every visitor.
        "CACHE_TYPE": "SimpleCache",
        "CACHE_DEFAULT_TIMEOUT": 3600,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_STAMP": "60 per minute;600 per hour",
        "RATELIMIT_RECOVERY": "10 per minute;30 per hour",
        "RATELIMIT_TYPED_CODE": "20 per minute;200 per hour",
        "RATELIMIT_CARD_LINK_MAIL": "5 per hour",  # card-link mails, per card
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # CSV imports; forms are far smaller
        "STAFF_FRESH_MINUTES": 10,
        "STAFF_IDLE_MINUTES": 30,
        # A login ends after this many hours, however busy (a stolen cookie too).
        "STAFF_SESSION_HOURS": 12,
        # Failed logins within the window (see app/services/auth.py): untrusted clients
        # per account, per account from one address, and per address; a trusted
        # device (one that logged in before, with its device cookie) on its own.
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": 10,
        "LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS": 3,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
        "LOGIN_MAX_FAILURES_PER_DEVICE": 5,
        "LOGIN_FAILURE_WINDOW_MINUTES": 15,
        # True: the staff account that sealed a draw may not run it (a second person must).
        "DRAW_SECOND_PERSON": False,
        "DEVICE_COOKIE_NAME": "anmeldegeraet",
        "DEVICE_COOKIE_MAX_AGE": 60 * 60 * 24 * 180,  # renewed at every login
        # Fraud signals (app/services/fraud.py): a card that fired one is flagged for the
        # review queue, never refused. Faster than walking between two shops with
        # coordinates, or less than a minimum gap where a shop has none; many stamps on
        # one card within minutes; a station's code used by many new cards (started at
        # most the window ago) within the window; many new cards from one network.
        "FRAUD_WALKING_KMH": 15,
        "FRAUD_MIN_GAP_SECONDS": 30,
        "FRAUD_BURST_STAMPS": 8,
        "FRAUD_BURST_MINUTES": 5,
        "FRAUD_SHARED_CODE_CARDS": 10,
        "FRAUD_SHARED_CODE_SECONDS": 60,
        "FRAUD_NETWORK_CARDS": 20,
        "FRAUD_NETWORK_MINUTES": 10,
        # E-mail (Flask-Mailman, app/services/mail.py). Without MAIL_SERVER mails go to
        # the console; MAIL_BACKEND may name one of Flask-Mailman's backends outright.
        "MAIL_BACKEND": "",
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": (
            "Nutzungsmanagement Innenstadt <nutzungsmanagement@innenstadt-herten.de>"
        ),
        "MAIL_TIMEOUT": 10,
        # Appointments (app/services/appointments.py): how far ahead one can book, the
        # grid of offered start times (a short list), the rate of booking requests.
        "APPOINTMENT_HORIZON_DAYS": 42,
        "APPOINTMENT_STEP_MINUTES": 30,
        "RATELIMIT_BOOKING": "10 per minute;60 per hour",
        # Events (app/services/events.py): the rate of registrations from one address.
        "RATELIMIT_EVENT_REGISTRATION": "10 per minute;60 per hour",
        # Inquiries to the office (successor profiles, later empty shops), per address.
        "RATELIMIT_INQUIRY": "5 per minute;30 per hour",
        # Personal links of a survey's open link (app/office/surveys.py), per address.
        "RATELIMIT_SURVEY_LINK": "5 per minute;30 per hour",
        # Where inquiries go; empty: OFFICE["email"].
        "INQUIRY_RECIPIENT": "",
        # The purge sets the networks' hashes of cards older than this to NULL.
        "FRAUD_NETWORK_RETENTION_HOURS": 24,
        # Retention of the other kinds of personal data (app/services/privacy): the daily
        # purge deletes or anonymises what is older; the privacy notice and the booking form
        # state it from here.
        # Appointments: name, address, phone and notes are blanked this many calendar
        # months after the appointment (room for a follow-up that refers to it; what the
        # consultation produced lives in the office's files, not here).
        "APPOINTMENT_RETENTION_MONTHS": 3,
        # Event registrations: name, address and company are blanked this many calendar
        # months after the event (a follow-up to the participants; the attendance figures
        # keep status and check-in).
        "EVENT_RETENTION_MONTHS": 3,
        # Mails in the outbox: deleted this many days after sending or the last failed
        # attempt (long enough to answer "did you send me ...?"; pending mails stay).
        "OUTBOX_RETENTION_DAYS": 30,
        # Password reset links and recovery codes: deleted this many days after use or
        # expiry (a week to look into a suspicious reset; a used code is refused anyway).
        "PASSWORD_RESET_RETENTION_DAYS": 7,
        "RECOVERY_CODE_RETENTION_DAYS": 7,
        # Shopkeeper invitations: deleted this many days after acceptance, revocation or
        # expiry (open ones stay). Failed login attempts follow
        # LOGIN_FAILURE_WINDOW_MINUTES: they are deleted once they no longer count.
        "INVITATION_RETENTION_DAYS": 30,
        # Inquiries to the office: deleted this many calendar months after they were
        # handled (or, never handled, after they came in).
        "INQUIRY_RETENTION_MONTHS": 6,
        # Successor profiles: the owner's contact is blanked this many calendar months
        # after the profile is retired (the anonymous profile stays for the figures).
        "SUCCESSOR_RETENTION_MONTHS": 12,
        # Leerstandsbörse: the owner's contact of an offered space is blanked this many
        # calendar months after the listing is retired or rejected (the listing stays).
        "LISTING_OWNER_RETENTION_MONTHS": 12,
        # Founders' search profiles: deleted this many calendar months after they are
        # closed (or, still active, after they were saved).
        "SEARCH_PROFILE_RETENTION_MONTHS": 12,
        # Needs surveys: the address, company and free texts of businesses that answered
        # through an open link are removed this many calendar months after the survey
        # closed (their choices and scale values stay for the results).
        "SURVEY_RETENTION_MONTHS": 12,
        # The sign-language (DGS) video (app.services.dgs_videos): the largest upload, and
        # the folder its files live in (empty: "media" in the instance folder). Back it
        # up with the database (docs/deploy.md); nginx's client_max_body_size for the
        # upload URL must be at least this plus 1 MB.
        "DGS_VIDEO_MAX_MB": 200,
        "MEDIA_FOLDER": "",
    }


def normalise_database_url(url: str) -> str:
    """Map the usual ``postgres://`` spellings onto SQLAlchemy's psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, instance file, environment and ``test_config``."""
    app.config.from_mapping(defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        if url := os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = url
        if uri := os.environ.get("RATELIMIT_STORAGE_URI"):
            app.config["RATELIMIT_STORAGE_URI"] = uri
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    url = app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    if "pool_pre_ping" not in options:
        # A server's connection can break while it waits in the pool (a restart, a
        # firewall), so it is tested before use; an SQLite file's cannot, and the test was
        # one statement more on every request.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **options, "pool_pre_ping": not url.startswith("sqlite")
        }
    app.config["BASE_URL"] = str(app.config["BASE_URL"]).rstrip("/")
    # An instance that sets only some of the office's details (an OFFICE of an older
    # version) keeps the others, so that no legal page lacks a value it shows.
    app.config["OFFICE"] = {**OFFICE, **app.config["OFFICE"]}
    if app.config["PRODUCTION"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        if app.config.get("TRUSTED_HOSTS") is None and (
            host := urlsplit(app.config["BASE_URL"]).hostname
        ):
            # Answer only to the site's own name: a foreign Host header gets a 400 instead
            # of being echoed into redirects (Werkzeug builds their Location from it).
            app.config["TRUSTED_HOSTS"] = [host]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    # Before SQLAlchemy opens it: SQLite would create the file (and its -wal and -shm
    # files) with the umask's mode, usually readable by everyone.
    database = sqlite_file(url)
    if database is not None and database.parent == Path(app.instance_path):
        private_directory(database.parent)
    create_sqlite_database(url)


def instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating a random one on first start.

    Several server processes may start at once: the key is written to a private temporary
    file and hard-linked into place, which fails if another process got there first; every
    process then reads the one key that won.
    """
    path = instance / SECRET_KEY_FILE
    private_directory(instance)
    if not path.exists():
        tmp = instance / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key")
    return key


MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
