"""A suggested walking route through the shops a card has still to visit, and the
schematic plan the pages draw of it.

The order: nearest neighbour from the start (the card's latest stamp, else the office),
improved by 2-opt; the plain list order (by name), improved by 2-opt, is the fallback
whenever it comes out shorter, so the suggestion is never longer than walking the list.
Everything is deterministic: the points are sorted by slug first and ties go to the
smaller slug. Distances are haversine metres, walking at about 4.5 km/h.
"""

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import format_decimal
from sqlalchemy import Select, String, and_, bindparam, cast, func, select

from ..extensions import db
from ..models import OpeningHours, Shop, Stamp, Station
from .opening_hours import Interval, OpenNow, label_texts, open_label

EARTH_RADIUS_M = 6_371_000.0
WALKING_M_PER_MIN = 4500 / 60  # 4.5 km/h


@dataclass(frozen=True)
class Place:
    """A shop of the rally as the route sees it: where it is, whether it is stamped."""

    station_id: int
    slug: str
    name: str
    address: str
    lat: float | None
    lon: float | None
    hours: tuple[Interval, ...] = ()
    stamped_at: datetime | None = None
    stamp_id: int = 0

    @property
    def located(self) -> bool:
        """Whether the shop has coordinates."""
        return self.lat is not None and self.lon is not None

    @property
    def point(self) -> tuple[float, float]:
        """Latitude and longitude (only for a located place)."""
        return (self.lat or 0.0, self.lon or 0.0)


@dataclass(frozen=True)
class Start:
    """Where the walk begins: the shop of the latest stamp, or the office."""

    name: str
    lat: float
    lon: float
    is_office: bool


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distance_matrix(points: Sequence[tuple[float, float]]) -> list[list[float]]:
    """Haversine metres between every two points (each point's trigonometry once)."""
    radians = [(math.radians(lat), math.radians(lon)) for lat, lon in points]
    cosines = [math.cos(phi) for phi, _lam in radians]
    size = len(points)
    matrix = [[0.0] * size for _ in range(size)]
    for i in range(size):
        phi1, lam1 = radians[i]
        cos1 = cosines[i]
        row = matrix[i]
        for j in range(i + 1, size):
            phi2, lam2 = radians[j]
            a = math.sin((phi2 - phi1) / 2) ** 2 + \
                cos1 * cosines[j] * math.sin((lam2 - lam1) / 2) ** 2
            row[j] = matrix[j][i] = 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
    return matrix


@functools.lru_cache(maxsize=64)
def _shop_matrix(points: tuple[tuple[float, float], ...]) -> list[list[float]]:
    """The distances between the shops themselves, which every card of a rally shares
    (a pure function of the coordinates; callers copy before adding their start)."""
    return distance_matrix(points)


def _with_start(start: tuple[float, float], points: Sequence[tuple[float, float]],
                shops: list[list[float]]) -> list[list[float]]:
    """The shops' matrix with ``start`` as point 0 (a new matrix; ``shops`` unchanged)."""
    to_start = [haversine(*start, *point) for point in points]
    return [[0.0, *to_start], *([distance, *row] for distance, row in zip(to_start, shops,
                                                                          strict=True))]


def _length(order: Sequence[int], matrix: list[list[float]]) -> float:
    """The open path 0 → order[0] → … in the distance matrix (0 is the start)."""
    total, previous = 0.0, 0
    for index in order:
        total += matrix[previous][index]
        previous = index
    return total


def _nearest_neighbour(count: int, matrix: list[list[float]]) -> list[int]:
    """From the start (0), always to the closest point not yet visited (ties: lower index)."""
    left = list(range(1, count + 1))
    order, current = [], 0
    while left:
        best = min(left, key=lambda index: (matrix[current][index], index))
        left.remove(best)
        order.append(best)
        current = best
    return order


def _two_opt(order: list[int], matrix: list[list[float]]) -> list[int]:
    """Reverse stretches of the open path while that shortens it (first improvement)."""
    path = [0, *order]
    size = len(path)
    improved = True
    while improved:
        improved = False
        for i in range(1, size - 1):
            a, b = path[i - 1], path[i]
            row_a, row_b = matrix[a], matrix[b]
            for j in range(i + 1, size):
                c = path[j]
                d = path[j + 1] if j + 1 < size else None
                before = row_a[b] + (matrix[c][d] if d is not None else 0.0)
                after = row_a[c] + (row_b[d] if d is not None else 0.0)
                if after < before - 1e-7:
                    path[i:j + 1] = reversed(path[i:j + 1])
                    b, row_b = path[i], matrix[path[i]]
                    improved = True
    return path[1:]


