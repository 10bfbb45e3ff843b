"""A needs survey's results for staff: the page (with a filter by category), the CSV
export and the printable report for the office's talks with the town.

The figures come from app.services.survey_results; here they are laid out as SVG
charts (plain numbers for ``<rect>`` and ``<text>``, see app.charts), each drawn next to
a table of the same numbers. Staff and admins only; the CSV behind a fresh login.
"""

from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _

from ..auth.decorators import fresh_login_required, staff_required
from ..charts import Bar, Chart, Column, Tick, axis_ticks, column_chart
from ..extensions import db
from ..models import AuditEvent
from ..models.surveys import Survey
from ..services import survey_results
from ..services.survey_results import QuestionResult, SurveyResults
from . import bp
from .dashboard import shorten
from .draws import csv_safe
from .events import csv_response
from .routes import actor_id, now

CATEGORY_MAX = 60  # SurveyRespondent.category, Shop.category
# Bars of the options of a choice question, in SVG user units (a phone's panel; the
# stylesheet shrinks it to narrower ones): the option's label above its bar, the count
# and share at the bar's end. The table below has the full labels.
OPTION_WIDTH = 300
OPTION_PLOT = 200  # the longest bar, leaving room for "120 (100 %)"
OPTION_ROW = 46
OPTION_LABEL_CHARS = 46
OPTION_TOP = 4


def option_chart(result: QuestionResult) -> Chart:
    """Horizontal bars of a choice question: one per option, in the survey's order, as
    long as its share of those who answered."""
    bars = []
    for index, option in enumerate(result.options):
        y = OPTION_TOP + index * OPTION_ROW
        bars.append(Bar(
            x=0, y=y + 20, width=round(OPTION_PLOT * option.percent / 100, 2), height=16,
            label=shorten(option.label, OPTION_LABEL_CHARS), label_x=0, label_y=y + 14,
            value=option.count,
            title=_("%(option)s: %(count)d (%(percent)d %%)", option=option.label,
                    count=option.count, percent=option.percent),
            sublabel=_("%(count)d (%(percent)d %%)", count=option.count,
                       percent=option.percent),
        ))
    height = OPTION_TOP + len(result.options) * OPTION_ROW
    return Chart(width=OPTION_WIDTH, height=height, bars=bars,
                 ticks=[Tick(position=0, value=0)], plot_start=OPTION_TOP,
                 plot_end=height - 6)


def scale_chart(result: QuestionResult) -> Chart:
    """Columns of the scale: how many gave 1, 2, … 5."""
    return column_chart([
        Column(value=count, label=str(value),
               title=_("%(value)d: %(count)d", value=value, count=count))
        for value, count in result.scale])


def chart_of(result: QuestionResult) -> Chart | None:
    """The chart of one question, or None for texts and questions nobody answered."""
    if not result.answered:
        return None
    if result.question.kind in ("one", "many"):
        return option_chart(result)
    if result.question.kind == "scale":
        return scale_chart(result)
    return None


def decimal(value: float | None) -> str:
    """"3,4": a mean or median with one decimal in the page's language."""
    return "" if value is None else format_decimal(round(value, 1), format="0.0")


def get_survey(survey_id: int) -> Survey:
    """The survey with its questions and options, or 404."""
    survey = survey_results.load_survey(survey_id)
    if survey is None:
        abort(404)
    return survey


def page_values(found: SurveyResults) -> dict[str, Any]:
    """What results.html and report.html need besides the figures."""
    return {"results": found, "chart_of": chart_of, "decimal": decimal,
            "axis_ticks": axis_ticks, "min_group": survey_results.MIN_GROUP}


@bp.get("/umfragen/<int:survey_id>/ergebnisse")
@staff_required
def survey_results_page(survey_id: int) -> tuple[str, int]:
    """The results: counts and shares as charts with tables, the scale, the free texts;
    ``?kategorie=`` for one category (small groups are not shown on their own)."""
    survey = get_survey(survey_id)
    raw = request.args.get("kategorie", "")
    category = raw.strip() or None
    if category is not None and len(category) > CATEGORY_MAX:
        category = "\n"  # no category is called that: answered as unknown below
    found = survey_results.results(survey, category=category)
    unknown = category is not None and category not in {c.name for c in found.categories}
    return render_template("backoffice/surveys/results.html", unknown=unknown,
                           chosen=raw[:CATEGORY_MAX], **page_values(found)), (
        404 if unknown else 200)


@bp.get("/umfragen/<int:survey_id>/bericht")
@staff_required
def survey_report(survey_id: int) -> str:
    """The printable report (A4): title, period, number of answers, every question's
    chart and table."""
    survey = get_survey(survey_id)
    return render_template("backoffice/surveys/report.html", now=now(),
                           **page_values(survey_results.results(survey)))


@bp.get("/umfragen/<int:survey_id>/ergebnisse.csv")
@staff_required
@fresh_login_required
def survey_results_csv(survey_id: int) -> Response:
    """One row per submitted respondent, one column per question (fresh login; formulas
    defused; audited). Names the shops only if the survey says so."""
    survey = get_survey(survey_id)
    table = survey_results.csv_table(survey, small_group=_("(kleine Gruppe)"))
    first = [_("Geschäft"), _("Kategorie")] if survey.names_shops else [_("Kategorie")]
    rows: list[list[Any]] = [[csv_safe(cell) for cell in first + table.prompts]]
    rows += [[csv_safe(cell) for cell in row] for row in table.rows]
    db.session.add(AuditEvent(created_at=now(), actor_id=actor_id(),
                              action="export.survey_results", subject=survey.slug,
                              details={"rows": len(table.rows)}))
    db.session.commit()
    return csv_response(rows, f"umfrage-{survey.slug}.csv")
