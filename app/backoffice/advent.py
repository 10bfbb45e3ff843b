"""The Advent calendar in the back office: the doors of a rally, create them, edit one
(with a picture and a preview of the door as visitors will see it)."""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from ..auth.decorators import staff_required
from ..extensions import csrf, db
from ..models import AdventDoor, Rally
from ..services import advent
from ..services.advent import AdventError, DoorInput, DoorPage
from ..services.content import render_markdown
from ..services.editing import InvalidInput
from ..services.errors import Problem
from ..services.images import MAX_BYTES
from . import bp
from .advent_forms import NO_SHOP, CalendarForm, DoorForm, door_message
from .routes import actor_id, all_rallies, chosen_rally, now

# The door form's second button: show the door as visitors will, without saving.
PREVIEW = "vorschau"
# A picture of MAX_BYTES plus the form's texts; the app's limit for other forms is lower.
UPLOAD_LIMIT = MAX_BYTES + 256 * 1024


@bp.get("/adventskalender")
@staff_required
def advent_doors() -> str:
    """The chosen rally's doors (number, day, title, shop, open or not), or the button to
    create them."""
    rally = chosen_rally()
    doors = advent.doors_of(rally.id) if rally else []
    return render_template(
        "backoffice/advent.html", rally=rally, rallies=all_rallies(), doors=doors,
        is_open=lambda door: advent.is_open(door, now()), form=CalendarForm(),
    )


@bp.post("/adventskalender/<rally_slug>/anlegen")
@staff_required
def advent_create(rally_slug: str) -> BaseResponse:
    """Create the 24 doors of a rally that has none."""
    rally = db.session.scalars(select(Rally).where(Rally.slug == rally_slug)).first()
    if rally is None:
        abort(404)
    form = CalendarForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        advent.create_calendar(rally_id=rally.id, now=now(), actor_id=actor_id())
    except AdventError:
        flash(_("„%(name)s“ hat schon einen Adventskalender.", name=rally.name), "error")
    else:
        flash(_("Der Adventskalender von „%(name)s“ hat jetzt 24 Türchen. Bitte füllen Sie "
                "sie vor ihrem Tag.", name=rally.name), "ok")
    return redirect(url_for("backoffice.advent_doors", rally=rally.slug), code=303)


def door_form(door: AdventDoor, form: DoorForm | None = None) -> DoorForm:
    """The door's form (from the request, or filled from the door) with the rally's shops."""
    if form is None:
        form = DoorForm(data={
            "opens_on": door.opens_on, "title": door.title, "body": door.body,
            "image_alt": door.image_alt, "shop_id": door.shop_id or NO_SHOP,
            "offer": door.offer, "daily_draw": door.daily_draw,
        })
    form.shop_id.choices = [SelectChoice(NO_SHOP, _("Kein Geschäft"))] + [
        SelectChoice(shop.id, shop.name) for shop in advent.rally_shops(door.rally_id)
    ]
    return form


def door_input(form: DoorForm) -> DoorInput:
    """The service's input from the form, texts trimmed and with Unix line ends."""
    return DoorInput(
        opens_on=form.opens_on.data,
        title=(form.title.data or "").strip(),
        body=(form.body.data or "").strip().replace("\r\n", "\n"),
        image_alt=(form.image_alt.data or "").strip(),
        shop_id=form.shop_id.data or None,
        offer=(form.offer.data or "").strip().replace("\r\n", "\n"),
        daily_draw=bool(form.daily_draw.data),
    )


def attach_problems(form: DoorForm, problems: list[Problem]) -> list[str]:
    """Put each refusal on its field; return the messages without a field."""
    loose = []
    for problem in problems:
        message = door_message(problem.field, problem.code, problem.context)
        if problem.field in form:
            form[problem.field].errors = [*form[problem.field].errors, message]
        else:
            loose.append(message)
    return loose


def render_door_form(door: AdventDoor, form: DoorForm, **extra: Any) -> str:
    """The edit page of ``door``."""
    extra.setdefault("loose", [])
    return render_template("backoffice/advent_door.html", door=door, form=form,
                           is_open=advent.is_open(door, now()), **extra)


def preview(door: AdventDoor, form: DoorForm) -> str:
    """The form as typed and, below it, the door as visitors will see it; nothing saved.

    A picture chosen in the form is not shown (it is only stored when saving); the saved
    one is, unless "Bild entfernen" is ticked.
    """
    values = door_input(form)
    shops = {shop.id: shop for shop in advent.rally_shops(door.rally_id)}
    shown = AdventDoor(
        rally_id=door.rally_id, number=door.number, opens_on=values.opens_on or door.opens_on,
        title=values.title, body=values.body, offer=values.offer, daily_draw=values.daily_draw,
        image_alt=values.image_alt,
    )
    # A transient door, never added to the session: it only feeds the template.
    shown.shop = shops.get(values.shop_id) if values.shop_id else None
    shown.image = None if form.remove_picture.data else door.image
    page = DoorPage(door=shown, body_html=render_markdown(values.body), draw=None)
    new_picture = bool(form.picture.data and getattr(form.picture.data, "filename", ""))
    return render_door_form(door, form, preview=page, new_picture=new_picture)


@bp.route("/adventskalender/tuerchen/<int:door_id>", methods=["GET", "POST"])
@csrf.exempt  # checked here, after the upload limit is raised for this one form
def advent_door_edit(door_id: int) -> BaseResponse | tuple[str, int] | str:
    """Edit one door; "Vorschau" shows it as visitors will see it without saving.

    As everywhere, the CSRF token is checked before the access rules.
    """
    if request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT
        csrf.protect()
    return edit_door_page(door_id)


@staff_required
def edit_door_page(door_id: int) -> BaseResponse | tuple[str, int] | str:
    """The edit page of a door, and saving or previewing its form."""
    door = db.session.get(AdventDoor, door_id)
    if door is None:
        abort(404)
    if request.method == "GET":
        return render_door_form(door, door_form(door))
    form = door_form(door, DoorForm())
    if request.form.get("aktion") == PREVIEW:
        return preview(door, form)
    if not form.validate_on_submit():
        return render_door_form(door, form), 400
    upload = form.picture.data
    picture = upload.read() if upload and getattr(upload, "filename", "") else None
    try:
        saved = advent.edit_door(
            door_id=door.id, values=door_input(form), picture=picture,
            remove_picture=bool(form.remove_picture.data), now=now(), actor_id=actor_id(),
        )
    except InvalidInput as error:  # rolled back: ``door`` reloads its saved values
        loose = attach_problems(form, error.problems)
        return render_door_form(door, form, loose=loose), 400
    flash(_("Türchen %(number)d ist gespeichert.", number=saved.number), "ok")
    return redirect(url_for("backoffice.advent_doors", rally=saved.rally.slug), code=303)
