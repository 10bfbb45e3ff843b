"""Back-office views. Every view is for staff only (``staff_required``)."""

from flask import render_template

from ..auth.decorators import staff_required
from . import bp


@bp.get("/")
@staff_required
def dashboard() -> str:
    """The campaign at a glance (filled in by the dashboard work)."""
    return render_template("backoffice/dashboard.html")
