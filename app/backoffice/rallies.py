"""Rallies: list, create, edit (dates in local time, rules, lots rule, prizes)."""

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..clock import BERLIN, local
from ..extensions import db
from ..models import Rally, Stamp, Station
from ..services import rallies as rally_service
from ..services import rally_terms
from ..services.content import render_markdown
from ..services.editing import InvalidInput, slugify
from . import bp
from .forms import RallyForm
from .routes import actor_id, all_rallies, now, show_problems


def as_utc_input(moment: datetime) -> datetime:
    """A naive local time from a ``datetime-local`` input, made aware in Europe/Berlin."""
    return moment.replace(tzinfo=BERLIN)


# Problems the service finds that are worth showing next to the form's own errors.
CROSS_CHECKED = ("ends_at", "entry_closes_at", "slug", "prizes", "draw_at", "claim_until")
# The form's second button: show the rules as the page will, without saving anything.
PREVIEW = "vorschau"


def rally_input(form: RallyForm) -> rally_service.RallyInput | None:
    """The service's input from the form (an empty slug is made from the name).

    ``None`` while a date is missing or unreadable; other unreadable numbers count as 1,
    so that the date order and the slug can still be checked alongside the form errors.
    """
    name = (form.name.data or "").strip()
    starts, ends, closes = form.starts_at.data, form.ends_at.data, form.entry_closes_at.data
    if starts is None or ends is None or closes is None:
        return None
    prizes = rally_terms.parse_prize_lines(form.prizes.data or "")
    terms = rally_terms.RallyTerms(
        draw_at=as_utc_input(form.draw_at.data) if form.draw_at.data else None,
        claim_until=as_utc_input(form.claim_until.data) if form.claim_until.data else None,
        winners_notice=(form.winners_notice.data or "").strip().replace("\r\n", "\n"),
        prizes=tuple(prizes),
        retention_months=current_app.config["ENTRY_RETENTION_MONTHS"],
    )
    return rally_service.RallyInput(
        name=name,
        slug=(form.slug.data or "").strip() or slugify(name),
        starts_at=as_utc_input(starts),
        ends_at=as_utc_input(ends),
        entry_closes_at=as_utc_input(closes),
        stamp_goal=form.stamp_goal.data or 1,
        stamps_per_lot=form.stamps_per_lot.data,
        repeat_winners=bool(form.repeat_winners.data),
        status=form.status.data or "",
        rules_text=(form.rules_text.data or "").strip().replace("\r\n", "\n"),
        prizes=[prize.name for prize in prizes],
        terms=terms,
    )


def form_data(rally: Rally) -> dict[str, object]:
    """A rally's values as the form shows them (local times, prizes one per line)."""
    return {
        "name": rally.name,
        "slug": rally.slug,
        "starts_at": local(rally.starts_at).replace(tzinfo=None),
        "ends_at": local(rally.ends_at).replace(tzinfo=None),
        "entry_closes_at": local(rally.entry_closes_at).replace(tzinfo=None),
        "stamp_goal": rally.stamp_goal,
        "stamps_per_lot": rally.stamps_per_lot,
        "repeat_winners": rally.repeat_winners,
        "status": rally.status,
        "draw_at": local(rally.draw_at).replace(tzinfo=None),
        "winners_notice": rally.winners_notice,
        "claim_until": local(rally.claim_until).replace(tzinfo=None),
        "rules_text": rally.rules_text,
        "prizes": "\n".join(
            rally_terms.prize_line_text(prize) for prize in rally_service.rally_prizes(rally.id)
        ),
    }


def preview(form: RallyForm, rally: Rally | None) -> str:
    """The form again as typed, with its rules rendered as the rules page will show them.

    Nothing is checked or saved; the CSRF token was checked before the view ran.
    """
    rendered = render_markdown((form.rules_text.data or "").strip())
    return render_template("backoffice/rally_form.html", form=form, rally=rally, loose=[],
                           preview=rendered)


def save(form: RallyForm, rally: Rally | None) -> BaseResponse | tuple[str, int]:
    """Validate and save the form; on refusal the form again with status 400."""
    loose: list[str] = []
    values = rally_input(form)
    if form.validate_on_submit() and values is not None:
        try:
            saved = rally_service.save_rally(
                rally_id=rally.id if rally else None,
                values=values,
                now=now(),
                actor_id=actor_id(),
            )
        except InvalidInput as error:
            loose = show_problems(form, error.problems)
        else:
            flash(_("„%(name)s“ ist gespeichert.", name=saved.name), "ok")
            return redirect(url_for("backoffice.rallies"), code=303)
    elif values is not None:
        # Show the date order and slug problems together with the form's own errors.
        problems = [
            problem for problem in rally_service.check_rally(values, rally)
            if problem.field in CROSS_CHECKED and not form[problem.field].errors
            and (problem.field != "slug" or values.slug)
        ]
        loose = show_problems(form, problems)
    return render_template("backoffice/rally_form.html", form=form, rally=rally,
                           loose=loose), 400


@bp.get("/rallyes")
@staff_required
def rallies() -> str:
    """Every rally with its dates, status, shops and stamps."""
    stations = dict(
        db.session.execute(
            select(Station.rally_id, func.count()).group_by(Station.rally_id)
        ).all()
    )
    stamps = dict(
        db.session.execute(select(Stamp.rally_id, func.count()).group_by(Stamp.rally_id)).all()
    )
    return render_template("backoffice/rallies.html", rallies=all_rallies(),
                           stations=stations, stamps=stamps)


@bp.route("/rallyes/neu", methods=["GET", "POST"])
@staff_required
def rally_new() -> BaseResponse | tuple[str, int] | str:
    """Create a rally."""
    form = RallyForm()
    if request.method == "POST":
        return preview(form, None) if request.form.get("aktion") == PREVIEW else save(form, None)
    return render_template("backoffice/rally_form.html", form=form, rally=None, loose=[])


@bp.route("/rallyes/<int:rally_id>", methods=["GET", "POST"])
@staff_required
def rally_edit(rally_id: int) -> BaseResponse | tuple[str, int] | str:
    """Edit a rally and its prizes."""
    rally = db.session.get(Rally, rally_id)
    if rally is None:
        abort(404)
    if request.method == "GET":
        form = RallyForm(data=form_data(rally))
        return render_template("backoffice/rally_form.html", form=form, rally=rally, loose=[])
    form = RallyForm()
    return preview(form, rally) if request.form.get("aktion") == PREVIEW else save(form, rally)
