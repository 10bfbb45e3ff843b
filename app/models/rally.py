"""The rally: rallies, shops and their opening hours, stations, cards, stamps, fraud
signals and draw entries.

Invariants live here, in the database: one stamp per card and station, stamps only for
cards and stations of the same rally, unique tokens and codes, valid enumerations.
"""

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import BERLIN, local, utcnow
from ..db import UTCDateTime
from ..services.codes import new_live_secret
from .common import (
    CARD_FLAGS,
    CONTACT_KINDS,
    LANGUAGES,
    RALLY_STATUSES,
    SIGNAL_KINDS,
    STAMP_SOURCES,
    STATION_MODES,
    Model,
    _in,
)

# A rally's draw, notice and claim deadline when the office names none: the draw a few
# days after entries close, at noon in Herten; prizes lapse four weeks after the draw.
DRAW_DAYS_AFTER_ENTRY_CLOSE = 3
DRAW_LOCAL_TIME = time(12, 0)
CLAIM_PERIOD = timedelta(weeks=4)
DEFAULT_WINNERS_NOTICE = (
    "Wer gewinnt, bekommt innerhalb einer Woche nach der Ziehung eine Nachricht an die "
    "E-Mail-Adresse oder Telefonnummer, die bei der Teilnahme angegeben wurde."
)

if TYPE_CHECKING:
    from .draws import Prize


def default_draw_at(entry_closes_at: datetime) -> datetime:
    """The usual draw: noon (local time) a few days after entries close."""
    day = local(entry_closes_at).date() + timedelta(days=DRAW_DAYS_AFTER_ENTRY_CLOSE)
    return datetime.combine(day, DRAW_LOCAL_TIME, tzinfo=BERLIN)


def default_claim_until(draw_at: datetime) -> datetime:
    """The usual end of the claim period: four weeks after the draw, same local time."""
    return local(draw_at) + CLAIM_PERIOD


def _draw_at_for_insert(context: Any) -> datetime:
    """Column default of ``draw_at``, from the row's ``entry_closes_at``."""
    return default_draw_at(context.get_current_parameters()["entry_closes_at"])


def _claim_until_for_insert(context: Any) -> datetime:
    """Column default of ``claim_until``, from the row's (given or default) draw."""
    values = context.get_current_parameters()
    return default_claim_until(values.get("draw_at") or default_draw_at(values["entry_closes_at"]))


