"""The dashboard: a rally at a glance, with server-drawn SVG charts and their tables.

The charts are laid out here in Python (plain numbers for ``<rect>`` and ``<text>``, see
``app.charts``) and drawn by the template: no chart library, no script.
"""

from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import format_date
from flask_babel import gettext as _

from ..auth.decorators import staff_required
from ..charts import Bar, Chart, Tick, axis_ticks, nice_ceiling
from ..clock import local
from ..services import fraud, stats
from ..services.outbox import failed_count
from . import bp
from .routes import all_rallies, chosen_rally, now

# Column chart (stamps per day), in SVG user units (= CSS pixels: drawn at natural size).
DAY_SLOT_MIN = 26
DAY_SLOT_MAX = 60
DAY_WIDTH = 760  # columns get wider for short rallies, up to DAY_SLOT_MAX
DAY_LEFT = 52
DAY_TOP = 14
DAY_PLOT = 170
DAY_BOTTOM = 40
# Bar chart (stamps per shop).
SHOP_ROW = 28
SHOP_LABEL = 230
SHOP_PLOT = 480
SHOP_RIGHT = 60
SHOP_TOP = 8
SHOP_LABEL_CHARS = 30
SHOP_LABEL_CHARS_INACTIVE = 18


def short_day(day: date) -> str:
    """``Di 1.12.``: a weekday and date short enough for a column label."""
    return format_date(day, "EEEEEE d.M.")


def long_day(day: date) -> str:
    """``Dienstag, 1. Dezember``: for tables and tooltips (the rally names the year)."""
    return format_date(day, "EEEE, d. MMMM")


def day_chart(days: list[stats.DayCount], today: date) -> Chart:
    """Columns of stamps per day; every day labelled with its date."""
    top = nice_ceiling(max((item.stamps for item in days), default=0))
    slot = max(DAY_SLOT_MIN, min(DAY_SLOT_MAX, (DAY_WIDTH - DAY_LEFT) // max(len(days), 1)))
    gap = max(6, slot // 4)
    bars = []
    for index, item in enumerate(days):
        height = DAY_PLOT * item.stamps / top
        x = DAY_LEFT + index * slot + gap / 2
        bars.append(
            Bar(
                x=x,
                y=DAY_TOP + DAY_PLOT - height,
                width=slot - gap,
                height=height,
                label=str(item.day.day),
                label_x=x + (slot - gap) / 2,
                label_y=DAY_TOP + DAY_PLOT + 18,
                value=item.stamps,
                title=_("%(day)s: %(count)d Stempel", day=long_day(item.day), count=item.stamps),
                highlight=item.day == today,
                # The month under the first day and under every 1st.
                sublabel=format_date(item.day, "MMM") if index == 0 or item.day.day == 1 else "",
            )
        )
    ticks = [Tick(position=DAY_TOP + DAY_PLOT - DAY_PLOT * value / top, value=value)
             for value in axis_ticks(top)]
    return Chart(
        width=DAY_LEFT + len(days) * slot + 10,
        height=DAY_TOP + DAY_PLOT + DAY_BOTTOM,
        bars=bars,
        ticks=ticks,
        plot_start=DAY_LEFT,
        plot_end=DAY_LEFT + len(days) * slot,
    )


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis; the table keeps the full name."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shop_chart(stations: list[stats.StationCount]) -> Chart:
    """Horizontal bars of stamps per shop, most first, the shop name beside each bar."""
    top = nice_ceiling(max((item.stamps for item in stations), default=0))
    bars = []
    for index, item in enumerate(stations):
        width = SHOP_PLOT * item.stamps / top
        y = SHOP_TOP + index * SHOP_ROW
        bars.append(
            Bar(
                x=SHOP_LABEL,
                y=y + 5,
                width=width,
                height=SHOP_ROW - 10,
                # Not by colour alone: an inactive station says so in its label.
                label=shorten(item.shop_name, SHOP_LABEL_CHARS) if item.active else _(
                    "%(shop)s (deaktiviert)",
                    shop=shorten(item.shop_name, SHOP_LABEL_CHARS_INACTIVE)),
                label_x=SHOP_LABEL - 8,
                label_y=y + SHOP_ROW / 2 + 5,
                value=item.stamps,
                title=_("%(shop)s: %(count)d Stempel", shop=item.shop_name, count=item.stamps),
                highlight=not item.active,
            )
        )
    height = SHOP_TOP + len(stations) * SHOP_ROW
    ticks = [Tick(position=SHOP_LABEL + SHOP_PLOT * value / top, value=value)
             for value in axis_ticks(top)]
    return Chart(
        width=SHOP_LABEL + SHOP_PLOT + SHOP_RIGHT,
        height=height + 24,
        bars=bars,
        ticks=ticks,
        plot_start=SHOP_TOP,
        plot_end=height,
    )


@dataclass(frozen=True)
class FunnelStep:
    """One step of the completion funnel with its share of all cards."""

    label: str
    cards: int
    percent: int


def funnel_steps(funnel: stats.Funnel) -> list[FunnelStep]:
    """The funnel as labelled steps; shares are of all cards of the rally."""
    steps = [
        (_("mindestens 1 Stempel"), funnel.at_least_one),
        (_("mindestens %(num)d Stempel", num=stats.FUNNEL_MIDDLE), funnel.at_least_five),
        (_("Ziel erreicht (%(num)d Stempel)", num=funnel.goal), funnel.reached_goal),
        (_("alle %(num)d aktiven Geschäfte", num=funnel.stations), funnel.all_stations),
    ]
    return [
        FunnelStep(label=label, cards=count,
                   percent=round(100 * count / funnel.cards) if funnel.cards else 0)
        for label, count in steps
    ]


@bp.get("/")
@staff_required
def dashboard() -> str:
    """The chosen (or current) rally at a glance."""
    rally = chosen_rally()
    failed_mails = failed_count()
    if rally is None:
        return render_template("backoffice/dashboard.html", rally=None, rallies=[],
                               failed_mails=failed_mails)
    moment = now()
    days = stats.stamps_per_day(rally.id, moment)
    stations = stats.stamps_per_station(rally.id)
    funnel = stats.funnel(rally.id)
    today = local(moment).date()
    return render_template(
        "backoffice/dashboard.html",
        rally=rally,
        rallies=all_rallies(),
        numbers=stats.overview(rally.id, moment, stations),
        days=[(long_day(item.day), item.stamps, item.day == today) for item in days],
        day_chart=day_chart(days, today) if days else None,
        stations=stations,
        shop_chart=shop_chart(stations) if stations else None,
        funnel=funnel,
        funnel_steps=funnel_steps(funnel),
        alerts=fraud.station_alerts(rally_id=rally.id),
        running=rally.is_open(moment),
        started=moment >= rally.starts_at,
        failed_mails=failed_mails,
    )
