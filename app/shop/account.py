"""The shopkeeper's own access: changing the password (``/laden/konto``)."""

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..auth.forms import PasswordChangeForm
from ..auth.password_change import apply_password_change
from . import bp


def account_page(form: PasswordChangeForm, status: int = 200) -> tuple[str, int]:
    """The page with the password form."""
    return render_template("shop/account.html", form=form), status


@bp.get("/konto")
def account() -> tuple[str, int]:
    """Own access: the form to change the password."""
    return account_page(PasswordChangeForm(formdata=None))


@bp.post("/konto/passwort")
def account_password() -> BaseResponse | tuple[str, int]:
    """Change the own password (the current one first); other devices are logged out."""
    form = PasswordChangeForm()
    status = apply_password_change(form)
    if status is not None:
        return account_page(form, status)
    return redirect(url_for("shop.account"), code=303)
