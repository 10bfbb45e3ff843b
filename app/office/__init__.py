"""The office's public face: home page, services, legal pages."""

from flask import Blueprint

bp = Blueprint("office", __name__, template_folder="templates")

from . import (  # noqa: E402,F401  (register the views on bp)
    appointments,
    dgs,
    event_links,
    events,
    images,
    listings,
    news,
    routes,
    successors,
    surveys,
)
