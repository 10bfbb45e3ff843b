"""Read-only JSON API, version 1, described by ``openapi.json``."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import routes  # noqa: E402,F401  (registers the views on bp)
