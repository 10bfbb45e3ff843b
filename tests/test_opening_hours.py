"""Opening hours as data: the German texts, the week form, "jetzt geöffnet" on the
Berlin wall clock (closing time, Sunday, both DST changes)."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from app.clock import BERLIN
from app.services.opening_hours import (
    HoursError,
    Interval,
    compose_text,
    format_hours,
    is_open,
    note_of,
    open_label,
    open_state,
    parse_hours,
    parse_week,
    week_values,
)

DEMO_TEXTS = sorted(set(re.findall(
    r'"opening_hours": "([^"]*)"',
    (Path(__file__).parent.parent / "app" / "demo_data.py").read_text(encoding="utf-8"))))
WEEKDAYS = range(5)  # Mo–Fr


def hours(text: str) -> tuple[Interval, ...]:
    """The intervals of ``text``."""
    return parse_hours(text).intervals


def test_every_demo_text_parses_and_reads_back_the_same() -> None:
    assert len(DEMO_TEXTS) > 30
    for text in DEMO_TEXTS:
        parsed = parse_hours(text)
        assert compose_text(parsed.intervals, parsed.note) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("Mo–Fr 9:30–18:30, Sa 10–16 Uhr",
     [Interval(day, 570, 1110) for day in WEEKDAYS] + [Interval(5, 600, 960)]),
    ("Di–So 11–19 Uhr", [Interval(day, 660, 1140) for day in range(1, 7)]),
    ("Mo–Fr 6:30–18, Sa 6:30–13, So 8–11 Uhr",
     [Interval(day, 390, 1080) for day in WEEKDAYS]
     + [Interval(5, 390, 780), Interval(6, 480, 660)]),
    ("Mo–Fr 9–13 und 14–18 Uhr",
     sorted([Interval(day, 540, 780) for day in WEEKDAYS]
            + [Interval(day, 840, 1080) for day in WEEKDAYS])),
    ("Di, Do 10–13 Uhr", [Interval(1, 600, 780), Interval(3, 600, 780)]),
    ("Mo-Fr 9.30-18 Uhr", [Interval(day, 570, 1080) for day in WEEKDAYS]),
    ("montags bis freitags 9 bis 18 Uhr", [Interval(day, 540, 1080) for day in WEEKDAYS]),
    ("Fr–Mo 20–24 Uhr", [Interval(day, 1200, 1440) for day in (0, 4, 5, 6)]),
    ("täglich 8–20 Uhr", [Interval(day, 480, 1200) for day in range(7)]),
    ("Mo–Sa 10–18, So geschlossen", [Interval(day, 600, 1080) for day in range(6)]),
])
def test_texts_become_intervals(text: str, expected: list[Interval]) -> None:
    assert list(hours(text)) == expected


def test_words_after_the_times_are_the_note() -> None:
    parsed = parse_hours("Mo–Do 8–17, Fr 8–13 Uhr, und nach Vereinbarung")
    assert parsed.note == "und nach Vereinbarung"
    assert Interval(4, 480, 780) in parsed.intervals
    assert compose_text(parsed.intervals, parsed.note) == (
        "Mo–Do 8–17, Fr 8–13 Uhr, und nach Vereinbarung")


@pytest.mark.parametrize(("text", "code"), [
    ("", "unreadable"),
    ("nach Vereinbarung", "unreadable"),
    ("Mo–Fr", "unreadable"),
    ("9–18 Uhr", "unreadable"),
    ("Mo–Fr 9–18, Sa nach Vereinbarung", "unreadable"),
    ("Mo 9–18, dann 20–22", "unreadable"),
    ("Mo 25–26 Uhr", "unreadable"),
    ("Mo 9:75–12 Uhr", "unreadable"),
    ("Mo 18–9 Uhr", "closes_before_opens"),
    ("Mo 9–13 und 12–18 Uhr", "overlap"),
    ("Mo–Fr 9–18, Mi 17–20 Uhr", "overlap"),
])
def test_what_is_no_opening_hours_is_refused(text: str, code: str) -> None:
    with pytest.raises(HoursError) as refused:
        parse_hours(text)
    assert refused.value.code == code


def test_formatting_groups_days_and_lists_lunch_breaks() -> None:
    week = [Interval(day, 540, 780) for day in WEEKDAYS] + [
        Interval(day, 840, 1080) for day in WEEKDAYS] + [Interval(5, 600, 840)]
    assert format_hours(week) == "Mo–Fr 9–13 und 14–18, Sa 10–14 Uhr"
    assert format_hours([Interval(5, 600, 960), Interval(6, 600, 960)]) == "Sa, So 10–16 Uhr"
    assert format_hours([Interval(0, 0, 1440)]) == "Mo 0–24 Uhr"
    assert format_hours([]) == ""


def test_the_note_of_a_shop() -> None:
    text = "Mo–Do 8–17, Fr 8–13 Uhr, nach Vereinbarung"
    assert note_of(text, hours(text)) == "nach Vereinbarung"
    assert note_of("Termine nach Absprache", []) == "Termine nach Absprache"
    assert note_of("Mo 9–12 Uhr", [Interval(1, 540, 720)]) == ""  # the data wins


def week_form(**times: str) -> dict[str, str]:
    """A week form with the given fields filled, every other one empty."""
    return {**dict.fromkeys(week_values([]), ""), **times}


def test_the_week_form_gives_intervals() -> None:
    intervals, problems = parse_week(week_form(
        mon_1_opens="09:00", mon_1_closes="13:00", mon_2_opens="14:00", mon_2_closes="18:30",
        sat_1_opens="10:00", sat_1_closes="00:00"))
    assert problems == []
    assert intervals == (Interval(0, 540, 780), Interval(0, 840, 1110), Interval(5, 600, 1440))
    assert week_values(intervals)["mon_2_closes"] == "18:30"
    assert week_values(intervals)["sat_1_closes"] == "00:00"
    assert week_values(intervals)["sun_1_opens"] == ""


@pytest.mark.parametrize(("times", "field", "code"), [
    ({"tue_1_opens": "10:00"}, "tue_1_closes", "half_interval"),
    ({"tue_1_closes": "10:00"}, "tue_1_opens", "half_interval"),
    ({"tue_1_opens": "18:00", "tue_1_closes": "09:00"}, "tue_1_closes", "closes_before_opens"),
    ({"tue_1_opens": "9 Uhr", "tue_1_closes": "18:00"}, "tue_1_opens", "bad_time"),
    ({"tue_1_opens": "09:00", "tue_1_closes": "25:00"}, "tue_1_closes", "bad_time"),
    ({"tue_1_opens": "09:00", "tue_1_closes": "13:00", "tue_2_opens": "12:00",
      "tue_2_closes": "18:00"}, "tue_2_opens", "overlap"),
])
def test_the_week_form_refuses(times: dict[str, str], field: str, code: str) -> None:
    intervals, problems = parse_week(week_form(**times))
    assert [(problem.field, problem.code) for problem in problems] == [(field, code)]


# Modehaus: Mo–Fr 9:30–18:30, Sa 10–16; Sunday closed.
MODEHAUS = hours("Mo–Fr 9:30–18:30, Sa 10–16 Uhr")


def berlin(*parts: int) -> datetime:
    """A Berlin wall-clock moment, as the app holds it: in UTC."""
    return datetime(*parts, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


def test_open_until_18_29_closed_at_18_30(app: Flask) -> None:
    with app.test_request_context():
        friday = (2026, 12, 4)
        assert is_open(MODEHAUS, berlin(*friday, 18, 29))
        assert str(open_label(MODEHAUS, berlin(*friday, 18, 29))) == (
            "Jetzt geöffnet · bis 18:30")
        assert not is_open(MODEHAUS, berlin(*friday, 18, 30))
        assert str(open_label(MODEHAUS, berlin(*friday, 18, 30))) == (
            "Geschlossen · öffnet morgen 10:00")
        assert not is_open(MODEHAUS, berlin(*friday, 9, 29))
        assert str(open_label(MODEHAUS, berlin(*friday, 9, 29))) == (
            "Geschlossen · öffnet heute 9:30")
        assert is_open(MODEHAUS, berlin(*friday, 9, 30))


def test_closed_on_sunday_opens_on_monday(app: Flask) -> None:
    with app.test_request_context():
        saturday_evening = berlin(2026, 12, 5, 16, 0)
        assert str(open_label(MODEHAUS, saturday_evening)) == "Geschlossen · öffnet Mo 9:30"
        sunday_noon = berlin(2026, 12, 6, 12, 0)
        assert not is_open(MODEHAUS, sunday_noon)
        assert str(open_label(MODEHAUS, sunday_noon)) == "Geschlossen · öffnet morgen 9:30"
        assert open_label((), sunday_noon) is None


def test_wall_clock_across_the_autumn_change() -> None:
    """25 Oct 2026: 3:00 CEST becomes 2:00 CET. A café open Di–So 11–19."""
    cafe = hours("Di–So 11–19 Uhr")
    # Saturday 24 Oct, 10:59 CEST (08:59 UTC) closed, 11:00 CEST (09:00 UTC) open.
    assert not is_open(cafe, datetime(2026, 10, 24, 8, 59, tzinfo=UTC))
    assert is_open(cafe, datetime(2026, 10, 24, 9, 0, tzinfo=UTC))
    # Sunday 25 Oct, after the change: 11:00 CET is 10:00 UTC.
    assert not is_open(cafe, datetime(2026, 10, 25, 9, 59, tzinfo=UTC))
    assert is_open(cafe, datetime(2026, 10, 25, 10, 0, tzinfo=UTC))
    assert is_open(cafe, datetime(2026, 10, 25, 17, 59, tzinfo=UTC))
    assert not is_open(cafe, datetime(2026, 10, 25, 18, 0, tzinfo=UTC))
    # From Saturday evening, the next opening is Sunday 11:00 CET, 10:00 UTC: the hour
    # that the night repeats is not counted twice.
    state = open_state(cafe, datetime(2026, 10, 24, 20, 0, tzinfo=UTC))
    assert not state.is_open and state.change_at is not None
    assert state.change_at.astimezone(UTC) == datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
    assert (state.change_at.hour, state.change_at.minute) == (11, 0)


def test_wall_clock_across_the_spring_change() -> None:
    """28 Mar 2027: 2:00 CET becomes 3:00 CEST. The same café on Sunday."""
    cafe = hours("Di–So 11–19 Uhr")
    assert not is_open(cafe, datetime(2027, 3, 28, 8, 59, tzinfo=UTC))  # 10:59 CEST
    assert is_open(cafe, datetime(2027, 3, 28, 9, 0, tzinfo=UTC))  # 11:00 CEST
    state = open_state(cafe, datetime(2027, 3, 28, 9, 0, tzinfo=UTC))
    assert state.is_open and state.change_at is not None
    assert state.change_at.astimezone(UTC) == datetime(2027, 3, 28, 17, 0, tzinfo=UTC)
    # Saturday night before the change: opens at 11:00 CEST, 09:00 UTC.
    state = open_state(cafe, datetime(2027, 3, 27, 22, 0, tzinfo=UTC))
    assert state.change_at is not None
    assert state.change_at.astimezone(UTC) == datetime(2027, 3, 28, 9, 0, tzinfo=UTC)


def test_open_past_midnight_closes_at_the_end_of_the_night() -> None:
    bar = (Interval(4, 1200, 1440), Interval(5, 0, 120))  # Fr 20–24, Sa 0–2
    state = open_state(bar, berlin(2026, 12, 4, 23, 0))
    assert state.is_open and state.change_at is not None
    assert (state.change_at.weekday(), state.change_at.hour) == (5, 2)
