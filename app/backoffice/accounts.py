"""Shopkeepers' accounts on the shop's page: invite, new invitation, disable, enable,
withdraw an invitation. Staff never see or set a password; the link of a new invitation
is shown once, on the page that answers the invitation, to pass on."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import Invitation, Rally, Shop, User
from ..services import accounts as account_service
from ..services.accounts import AccountError
from . import bp
from .account_forms import InviteForm, account_message
from .forms import ButtonForm
from .routes import actor_id, now
from .shops import rally_by_slug, shop_page

SECTION = "zugaenge"  # the accounts section's id on the shop page


def origin_rally() -> Rally | None:
    """The rally the shop page was opened from (``?rally=slug``), for its way back."""
    slug = request.args.get("rally")
    return rally_by_slug(slug) if slug else None


def shop_url(shop_id: int) -> str:
    """The shop's page at its accounts section, keeping the rally it came from."""
    return url_for("backoffice.shop_edit", shop_id=shop_id, rally=request.args.get("rally"),
                   _anchor=SECTION)


def shopkeeper_or_404(user_id: int) -> User:
    """A shopkeeper's account, or 404 (staff accounts are not managed here)."""
    account = db.session.get(User, user_id)
    if account is None or account.role != "shopkeeper" or account.shop_id is None:
        abort(404)
    return account


def checked_button() -> None:
    """400 unless the button's form came with a valid CSRF token."""
    if not ButtonForm().validate_on_submit():
        abort(400)


@bp.post("/geschaefte/<int:shop_id>/einladen")
@staff_required
def account_invite(shop_id: int) -> tuple[str, int]:
    """Invite an address for the shop; the answer shows the link once."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        abort(404)
    rally = origin_rally()
    form = InviteForm()
    if not form.validate_on_submit():
        return shop_page(shop, rally, 400, invite_form=form)
    try:
        issued = account_service.invite_shopkeeper(shop_id=shop.id, email=form.email.data or "",
                                                   now=now(), actor_id=actor_id())
    except AccountError as error:
        form.email.errors = [account_message(error.code, error.context)]
        return shop_page(shop, rally, 400, invite_form=form)
    return shop_page(shop, rally, issued=issued)


@bp.post("/zugaenge/<int:user_id>/neue-einladung")
@staff_required
def account_renew(user_id: int) -> BaseResponse | tuple[str, int]:
    """A new invitation for an account whose password is forgotten; shows the link once."""
    account = shopkeeper_or_404(user_id)
    checked_button()
    try:
        issued = account_service.renew_account(user_id=account.id, now=now(),
                                               actor_id=actor_id())
    except AccountError as error:
        flash(account_message(error.code, error.context), "error")
        return redirect(shop_url(account.shop_id or 0), code=303)
    return shop_page(issued.invitation.shop, origin_rally(), issued=issued)


def switch_account(user_id: int, active: bool) -> BaseResponse:
    """Switch a shopkeeper's account on or off and go back to the shop's accounts."""
    account = shopkeeper_or_404(user_id)
    checked_button()
    if active:
        account_service.enable_account(user_id=account.id, now=now(), actor_id=actor_id())
        flash(_("Der Zugang %(email)s ist wieder freigeschaltet und meldet sich mit seinem "
                "bisherigen Passwort an.", email=account.email), "ok")
    else:
        account_service.disable_account(user_id=account.id, now=now(), actor_id=actor_id())
        flash(_("Der Zugang %(email)s ist gesperrt: Anmelden geht nicht mehr, und wer "
                "angemeldet war, ist abgemeldet.", email=account.email), "ok")
    return redirect(shop_url(account.shop_id or 0), code=303)


@bp.post("/zugaenge/<int:user_id>/sperren")
@staff_required
def account_disable(user_id: int) -> BaseResponse:
    """Switch an account off: no login, its sessions end, its open invitations too."""
    return switch_account(user_id, False)


@bp.post("/zugaenge/<int:user_id>/entsperren")
@staff_required
def account_enable(user_id: int) -> BaseResponse:
    """Switch a disabled account on again (its password stays what it was)."""
    return switch_account(user_id, True)


@bp.post("/einladungen/<int:invitation_id>/zurueckziehen")
@staff_required
def invitation_revoke(invitation_id: int) -> BaseResponse:
    """Withdraw an open invitation; its link stops working."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    checked_button()
    try:
        account_service.revoke_invitation(invitation_id=invitation.id, now=now(),
                                          actor_id=actor_id())
    except AccountError as error:
        flash(account_message(error.code, error.context), "error")
    else:
        flash(_("Die Einladung für %(email)s ist zurückgezogen; ihr Link gilt nicht mehr.",
                email=invitation.email), "ok")
    return redirect(shop_url(invitation.shop_id), code=303)
