"""The shopkeepers' portal at /laden: the own shop's figures, posters, code and live mode."""

from flask import Blueprint

from ..auth.decorators import shopkeepers_only
from ..security import mark_no_store

bp = Blueprint("shop", __name__, url_prefix="/laden", template_folder="templates")
# Every portal page shows the shop's own data or its secret codes: never kept by a cache.
bp.before_request(mark_no_store)
# Only the shop's own accounts, for every view of the blueprint (see shopkeepers_only).
bp.before_request(shopkeepers_only)

from . import routes  # noqa: E402,F401,I001  (registers the views on bp)
from . import account  # noqa: E402,F401  (the shopkeeper's own access, /laden/konto)
