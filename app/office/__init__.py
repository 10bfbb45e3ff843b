"""The office's public face: home page, services, legal pages."""

from flask import Blueprint

bp = Blueprint("office", __name__, template_folder="templates")

from . import appointments, events, images, routes  # noqa: E402,F401,I001  (register the views on bp)
from . import successors  # noqa: E402,F401  (the Nachfolgebörse)
