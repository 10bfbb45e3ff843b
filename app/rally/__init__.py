"""The shopper's pages: scan, stamp, card, recovery, shop directory, and the card offline."""

from flask import Blueprint

bp = Blueprint("rally", __name__, template_folder="templates")

from . import advent, card_mail, offline, routes  # noqa: E402,F401  (registers the views on bp)
