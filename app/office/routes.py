"""Views of the office's public pages."""

from datetime import date

from flask import Response, abort, current_app, render_template
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Draw, Service
from ..services import advent, appointments, office_texts, translations
from ..services import draws as draw_service
from ..services import events as event_service
from ..services import news as news_service
from ..services import privacy as privacy_service
from ..services.content import render_markdown
from ..services.draw_beacons import beacon_source
from ..services.rallies import current_rally, shop_categories
from ..services.rally_terms import entries_deleted_by, prizes_with_donors
from . import bp


def text(key: str) -> office_texts.OfficeText:
    """The office's text ``key``: as staff saved it, else the shipped default."""
    return office_texts.office_text(key, current_app.config["OFFICE"])


def texts(*keys: str) -> list[translations.Localized]:
    """The office's texts ``keys`` in the visitor's language where staff translated
    them (one query), else German, marked as such."""
    found = translations.block_texts(keys, current_app.config["OFFICE"])
    return [found[key] for key in keys]


@bp.get("/")
def home() -> str:
    """The current rally first (dates, goal, top prizes, how it works), then its shops in
    brief (their number and categories), then the office's services and next events in
    brief."""
    now = clock.utcnow()
    rally = current_rally(now)
    categories = shop_categories(rally.id) if rally else []
    prizes = prizes_with_donors(rally.id) if rally else []
    services = list(db.session.scalars(select(Service).order_by(Service.position, Service.id)))
    today_door = advent.today_door(rally.id, now) if rally else None
    next_events = event_service.upcoming(now, limit=3)
    intro, contact = texts("home_intro", "contact")
    return render_template(
        "office/home.html", rally=rally, now=now, categories=categories,
        shop_count=sum(number for _category, number in categories), prizes=prizes,
        services=services, service_texts=translations.localize("service", services),
        today_door=today_door,
        today_door_text=translations.localize_one("door", today_door) if today_door else None,
        next_events=next_events, event_texts=translations.localize("event", next_events),
        latest_news=news_service.latest(2), intro=intro, contact=contact,
    )


@bp.get("/angebote")
def services() -> str:
    """All services of the office."""
    items = list(db.session.scalars(select(Service).order_by(Service.position, Service.id)))
    found = translations.localize("service", items)
    return render_template("office/services.html", services=items, texts=found,
                           texts_german=translations.any_german(found.values()))


@bp.get("/angebote/<slug>")
def service(slug: str) -> str:
    """One service in full, with its next events."""
    item = db.session.scalars(select(Service).where(Service.slug == slug)).first()
    if item is None:
        abort(404)
    shown = translations.localize_one("service", item)
    next_events = event_service.upcoming(clock.utcnow(), service_id=item.id, limit=5)
    return render_template("office/service.html", service=item, t=shown,
                           topic=appointments.topic_for_service(item.id),
                           next_events=next_events,
                           event_texts=translations.localize("event", next_events),
                           body=shown["body"].html_with_contacts,
                           contact=texts("contact")[0])


@bp.get("/teilnahmebedingungen")
def rules() -> str:
    """The current rally's terms of participation."""
    rally = current_rally(clock.utcnow())
    if rally is None:
        abort(404)
    return render_template(
        "office/rules.html",
        rally=rally,
        prizes=prizes_with_donors(rally.id),
        rules=render_markdown(rally.rules_text),
        deleted_by=entries_deleted_by(rally, current_app.config["ENTRY_RETENTION_MONTHS"]),
    )


@bp.get("/impressum")
def imprint() -> str:
    """Legal notice (Impressum)."""
    return render_template("office/imprint.html", text=texts("imprint")[0])


@bp.get("/datenschutz")
def privacy() -> str:
    """Privacy notice, with the retention of every kind of personal data."""
    return render_template(
        "office/privacy.html", privacy_kinds=privacy_service.KINDS,
        kinds=privacy_service.KIND_BY_KEY, retention=privacy_service.retention,
        text=texts("privacy")[0],
    )


@bp.get("/barrierefreiheit")
def accessibility() -> str:
    """Accessibility statement (Erklärung zur Barrierefreiheit), after the EU model."""
    statement = date.fromisoformat(current_app.config["ACCESSIBILITY_STATEMENT_DATE"])
    return render_template("office/accessibility.html", statement_date=statement,
                           text=texts("accessibility")[0])


@bp.get("/leichte-sprache")
def easy_language() -> str:
    """The site and the rally explained in Leichte Sprache (the block easy_language)."""
    return render_template("office/easy_language.html", text=text("easy_language"))


@bp.get("/ziehungen")
def draws() -> str:
    """Every draw with its published hashes, seeds and winning card codes."""
    return render_template(
        "office/draws.html", draws=draw_service.draws_of(), beacon_source=beacon_source,
        sealed_early=draw_service.sealed_early,
    )


@bp.get("/ziehungen/<int:draw_id>")
def draw(draw_id: int) -> str:
    """One draw with everything needed to check it, and how to check it."""
    item = db.get_or_404(Draw, draw_id)
    return render_template(
        "office/draw.html", draw=item, source=beacon_source(item),
        sealed_early=draw_service.sealed_early(item),
    )


@bp.get("/ziehungen/<int:draw_id>/lostopf.txt")
def pool_file(draw_id: int) -> Response:
    """The pool file exactly as hashed (UTF-8, one ``CODE<TAB>LOTS`` line per entry)."""
    item = db.get_or_404(Draw, draw_id)
    response = Response(item.pool_text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="lostopf-{item.id}.txt"'
    return response
