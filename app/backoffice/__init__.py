"""The office staff's back office: dashboard, rallies, shops, cards, entries, draws."""

from flask import Blueprint

from ..security import mark_no_store

bp = Blueprint("backoffice", __name__, url_prefix="/buero", template_folder="templates")
# Every back-office page shows staff data: never kept by a browser or proxy.
bp.before_request(mark_no_store)

from . import routes  # noqa: E402,F401,I001  (registers the views on bp)
from . import draws  # noqa: E402,F401
from . import accounts, advent, cards, dashboard, rallies, review, shops  # noqa: E402,F401
from . import privacy  # noqa: E402,F401
from . import own_account  # noqa: E402,F401  (the staff member's own access, /buero/konto)
from . import appointment_settings, appointments  # noqa: E402,F401
from . import outbox  # noqa: E402,F401
from . import events  # noqa: E402,F401
from . import news  # noqa: E402,F401  (the news, /buero/aktuelles)
from . import successors  # noqa: E402,F401  (the Nachfolgebörse and the inquiries)
from . import texts  # noqa: E402,F401  (the office's texts, /buero/texte)
from . import translations  # noqa: E402,F401  (staff's translations, /buero/uebersetzungen)
from . import listings  # noqa: E402,F401  (the Leerstandsbörse, /buero/leerstand)
from . import listing_media, search_profiles  # noqa: E402,F401  (photos, floor plan; profiles)
from . import dgs  # noqa: E402,F401  (the sign-language video, /buero/gebaerdensprache)
from . import survey_invitations  # noqa: E402,F401  (a survey's links, mails, letters)
from . import surveys  # noqa: E402,F401  (the needs surveys' editor, /buero/umfragen)
from . import survey_results  # noqa: E402,F401  (a survey's results, CSV and report)