def walking_order(start: tuple[float, float], places: Sequence[Place]) -> list[Place]:
    """The places with coordinates in the suggested order from ``start``; the same for
    any order of the input (sorted by slug first). Places without coordinates are left out."""
    located = sorted((place for place in places if place.located), key=lambda p: p.slug)
    if not located:
        return []
    points = [start, *(place.point for place in located)]
    size = len(points)
    shop_points = tuple(place.point for place in located)
    matrix = _with_start(start, shop_points, _shop_matrix(shop_points))
    rank = {id(place): position for position, place in enumerate(list_order(located))}
    by_list = sorted(range(1, size), key=lambda index: rank[id(located[index - 1])])
    best = _two_opt(_nearest_neighbour(len(located), matrix), matrix)
    if _length(best, matrix) > _length(by_list, matrix):
        # Rare: the list itself is the better start; improved, it is never longer.
        best = _two_opt(by_list, matrix)
    return [located[index - 1] for index in best]


def list_order(places: Sequence[Place]) -> list[Place]:
    """The places as the shop list shows them: by name, then slug."""
    return sorted(places, key=lambda p: (p.name.casefold(), p.slug))


def path_metres(start: tuple[float, float], places: Sequence[Place]) -> float:
    """The length of walking ``places`` (all located) in the given order from ``start``."""
    total, here = 0.0, start
    for place in places:
        total += haversine(*here, *place.point)
        here = place.point
    return total


def round_metres(metres: float) -> int:
    """Distances as people say them: to 10 m below a kilometre, else to 50 m."""
    step = 10 if metres < 1000 else 50
    return int(round(metres / step) * step)


def walking_minutes(metres: float) -> int:
    """Minutes on foot at about 4.5 km/h, rounded up, at least 1 for any distance."""
    return max(1, math.ceil(metres / WALKING_M_PER_MIN)) if metres > 0 else 0


# --- The route as the pages show it ----------------------------------------------------

def distance_label(metres: int) -> str:
    """``350 m``, ``1,2 km``: a rounded distance as the pages write it."""
    if metres < 1000:
        return f"{format_decimal(metres)} m"
    return f"{format_decimal(round(metres / 1000, 1), '0.0')} km"


@dataclass(frozen=True)
class Stop:
    """A numbered stop of the route."""

    number: int
    place: Place
    metres_to_next: int | None  # None for the last stop
    open_now: OpenNow | None  # None for a shop without hours

    @property
    def to_next(self) -> str:
        """The distance to the next stop as text ("" for the last)."""
        return "" if self.metres_to_next is None else distance_label(self.metres_to_next)


@dataclass(frozen=True)
class PlanPoint:
    """A shop on the plan, in SVG user units."""

    x: float
    y: float
    label: str  # the stop's number, "" for a stamped shop
    name: str


@dataclass(frozen=True)
class Plan:
    """The laid-out plan: its size, the start, the stops, the stamped shops, the line."""

    width: int
    height: int
    start: PlanPoint
    stops: list[PlanPoint]
    stamped: list[PlanPoint]
    line: str  # the polyline's points attribute


@dataclass(frozen=True)
class Route:
    """The suggestion: start, stops in order, shops without coordinates, totals, plan."""

    start: Start
    first_metres: int  # from the start to the first stop
    stops: list[Stop]
    unplaced: list[Place]
    unplaced_open: dict[int, OpenNow | None]  # station id → "jetzt geöffnet"
    total_metres: int
    minutes: int
    plan: Plan | None
    labels: dict[int, OpenNow | None] = field(default_factory=dict)  # every station's


PLAN_WIDTH = 360
PLAN_PAD = 22
PLAN_MAX_HEIGHT = 420
PLAN_MIN_HEIGHT = 200


def plan_layout(start: Start, stops: Sequence[Place], stamped: Sequence[Place]) -> Plan:
    """Project the points onto a phone-wide plan (equirectangular about their middle,
    north up, the same scale both ways) and lay out the route's line."""
    located = [*stops, *(place for place in stamped if place.located)]
    lats = [start.lat, *(p.point[0] for p in located)]
    lons = [start.lon, *(p.point[1] for p in located)]
    factor = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * factor
    span_y = max(lats) - min(lats)
    inner = PLAN_WIDTH - 2 * PLAN_PAD
    scale = inner / max(span_x, span_y * inner / (PLAN_MAX_HEIGHT - 2 * PLAN_PAD), 1e-9)
    height = int(max(PLAN_MIN_HEIGHT, min(PLAN_MAX_HEIGHT, span_y * scale + 2 * PLAN_PAD)))
    offset_x = (PLAN_WIDTH - span_x * scale) / 2
    offset_y = (height - span_y * scale) / 2

    def project(lat: float, lon: float, label: str, name: str) -> PlanPoint:
        """One point on the plan."""
        return PlanPoint(x=round(offset_x + (lon - min(lons)) * factor * scale, 1),
                         y=round(offset_y + (max(lats) - lat) * scale, 1),
                         label=label, name=name)

    start_point = project(start.lat, start.lon, "", start.name)
    stop_points = [project(*p.point, str(number), p.name) for number, p in enumerate(stops, 1)]
    stamped_points = [project(*p.point, "", p.name) for p in stamped if p.located]
    line = " ".join(f"{point.x},{point.y}" for point in (start_point, *stop_points))
    return Plan(width=PLAN_WIDTH, height=height, start=start_point, stops=stop_points,
                stamped=stamped_points, line=line)


