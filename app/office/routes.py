"""Views of the office's public pages."""

from flask import abort, render_template
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Service
from ..services.rallies import active_stations, current_rally
from . import bp


@bp.get("/")
def home() -> str:
    """The current rally in three steps, its shops, and the office's services."""
    now = clock.utcnow()
    rally = current_rally(now)
    stations = active_stations(rally.id) if rally else []
    services = db.session.scalars(select(Service).order_by(Service.position, Service.id))
    return render_template(
        "office/home.html", rally=rally, now=now, stations=stations, services=list(services)
    )


@bp.get("/angebote")
def services() -> str:
    """All services of the office."""
    items = db.session.scalars(select(Service).order_by(Service.position, Service.id))
    return render_template("office/services.html", services=list(items))


@bp.get("/angebote/<slug>")
def service(slug: str) -> str:
    """One service in full."""
    item = db.session.scalars(select(Service).where(Service.slug == slug)).first()
    if item is None:
        abort(404)
    return render_template("office/service.html", service=item)


@bp.get("/teilnahmebedingungen")
def rules() -> str:
    """The current rally's terms of participation."""
    rally = current_rally(clock.utcnow())
    if rally is None:
        abort(404)
    return render_template("office/rules.html", rally=rally)


@bp.get("/impressum")
def imprint() -> str:
    """Legal notice (Impressum)."""
    return render_template("office/imprint.html")


@bp.get("/datenschutz")
def privacy() -> str:
    """Privacy notice."""
    return render_template("office/privacy.html")


@bp.get("/barrierefreiheit")
def accessibility() -> str:
    """Accessibility statement (Erklärung zur Barrierefreiheit)."""
    return render_template("office/accessibility.html")
