"""Charts laid out in Python, drawn by templates as SVG: no chart library, no script,
nothing loaded from elsewhere.

A layout is plain numbers for ``<rect>``, ``<line>`` and ``<text>``; the back office's
dashboard and the shop portal draw them, each next to a table of the same numbers.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """One bar: its rectangle, the label under or beside it, and the value it stands for."""

    x: float
    y: float
    width: float
    height: float
    label: str
    label_x: float
    label_y: float
    value: int
    title: str
    highlight: bool = False
    sublabel: str = ""


@dataclass(frozen=True)
class Tick:
    """A grid line with its value."""

    position: float
    value: int


@dataclass(frozen=True)
class Chart:
    """A laid-out chart: the SVG's size, bars and grid."""

    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    plot_start: float
    plot_end: float


@dataclass(frozen=True)
class Column:
    """What one column of a :func:`column_chart` shows."""

    value: int
    title: str  # the column's tooltip, e.g. "Dienstag, 1. Dezember: 12 Stempel"
    label: str = ""  # under the column; "" leaves it unlabelled
    highlight: bool = False


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k that is ≥ ``value`` (at least 1): a round axis end."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return max(step * factor, 1)
        step *= 10


def axis_ticks(top: int) -> list[int]:
    """Values of the grid lines: 0, a half and the top of the axis."""
    half = top // 2
    return [0, half, top] if half and half != top else [0, top]


# A phone-sized column chart in SVG user units: drawn 1:1 on a phone, scaled up on wider
# screens (the template gives the SVG its viewBox and the stylesheet its width).
COLUMN_WIDTH = 340
COLUMN_LEFT = 34
COLUMN_RIGHT = 4
COLUMN_TOP = 10
COLUMN_PLOT = 140
COLUMN_BOTTOM = 24
COLUMN_SLOT_MAX = 36  # a rally's first days: a few slim columns, not one wide block


def column_chart(columns: list[Column]) -> Chart:
    """Columns side by side over the whole width, a grid at 0, half and top."""
    top = nice_ceiling(max((column.value for column in columns), default=0))
    slot = min((COLUMN_WIDTH - COLUMN_LEFT - COLUMN_RIGHT) / max(len(columns), 1),
               COLUMN_SLOT_MAX)
    gap = min(max(1.0, slot * 0.2), 6.0)
    bars = []
    for index, column in enumerate(columns):
        height = COLUMN_PLOT * column.value / top
        x = COLUMN_LEFT + index * slot + gap / 2
        bars.append(Bar(
            x=round(x, 2),
            y=round(COLUMN_TOP + COLUMN_PLOT - height, 2),
            width=round(slot - gap, 2),
            height=round(height, 2),
            label=column.label,
            label_x=round(x + (slot - gap) / 2, 2),
            label_y=COLUMN_TOP + COLUMN_PLOT + 16,
            value=column.value,
            title=column.title,
            highlight=column.highlight,
        ))
    ticks = [Tick(position=round(COLUMN_TOP + COLUMN_PLOT - COLUMN_PLOT * value / top, 2),
                  value=value) for value in axis_ticks(top)]
    return Chart(
        width=COLUMN_WIDTH,
        height=COLUMN_TOP + COLUMN_PLOT + COLUMN_BOTTOM,
        bars=bars,
        ticks=ticks,
        plot_start=COLUMN_LEFT,
        plot_end=COLUMN_WIDTH - COLUMN_RIGHT,
    )