def suggest_route(places: Sequence[Place], office: Start, now: datetime) -> Route:
    """The route through the unstamped ``places`` from the latest stamped one that has
    coordinates (else ``office``), with "jetzt geöffnet" at ``now`` for every place."""
    stamped = [place for place in places if place.stamped_at is not None]
    to_visit = [place for place in places if place.stamped_at is None]
    latest = max((place for place in stamped if place.located),
                 key=lambda place: (place.stamped_at, place.stamp_id), default=None)
    start = office if latest is None else Start(latest.name, *latest.point, is_office=False)
    ordered = walking_order((start.lat, start.lon), to_visit)
    texts = label_texts()
    labels = {place.station_id: open_label(place.hours, now, texts) for place in places}
    legs = [haversine(*a.point, *b.point) for a, b in zip(ordered, ordered[1:], strict=False)]
    first = haversine(start.lat, start.lon, *ordered[0].point) if ordered else 0.0
    total = first + sum(legs)
    stops = [Stop(number=number, place=place,
                  metres_to_next=round_metres(legs[number - 1]) if number <= len(legs) else None,
                  open_now=labels[place.station_id])
             for number, place in enumerate(ordered, 1)]
    unplaced = list_order([place for place in to_visit if not place.located])
    return Route(
        start=start, first_metres=round_metres(first), stops=stops, unplaced=unplaced,
        unplaced_open={place.station_id: labels[place.station_id] for place in unplaced},
        total_metres=round_metres(total), minutes=walking_minutes(total),
        plan=plan_layout(start, ordered, stamped) if ordered else None, labels=labels,
    )


# The intervals of a shop packed into one number each (weekday, opens, closes), so that
# one row per station carries them all, joined by commas: aggregate_strings is
# SQLAlchemy's portable string aggregate (group_concat, string_agg).
_PACKED = (OpeningHours.weekday * 100_000_000 + OpeningHours.opens * 10_000
           + OpeningHours.closes)


@functools.lru_cache(maxsize=4096)
def _unpack(packed: str | None) -> tuple[Interval, ...]:
    """The intervals of an aggregated ``"100054001080,…"`` string, sorted."""
    intervals = []
    for part in (packed or "").split(","):
        if part:
            day, rest = divmod(int(part), 100_000_000)
            intervals.append(Interval(day, *divmod(rest, 10_000)))
    return tuple(sorted(intervals))


@functools.cache
def _places_query() -> Select[Any]:
    """The statement of :func:`rally_places`, built once (``rally_id``, ``card_id``)."""
    hours = (
        select(OpeningHours.shop_id,
               func.aggregate_strings(cast(_PACKED, String), ",").label("packed"))
        .group_by(OpeningHours.shop_id)
        .subquery()
    )
    return (
        select(Station.id, Shop.slug, Shop.name, Shop.street, Shop.postcode, Shop.city,
               Shop.lat, Shop.lon, hours.c.packed, Stamp.created_at, Stamp.id)
        .join(Shop, Shop.id == Station.shop_id)
        .outerjoin(hours, hours.c.shop_id == Shop.id)
        .outerjoin(Stamp, and_(Stamp.station_id == Station.id,
                               Stamp.card_id == bindparam("card_id")))
        .where(Station.rally_id == bindparam("rally_id"), Station.active.is_(True))
    )


def rally_places(rally_id: int, card_id: int | None = None) -> list[Place]:
    """The rally's active stations with their shops' coordinates and hours, and the
    card's stamp of each (one query, a row per station)."""
    rows = db.session.execute(_places_query(), {
        "rally_id": rally_id, "card_id": card_id if card_id is not None else -1})
    return [
        Place(station_id=station_id, slug=slug, name=name,
              address=f"{street}, {postcode} {city}", lat=lat, lon=lon,
              hours=_unpack(packed), stamped_at=stamped_at, stamp_id=stamp_id or 0)
        for (station_id, slug, name, street, postcode, city, lat, lon, packed, stamped_at,
             stamp_id) in rows
    ]
