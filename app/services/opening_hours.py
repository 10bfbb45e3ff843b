"""Opening hours as data: reading the German texts shops write, writing them back, the
week form of the portal and the back office, and "jetzt geöffnet".

An interval is a weekday (0 = Monday) and minutes since local midnight, so that "open
now" is plain arithmetic on the Berlin wall clock whatever the season. A shop's text
(``shops.opening_hours``) is the compact form of its intervals, followed by a free note
for what the data cannot say ("nach Vereinbarung"); a text that never parsed stays as
it was and the shop simply has no intervals.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import NamedTuple

from flask_babel import gettext as _

from ..clock import BERLIN
from .errors import DomainError, Problem

DAY_ABBREVIATIONS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
# Keys of the week form's fields: <key>_<1|2>_opens / _closes.
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
INTERVALS_PER_DAY = 2
DAY_MINUTES = 24 * 60

_DAY_WORDS = {
    "mo": 0, "montag": 0, "montags": 0,
    "di": 1, "dienstag": 1, "dienstags": 1,
    "mi": 2, "mittwoch": 2, "mittwochs": 2,
    "do": 3, "donnerstag": 3, "donnerstags": 3,
    "fr": 4, "freitag": 4, "freitags": 4,
    "sa": 5, "samstag": 5, "samstags": 5, "sonnabend": 5,
    "so": 6, "sonntag": 6, "sonntags": 6,
}
_CLOSED_WORDS = frozenset({"geschlossen", "ruhetag"})
_TOKEN = re.compile(
    r"\s*(?:(?P<time>\d{1,2}(?:[:.]\d{2})?)"
    r"|(?P<dash>[-–—‑−]|bis\b)"
    r"|(?P<sep>,|;|&|\+|/|und\b)"
    r"|(?P<uhr>uhr\b)"
    r"|(?P<word>[a-zäöüß]+\.?)"
    r"|(?P<other>\S))",
    re.IGNORECASE,
)


class Interval(NamedTuple):
    """One stretch of a weekday in which a shop is open, in minutes since midnight."""

    weekday: int
    opens: int
    closes: int


class HoursError(DomainError):
    """A text or week that is no opening hours. Codes: ``unreadable`` (``text``),
    ``closes_before_opens`` and ``overlap`` (``day``: the weekday's abbreviation)."""


@dataclass(frozen=True)
class ParsedHours:
    """What a text says: its intervals (sorted) and the note after them ("" for none)."""

    intervals: tuple[Interval, ...]
    note: str = ""


class _Token(NamedTuple):
    """A piece of a text: its kind, its text and where it starts."""

    kind: str
    text: str
    start: int


def _tokens(text: str) -> list[_Token]:
    """Split ``text`` into times, dashes, separators, "Uhr" and words."""
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # only trailing white space is left
            break
        kind = match.lastgroup or "other"
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


def _minutes(text: str, *, closing: bool) -> int:
    """``9`` → 540, ``18:30`` → 1110, ``24`` → 1440 (only as a closing time)."""
    hours, _sep, minutes = text.replace(".", ":").partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if int(minutes or 0) >= 60 or value > DAY_MINUTES or (value == DAY_MINUTES and not closing):
        raise ValueError(text)
    return value


def check_intervals(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """The intervals sorted by day and time; ``HoursError`` for one that closes before it
    opens, or two of one day that overlap."""
    ordered = sorted(intervals)
    for item in ordered:
        if not 0 <= item.opens < item.closes <= DAY_MINUTES:
            raise HoursError("closes_before_opens", day=DAY_ABBREVIATIONS[item.weekday])
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.weekday == after.weekday and after.opens < before.closes:
            raise HoursError("overlap", day=DAY_ABBREVIATIONS[after.weekday])
    return tuple(ordered)


def parse_hours(text: str) -> ParsedHours:
    """Read a German opening-hours text such as ``Mo–Fr 9–13 und 14–18, Sa 10–16 Uhr``.

    Days are listed (``Di, Do``) or ranged (``Mo–Fr``, also across the week end:
    ``Fr–Mo``), each followed by one or more times (``9–13 und 14–18``); ``Uhr`` is
    optional, ``So geschlossen`` says a day is closed. Words after the last time, such
    as ``nach Vereinbarung``, become the note. Raises ``HoursError``: ``unreadable``
    for anything else (or a text without any time), ``closes_before_opens``, ``overlap``.
    """
    tokens = _tokens(text)
    intervals: list[Interval] = []
    days: list[int] = []
    index = 0
    have_times = False  # whether the current day list has got its times
    note_start: int | None = None

    def unreadable() -> HoursError:
        """The refusal of this text."""
        return HoursError("unreadable", text=text)

    def kind(at: int) -> str:
        """The kind of token ``at`` ("" past the end)."""
        return tokens[at].kind if at < len(tokens) else ""

    while index < len(tokens):
        token = tokens[index]
        word = token.text.lower().rstrip(".")
        if token.kind == "word" and word in _DAY_WORDS:
            if have_times or not days:
                days, have_times = [], False
            first = _DAY_WORDS[word]
            index += 1
            if kind(index) == "dash" and kind(index + 1) == "word" and \
                    tokens[index + 1].text.lower().rstrip(".") in _DAY_WORDS:
                last = _DAY_WORDS[tokens[index + 1].text.lower().rstrip(".")]
                days.extend((first + step) % 7 for step in range((last - first) % 7 + 1))
                index += 2
            else:
                days.append(first)
        elif token.kind == "word" and word == "täglich":
            days, have_times = list(range(7)), False
            index += 1
        elif token.kind == "word" and word in _CLOSED_WORDS and days and not have_times:
            days, have_times = [], True
            index += 1
        elif token.kind == "time":
            if not days or kind(index + 1) != "dash" or kind(index + 2) != "time":
                raise unreadable()
            try:
                opens = _minutes(token.text, closing=False)
                closes = _minutes(tokens[index + 2].text, closing=True)
            except ValueError as error:
                raise unreadable() from error
            intervals.extend(Interval(day, opens, closes) for day in days)
            have_times = True
            index += 3
        elif token.kind in ("sep", "uhr"):
            index += 1
        elif token.kind == "word" and intervals and (have_times or not days):
            previous = tokens[index - 1]
            # "…, und nach Vereinbarung": the "und" belongs to the note.
            note_start = previous.start if previous.text.lower() == "und" else token.start
            break
        else:
            raise unreadable()
    if days and not have_times:
        raise unreadable()
    if not intervals:
        raise unreadable()
    note = text[note_start:].strip(" ,;") if note_start is not None else ""
    if any(character.isdigit() for character in note):
        raise unreadable()
    return ParsedHours(intervals=check_intervals(set(intervals)), note=note)


def _clock(minutes: int) -> str:
    """540 → ``9``, 570 → ``9:30``: the compact way shops write times."""
    hours, rest = divmod(minutes, 60)
    return f"{hours}:{rest:02d}" if rest else str(hours)


def _day_label(days: Sequence[int]) -> str:
    """Consecutive weekdays as ``Mo–Fr`` (three or more) or ``Sa, So``."""
    if len(days) >= 3:
        return f"{DAY_ABBREVIATIONS[days[0]]}–{DAY_ABBREVIATIONS[days[-1]]}"
    return ", ".join(DAY_ABBREVIATIONS[day] for day in days)


def format_hours(intervals: Iterable[Interval]) -> str:
    """Intervals as a compact German text: ``Mo–Fr 9:30–18:30, Sa 10–16 Uhr``; "" for none.

    Neighbouring days with the same times form a range; days apart with the same times
    are listed (``Di, Do 10–13 Uhr``); a lunch break reads ``9–13 und 14–18``.
    """
    by_day: dict[int, tuple[tuple[int, int], ...]] = {}
    for item in sorted(intervals):
        by_day[item.weekday] = by_day.get(item.weekday, ()) + ((item.opens, item.closes),)
    if not by_day:
        return ""
    runs: list[list[int]] = []
    for day in range(7):
        if day not in by_day:
            continue
        if runs and runs[-1][-1] == day - 1 and by_day[runs[-1][-1]] == by_day[day]:
            runs[-1].append(day)
        else:
            runs.append([day])
    groups: dict[tuple[tuple[int, int], ...], list[str]] = {}
    for run in runs:
        groups.setdefault(by_day[run[0]], []).append(_day_label(run))
    parts = [
        ", ".join(labels) + " " + " und ".join(f"{_clock(a)}–{_clock(b)}" for a, b in times)
        for times, labels in groups.items()
    ]
    return ", ".join(parts) + " Uhr"


def compose_text(intervals: Iterable[Interval], note: str) -> str:
    """The shop's text: its intervals written out, then the note."""
    return ", ".join(part for part in (format_hours(intervals), note.strip()) if part)


def note_of(text: str, intervals: Sequence[Interval]) -> str:
    """What the week form shows as the note of a shop with ``text`` and ``intervals``:
    the note after the hours, or the whole text of a shop whose text never parsed."""
    if not intervals:
        return text
    try:
        parsed = parse_hours(text)
    except HoursError:
        return ""
    return parsed.note if parsed.intervals == tuple(sorted(intervals)) else ""


# --- The week form ---------------------------------------------------------------------

def week_field(day: int, number: int, end: str) -> str:
    """The name of a field of the week form: ``mon_1_opens``, ``sun_2_closes``."""
    return f"{DAY_KEYS[day]}_{number}_{end}"


WEEK_FIELDS = tuple(week_field(day, number, end) for day in range(7)
                    for number in range(1, INTERVALS_PER_DAY + 1) for end in ("opens", "closes"))
_FORM_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?")


def _form_minutes(text: str, *, closing: bool) -> int:
    """``09:30`` from an ``<input type="time">`` as minutes; ``00:00`` closes at midnight."""
    match = _FORM_TIME.fullmatch(text)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(text)
    value = int(match.group(1)) * 60 + int(match.group(2))
    return DAY_MINUTES if closing and value == 0 else value


def parse_week(raw: Mapping[str, str | None]) -> tuple[tuple[Interval, ...], list[Problem]]:
    """The intervals of a filled-in week form (fields from :data:`WEEK_FIELDS`).

    An interval with both times empty is no interval (a day without any is closed).
    Problems, on the field to correct: ``bad_time`` (``value``), ``half_interval``,
    ``closes_before_opens`` and ``overlap`` (``day``: the weekday's name key).
    """
    intervals: list[Interval] = []
    problems: list[Problem] = []
    for day in range(7):
        day_intervals: list[tuple[int, Interval]] = []
        for number in range(1, INTERVALS_PER_DAY + 1):
            opens_name = week_field(day, number, "opens")
            closes_name = week_field(day, number, "closes")
            opens_text = (raw.get(opens_name) or "").strip()
            closes_text = (raw.get(closes_name) or "").strip()
            if not opens_text and not closes_text:
                continue
            if not opens_text or not closes_text:
                problems.append(Problem(opens_name if not opens_text else closes_name,
                                        "half_interval"))
                continue
            try:
                opens = _form_minutes(opens_text, closing=False)
            except ValueError:
                problems.append(Problem(opens_name, "bad_time", {"value": opens_text}))
                continue
            try:
                closes = _form_minutes(closes_text, closing=True)
            except ValueError:
                problems.append(Problem(closes_name, "bad_time", {"value": closes_text}))
                continue
            if closes <= opens:
                problems.append(Problem(closes_name, "closes_before_opens"))
                continue
            day_intervals.append((number, Interval(day, opens, closes)))
        day_intervals.sort(key=lambda pair: pair[1])
        for (_number, before), (number, after) in zip(day_intervals, day_intervals[1:],
                                                       strict=False):
            if after.opens < before.closes:
                problems.append(Problem(week_field(day, number, "opens"), "overlap"))
        intervals.extend(item for _number, item in day_intervals)
    return tuple(sorted(intervals)), problems


def week_values(intervals: Iterable[Interval]) -> dict[str, str]:
    """The week form's fields filled from intervals (``HH:MM``; midnight as ``00:00``)."""
    values = dict.fromkeys(WEEK_FIELDS, "")
    counts = [0] * 7
    for item in sorted(intervals):
        counts[item.weekday] += 1
        if counts[item.weekday] > INTERVALS_PER_DAY:
            continue  # a text with three times a day: the form shows the first two
        for end, minutes in (("opens", item.opens), ("closes", item.closes)):
            hours, rest = divmod(minutes % DAY_MINUTES, 60)
            values[week_field(item.weekday, counts[item.weekday], end)] = f"{hours:02d}:{rest:02d}"
    return values


# --- Open now --------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenState:
    """Whether a shop is open at a moment, and when that changes next (local time)."""

    is_open: bool
    change_at: datetime | None  # Europe/Berlin; None: never (no hours at all)


def _wall_clock(day: datetime, minutes: int) -> datetime:
    """The Berlin wall-clock moment ``minutes`` after midnight of ``day``'s date."""
    date = day.date() + timedelta(days=minutes // DAY_MINUTES)
    rest = minutes % DAY_MINUTES
    return datetime.combine(date, time(rest // 60, rest % 60), tzinfo=BERLIN)


def is_open(intervals: Iterable[Interval], now: datetime) -> bool:
    """Whether the shop is open at ``now`` (an aware moment), on the Berlin wall clock."""
    here = now.astimezone(BERLIN)
    minute = here.hour * 60 + here.minute
    return any(item.weekday == here.weekday() and item.opens <= minute < item.closes
               for item in intervals)


def open_state(intervals: Sequence[Interval], now: datetime) -> OpenState:
    """Open or not at ``now``, and the next closing or opening within a week.

    A shop open until midnight that opens again at 0:00 closes at the end of that
    second interval, not at midnight.
    """
    here = now.astimezone(BERLIN)
    minute = here.hour * 60 + here.minute
    weekday = here.weekday()
    by_day: dict[int, list[Interval]] = {}
    for item in sorted(intervals):
        by_day.setdefault(item.weekday, []).append(item)
    current = next((item for item in by_day.get(weekday, ())
                    if item.opens <= minute < item.closes), None)
    if current is not None:
        end, offset = current.closes, 0
        while end == DAY_MINUTES and offset < 6:
            following = by_day.get((weekday + offset + 1) % 7, [])
            if not following or following[0].opens != 0:
                break
            offset += 1
            end = following[0].closes
        return OpenState(True, _wall_clock(here, offset * DAY_MINUTES + end))
    for offset in range(8):
        for item in by_day.get((weekday + offset) % 7, ()):
            if offset or item.opens > minute:
                return OpenState(False, _wall_clock(here, offset * DAY_MINUTES + item.opens))
    return OpenState(False, None)


@dataclass(frozen=True)
class OpenNow:
    """What a page says beside a shop: open or not, in words."""

    is_open: bool
    text: str

    def __str__(self) -> str:
        """The words."""
        return self.text


@dataclass(frozen=True)
class LabelTexts:
    """The translated wordings of :func:`open_label`, looked up once for many shops."""

    open: str
    today: str
    tomorrow: str
    later: str


def label_texts() -> LabelTexts:
    """The wordings in the request's language (``%(time)s``, ``%(day)s`` left to fill)."""
    return LabelTexts(
        open=_("Jetzt geöffnet · bis %(time)s", time="%(time)s"),
        today=_("Geschlossen · öffnet heute %(time)s", time="%(time)s"),
        tomorrow=_("Geschlossen · öffnet morgen %(time)s", time="%(time)s"),
        later=_("Geschlossen · öffnet %(day)s %(time)s", day="%(day)s", time="%(time)s"),
    )


def open_label(intervals: Sequence[Interval], now: datetime,
               texts: LabelTexts | None = None) -> OpenNow | None:
    """``Jetzt geöffnet · bis 18:30`` or ``Geschlossen · öffnet Sa 10:00`` (``heute``,
    ``morgen`` for the next two days): short enough for a line beside a shop on a
    phone; ``None`` for a shop without hours. ``texts`` saves the look-up of the
    wordings when labelling many shops."""
    if not intervals:
        return None
    state = open_state(intervals, now)
    if state.change_at is None:  # pragma: no cover (intervals always give a change)
        return None
    texts = texts or label_texts()
    values = {"time": f"{state.change_at.hour}:{state.change_at.minute:02d}",
              "day": DAY_ABBREVIATIONS[state.change_at.weekday()]}
    if state.is_open:
        return OpenNow(True, texts.open % values)
    days = (state.change_at.date() - now.astimezone(BERLIN).date()).days
    wording = texts.today if days == 0 else texts.tomorrow if days == 1 else texts.later
    return OpenNow(False, wording % values)
