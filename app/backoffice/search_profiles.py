"""The founders' search profiles in the back office: the active ones with the listings
they were matched with, and closing one. Staff and admins only (``staff_required``);
the domain work is in app.services.search_profile_desk.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import SearchProfile
from ..services import search_profile_desk
from ..services.editing import EditError
from . import bp
from .listing_forms import ListingActionForm, listing_message
from .listings import helpers
from .routes import actor_id, now

# ---------------------------------------------------------------------------
# Search profiles
# ---------------------------------------------------------------------------


@bp.get("/suchprofile")
@staff_required
def search_profiles() -> str:
    """The active search profiles with the listings they were matched with."""
    return render_template("backoffice/search_profiles.html",
                           rows=search_profile_desk.profiles_with_matches("active"),
                           form=ListingActionForm(), **helpers())


@bp.post("/suchprofile/<int:search_profile_id>/schliessen")
@staff_required
def search_profile_close(search_profile_id: int) -> BaseResponse:
    """Close a profile: the founder found a space or no longer looks."""
    db.get_or_404(SearchProfile, search_profile_id)
    if not ListingActionForm().validate_on_submit():
        abort(400)
    try:
        search_profile_desk.close_profile(profile_id=search_profile_id, now=now(),
                                          actor_id=actor_id())
    except EditError as error:
        flash(listing_message("", error.code, error.context), "error")
    else:
        flash(_("Das Suchprofil ist geschlossen."), "ok")
    return redirect(url_for("backoffice.search_profiles"), code=303)
