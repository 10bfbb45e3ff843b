"""Accounts: create a login, invite a shopkeeper, switch off two-factor log-in."""

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import clock
from ..services import mail, totp
from ..services.accounts import invitation_path, invite_shopkeeper
from ..services.errors import DomainError
from ..services.users import create_user
from .common import failure


@click.group("user")
def user() -> None:
    """Manage staff and shopkeeper logins."""


@user.command("create")
@with_appcontext
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", default="", help="Display name.")
@click.option(
    "--role",
    type=click.Choice(["admin", "staff", "shopkeeper"]),
    default="staff",
    show_default=True,
)
@click.option("--shop", "shop_slug", default=None, help="Shop slug (shopkeepers only).")
@click.password_option(help="Password (asked for when not given; at least 12 characters).")
def user_create(email: str, name: str, role: str, shop_slug: str | None, password: str) -> None:
    """Create a login."""
    try:
        created = create_user(
            email=email, password=password, role=role, name=name, shop_slug=shop_slug
        )
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"Konto angelegt: {created.email} ({created.role}).")


@user.command("invite")
@with_appcontext
@click.option("--shop", "shop_slug", required=True, help="Slug of the shop.")
@click.option("--email", required=True, help="The shopkeeper's e-mail address.")
def user_invite(shop_slug: str, email: str) -> None:
    """Invite a shopkeeper by mail; prints the single-use link (valid 7 days) on the last
    line, too.

    For an existing account of the shop the link sets a new password.
    """
    try:
        issued = invite_shopkeeper(shop_slug=shop_slug, email=email, now=clock.utcnow())
    except DomainError as error:
        raise failure(error) from error
    invitation = issued.invitation
    until = clock.local(invitation.expires_at).strftime("%d.%m.%Y, %H:%M Uhr")
    kind = "Neues Passwort für" if issued.renewal else "Einladung für"
    sent = mail.deliver(now=clock.utcnow(), ids=[issued.mail.id])
    mailed = ("per E-Mail verschickt" if issued.mail.id in sent.sent
              else "E-Mail wartet im Postausgang")
    click.echo(f"{kind} {invitation.email} ({invitation.shop.name}), {mailed}; gültig bis "
               f"{until}, nur einmal verwendbar:")
    click.echo(current_app.config["BASE_URL"] + invitation_path(issued.token))



@user.command("two-factor-off")
@with_appcontext
@click.option("--email", required=True, help="Login e-mail address.")
def user_two_factor_off(email: str) -> None:
    """Switch off an account's two-factor log-in (phone and recovery codes lost)."""
    try:
        account = totp.disable_by_email(email=email, now=clock.utcnow())
    except DomainError as error:
        raise click.ClickException(f"{email}: kein Konto mit Zwei-Faktor-Anmeldung.") from error
    click.echo(f"Zwei-Faktor-Anmeldung für {account.email} ausgeschaltet; beim nächsten "
               "Anmelden genügt das Passwort (für Admins in Produktion: neu einrichten).")
