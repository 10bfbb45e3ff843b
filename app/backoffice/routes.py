"""What every back-office view shares: the rally being looked at, the acting user, the
sub-navigation, and mapping service refusals onto form fields.

The views themselves live in ``dashboard``, ``rallies``, ``shops``, ``cards``, ``review``
(and ``draws``); every one of them is for staff only (``staff_required``).
"""

from datetime import datetime
from typing import Any

from flask import abort, current_app, request
from flask_babel import format_number
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Rally
from ..services.errors import Problem
from ..services.rallies import current_rally
from . import bp
from .forms import column_label, problem_message

# Sub-navigation sections by endpoint prefix, for aria-current.
SECTIONS = (
    ("backoffice.dashboard", "dashboard"),
    ("backoffice.rally", "rallies"),
    ("backoffice.advent", "advent"),
    ("backoffice.appointment", "appointments"),
    ("backoffice.event", "events"),
    ("backoffice.news", "news"),
    ("backoffice.shop", "shops"),
    ("backoffice.station", "shops"),
    ("backoffice.poster", "shops"),
    ("backoffice.account", "shops"),
    ("backoffice.invitation", "shops"),
    ("backoffice.card", "cards"),
    ("backoffice.review", "review"),
    ("backoffice.draw", "draws"),
    ("backoffice.winner", "draws"),
    ("backoffice.privacy", "privacy"),
    ("backoffice.my_", "my_account"),
    ("backoffice.outbox", "outbox"),
    ("backoffice.successor", "successors"),
    ("backoffice.inquir", "inquiries"),
    ("backoffice.text", "texts"),
    ("backoffice.listing", "listings"),
    ("backoffice.search_profile", "listings"),
    ("backoffice.dgs_", "dgs"),
    ("backoffice.survey", "surveys"),
)


def now() -> datetime:
    """The current moment (through ``clock`` so that tests can freeze it)."""
    return clock.utcnow()


def actor_id() -> int | None:
    """The logged-in user's id, for the audit log."""
    return int(current_user.id) if current_user.is_authenticated else None


def all_rallies() -> list[Rally]:
    """Every rally, newest first: the choices of the rally selector."""
    return list(db.session.scalars(select(Rally).order_by(Rally.starts_at.desc(), Rally.id)))


def chosen_rally() -> Rally | None:
    """The rally named by ``?rally=slug`` (any status; 404 if unknown).

    Without a choice: the rally shoppers see now, else the newest one (a draft being
    prepared), else ``None``.
    """
    slug = request.args.get("rally")
    if slug:
        rally = db.session.scalars(select(Rally).where(Rally.slug == slug)).first()
        if rally is None:
            abort(404)
        return rally
    rally = current_rally(now())
    if rally is None:
        rally = db.session.scalars(
            select(Rally).order_by(Rally.starts_at.desc(), Rally.id.desc()).limit(1)
        ).first()
    return rally


def show_problems(form: FlaskForm, problems: list[Problem]) -> list[str]:
    """Put each problem's German message on its form field; return those without a field."""
    loose = []
    for problem in problems:
        message = problem_message(problem)
        if problem.field not in form:
            loose.append(message)
            continue
        field = form[problem.field]
        if message not in field.errors:
            field.errors = [*field.errors, message]
    return loose


def section_of(endpoint: str | None) -> str:
    """Which sub-navigation entry a back-office endpoint belongs to."""
    for prefix, section in SECTIONS:
        if endpoint and endpoint.startswith(prefix):
            return section
    return ""


@bp.context_processor
def backoffice_context() -> dict[str, Any]:
    """Values for ``backoffice/base.html``: the active section, which optional pages exist."""
    views = current_app.view_functions
    return {
        "bo_section": section_of(request.endpoint),
        "bo_has_draws": "backoffice.draws" in views,
        "number": format_number,
        "problem_message": problem_message,
        "column_label": column_label,
    }
