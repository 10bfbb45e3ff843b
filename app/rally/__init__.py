"""The shopper's pages: scan, stamp, card, recovery, shop directory."""

from flask import Blueprint

bp = Blueprint("rally", __name__, template_folder="templates")

from . import advent, routes  # noqa: E402,F401  (register the views on bp)
