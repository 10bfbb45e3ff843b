"""Login, logout and re-authentication of staff (filled in by the auth work)."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/anmelden/bestaetigen", methods=["GET", "POST"])
def reauthenticate() -> str:
    """Ask a logged-in user for the password again (placeholder until the auth work)."""
    return ""
