"""The office staff's back office: dashboard, rallies, shops, cards, entries, draws."""

from flask import Blueprint

bp = Blueprint("backoffice", __name__, url_prefix="/buero", template_folder="templates")

from . import routes  # noqa: E402,F401,I001  (registers the views on bp)
from . import draws  # noqa: E402,F401
from . import cards, dashboard, rallies, shops  # noqa: E402,F401
