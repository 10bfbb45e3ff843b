"""Small read-only records for the shopper's pages, filled by single Core queries.

The shopper's pages run on every phone at a poster. Loading them through the ORM (identity
map, relationship loaders, attribute instrumentation) cost several times more than the
SQL itself, so their queries select plain columns into these records instead. The ORM
models stay the way to write and the way the back office reads.

The records are named tuples: immutable and hashable like frozen dataclasses (they key the
render caches), but made and hashed in C, which matters for the forty stations of a card
page.
"""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, select

from ..models import Rally, Shop, Station
from ..prepared import Prepared


class RallyInfo(NamedTuple):
    """What the shopper's pages show and check of a rally."""

    id: int
    name: str
    slug: str
    status: str
    starts_at: datetime
    ends_at: datetime
    entry_closes_at: datetime
    stamp_goal: int


class ShopInfo(NamedTuple):
    """A shop's name and address as the shopper's pages show them."""

    name: str
    slug: str
    street: str
    postcode: str
    city: str

    @property
    def address(self) -> str:
        """``Street 1, 12345 Town``."""
        return f"{self.street}, {self.postcode} {self.city}"


class StationInfo(NamedTuple):
    """A station with its rally and shop, read in one query."""

    id: int
    token: str
    short_code: str
    active: bool
    rally_id: int
    rally: RallyInfo
    shop: ShopInfo


class CardRef(NamedTuple):
    """A card as the stamping path needs it."""

    id: int
    code: str
    rally_id: int


RALLY_COLUMNS = (Rally.id, Rally.name, Rally.slug, Rally.status, Rally.starts_at, Rally.ends_at,
                 Rally.entry_closes_at, Rally.stamp_goal)
SHOP_COLUMNS = (Shop.name, Shop.slug, Shop.street, Shop.postcode, Shop.city)
STATION_COLUMNS = (Station.id, Station.token, Station.short_code, Station.active,
                   Station.rally_id)



RALLY_BY_ID = Prepared(select(*RALLY_COLUMNS).where(Rally.id == bindparam("rally")))


def rally_info(rally_id: int) -> RallyInfo:
    """The record of an existing rally."""
    row = RALLY_BY_ID.first({"rally": rally_id})
    if row is None:
        raise LookupError(f"no rally {rally_id}")
    return RallyInfo(*row)