class Rally(Model):
    """A campaign with dates: the Advents-Rallye, a Blumenmarkt, ..."""

    __tablename__ = "rallies"
    __table_args__ = (
        CheckConstraint("stamp_goal >= 1", name="stamp_goal_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("entry_closes_at >= starts_at", name="entry_closes_after_start"),
        CheckConstraint("draw_at >= entry_closes_at", name="draw_after_entry_close"),
        CheckConstraint("claim_until > draw_at", name="claim_after_draw"),
        CheckConstraint(_in("status", RALLY_STATUSES), name="status_known"),
        CheckConstraint(
            "stamps_per_lot IS NULL OR stamps_per_lot >= 1", name="stamps_per_lot_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entry_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stamp_goal: Mapped[int] = mapped_column(Integer)
    rules_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="published")
    # Lots rule: NULL means one lot per entry, N means one lot per N stamps.
    stamps_per_lot: Mapped[int | None] = mapped_column(Integer)
    # Whether someone who already won may win again in a later draw of this rally.
    repeat_winners: Mapped[bool] = mapped_column(Boolean, default=False)
    # The final draw, how winners hear of it, and the end of the period in which a prize
    # can be claimed before it lapses: what the rules page states. See default_draw_at.
    draw_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_draw_at_for_insert)
    winners_notice: Mapped[str] = mapped_column(Text, default=DEFAULT_WINNERS_NOTICE)
    claim_until: Mapped[datetime] = mapped_column(UTCDateTime, default=_claim_until_for_insert)

    stations: Mapped[list["Station"]] = relationship(back_populates="rally")
    prizes: Mapped[list["Prize"]] = relationship(
        back_populates="rally", order_by="Prize.position"
    )

    def is_open(self, now: datetime) -> bool:
        """Whether stamps can be collected at ``now``."""
        return self.starts_at <= now < self.ends_at


class Shop(Model):
    """A business or institution of the town centre; shops outlive rallies."""

    __tablename__ = "shops"
    __table_args__ = (
        CheckConstraint(_in("poster_language", LANGUAGES), name="poster_language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(60))
    street: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(60))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    # The language of the shop's printed poster (app.services.posters); German unless the
    # shop chose another.
    poster_language: Mapped[str] = mapped_column(String(2), default="de", server_default="de")

    hours: Mapped[list["OpeningHours"]] = relationship(
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def address(self) -> str:
        """``Street 1, 12345 Town``."""
        return f"{self.street}, {self.postcode} {self.city}"


class OpeningHours(Model):
    """One interval in which a shop is open on a weekday (0 = Monday), in local time.

    Minutes since local midnight, so that "jetzt geöffnet" is plain arithmetic on the
    Berlin wall clock whatever the season. A day may have several intervals (a lunch
    break); intervals of one day never overlap (checked by app.services.opening_hours).
    """

    __tablename__ = "opening_hours"
    __table_args__ = (
        UniqueConstraint("shop_id", "weekday", "opens"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_known"),
        CheckConstraint("opens >= 0 AND closes > opens AND closes <= 1440", name="within_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    opens: Mapped[int] = mapped_column(Integer)
    closes: Mapped[int] = mapped_column(Integer)


class Station(Model):
    """A shop's participation in one rally, reached through its secret token."""

    __tablename__ = "stations"
    __table_args__ = (
        UniqueConstraint("rally_id", "shop_id"),
        # Target of the stamps' composite foreign key (same rally for card and station).
        UniqueConstraint("id", "rally_id"),
        CheckConstraint(_in("mode", STATION_MODES), name="mode_known"),
        CheckConstraint("length(token) >= 22", name="token_long_enough"),
        CheckConstraint("length(short_code) = 6", name="short_code_six"),
        CheckConstraint("length(live_secret) = 64", name="live_secret_256_bits"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(ForeignKey("rallies.id"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    short_code: Mapped[str] = mapped_column(String(6), unique=True)
    mode: Mapped[str] = mapped_column(String(16), default="printed")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When many new cards used this station's code within a minute (a photo of the poster
    # shared online, see app.services.fraud); NULL once staff have dealt with it.
    shared_suspected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The key of the live codes (app.services.live_codes), 256 bits as hex. Never shown,
    # never logged; replaced together with the token. The default covers every station
    # made without ``new_station`` (a random key is as good as any).
    live_secret: Mapped[str] = mapped_column(String(64), default=new_live_secret)

    rally: Mapped[Rally] = relationship(back_populates="stations")
    shop: Mapped[Shop] = relationship()


class RetiredToken(Model):
    """A station's former token and short code, kept so old posters explain themselves."""

    __tablename__ = "retired_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    short_code: Mapped[str] = mapped_column(String(6), index=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    station: Mapped[Station] = relationship()


class Card(Model):
    """A shopper's stamp card in one rally; no account, no personal data."""

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("id", "rally_id"),
        CheckConstraint(_in("flag", CARD_FLAGS), name="flag_known"),
        # The funnel and the draw pool ask "cards of this rally with at least n stamps".
        Index("ix_cards_rally_stamp_count", "rally_id", "stamp_count"),
        # The network signal counts the new cards of one network in a short time.
        Index("ix_cards_network_hash_created", "network_hash", "created_at"),
        # A shop's portal asks "new cards started here" today, this week, in the rally.
        Index("ix_cards_first_station_created", "first_station_id", "created_at"),
        CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"
        ),
        CheckConstraint(
            "(merged_into_id IS NULL) = (merged_at IS NULL)", name="merged_has_time"
        ),
        # A merge re-points the cards merged into the card it retires; the counts find
        # a rally's few retired cards.
        Index("ix_cards_merged_into", "merged_into_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(ForeignKey("rallies.id"))
    code: Mapped[str] = mapped_column(String(9), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    flag: Mapped[str] = mapped_column(String(16), default="none")
    # How many stamps the card has. Kept by triggers on ``stamps`` (STAMP_COUNT_TRIGGERS),
    # never written by the app; an ORM object's value is as of its loading.
    stamp_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # A keyed hash (HMAC) of the network the card was started from (IPv4 /24, IPv6 /48),
    # never the address; set to NULL by the purge (app.services.privacy).
    network_hash: Mapped[str | None] = mapped_column(String(64))
    # The station of the card's first stamp: where the card was "started". Set when the
    # card is made by a stamp; NULL for a card made otherwise.
    first_station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    # A card retired by "Karten zusammenlegen" points to the card that took its stamps.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rally: Mapped[Rally] = relationship()
    keys: Mapped[list["CardKey"]] = relationship(back_populates="card")


class CardKey(Model):
    """One browser's hold on a card: the SHA-256 of the secret in that browser's cookie.

    A card restored on a second device gets a key of its own, so each browser keeps
    working and the database never learns a usable secret.
    """

    __tablename__ = "card_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    card: Mapped[Card] = relationship(back_populates="keys")


class Stamp(Model):
    """A card's visit to a station. UNIQUE(card, station) makes retries and races harmless."""

    __tablename__ = "stamps"
    __table_args__ = (
        UniqueConstraint("card_id", "station_id"),
        ForeignKeyConstraint(
            ["card_id", "rally_id"], ["cards.id", "cards.rally_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["station_id", "rally_id"], ["stations.id", "stations.rally_id"]),
        CheckConstraint(_in("source", STAMP_SOURCES), name="source_known"),
        Index("ix_stamps_rally_created", "rally_id", "created_at"),
        # Stamps per station (dashboard), and a station's stamps of the last minute (the
        # shared-code signal).
        Index("ix_stamps_station_created", "station_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(Integer)
    card_id: Mapped[int] = mapped_column(Integer)
    station_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(16))

    station: Mapped[Station] = relationship(viewonly=True)


# cards.stamp_count follows every insert, delete and move of a stamp, in the database,
# so that no code path (the stamp form, the staff, a cascade, a manual fix) can forget it.
STAMP_COUNT_TRIGGERS = {
    "sqlite": [
        """CREATE TRIGGER stamps_count_insert AFTER INSERT ON stamps BEGIN
            UPDATE cards SET stamp_count = stamp_count + 1 WHERE id = NEW.card_id;
        END""",
        """CREATE TRIGGER stamps_count_delete AFTER DELETE ON stamps BEGIN
            UPDATE cards SET stamp_count = stamp_count - 1 WHERE id = OLD.card_id;
        END""",
        """CREATE TRIGGER stamps_count_move AFTER UPDATE OF card_id ON stamps
        WHEN NEW.card_id <> OLD.card_id BEGIN
            UPDATE cards SET stamp_count = stamp_count - 1 WHERE id = OLD.card_id;
            UPDATE cards SET stamp_count = stamp_count + 1 WHERE id = NEW.card_id;
        END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION stamps_count_cards() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                UPDATE cards SET stamp_count = stamp_count - 1 WHERE id = OLD.card_id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                UPDATE cards SET stamp_count = stamp_count + 1 WHERE id = NEW.card_id;
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER stamps_count_cards AFTER INSERT OR DELETE OR UPDATE OF card_id
        ON stamps FOR EACH ROW EXECUTE FUNCTION stamps_count_cards()""",
    ],
}


def _create_stamp_count_triggers(table: Any, connection: Any, **_kw: Any) -> None:
    """Create the triggers with the table (``create_all``: tests, a new database)."""
    for statement in STAMP_COUNT_TRIGGERS.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


event.listen(Stamp.__table__, "after_create", _create_stamp_count_triggers)


class CardSignal(Model):
    """A fraud signal that fired for a card (see app.services.fraud): why it is flagged.

    UNIQUE(card, kind): a card keeps the first signal of each kind, so retries and races
    add nothing. ``station_id`` names the station of a shared code (and of the stamp that
    fired the others).
    """

    __tablename__ = "card_signals"
    __table_args__ = (
        UniqueConstraint("card_id", "kind"),
        CheckConstraint(_in("kind", SIGNAL_KINDS), name="kind_known"),
        Index("ix_card_signals_station", "station_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Entry(Model):
    """A card's entry into the draw, with the only personal data of the rally."""

    __tablename__ = "entries"
    __table_args__ = (
        # One entry per normalised contact (lower-cased e-mail, phone in E.164) per rally.
        UniqueConstraint("rally_id", "contact"),
        ForeignKeyConstraint(["card_id", "rally_id"], ["cards.id", "cards.rally_id"]),
        CheckConstraint(_in("contact_kind", CONTACT_KINDS), name="contact_kind_known"),
        CheckConstraint("age_confirmed", name="age_confirmed"),
        UniqueConstraint("id", "rally_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(ForeignKey("rallies.id"))
    card_id: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(100))
    contact_kind: Mapped[str] = mapped_column(String(8))
    contact: Mapped[str] = mapped_column(String(254))
    age_confirmed: Mapped[bool] = mapped_column(Boolean)
    terms_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    privacy_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    exclusion_reason: Mapped[str] = mapped_column(String(200), default="")

    card: Mapped[Card] = relationship(viewonly=True)
