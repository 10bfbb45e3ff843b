"""Command line: ``flask --app wsgi ...`` or the ``rallye`` console script."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from . import clock
from .services.demo import load_demo
from .services.users import UserError, create_user

USER_ERRORS = {
    "bad_role": "Unbekannte Rolle.",
    "short_password": "Das Passwort braucht mindestens 12 Zeichen.",
    "email_taken": "Für diese E-Mail-Adresse gibt es schon ein Konto.",
    "shop_required": "Ladeninhaber-Konten brauchen --shop SLUG.",
    "unknown_shop": "Diesen Laden gibt es nicht.",
}


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the database schema to the newest revision."""
    upgrade()
    click.echo("Datenbank ist auf dem neuesten Stand.")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo (idempotent) and print how to try it."""
    summary = load_demo(clock.utcnow(), Path(current_app.instance_path))
    base = current_app.config["BASE_URL"]
    click.echo(f"Demo: {summary.rally.name}, {len(summary.stations)} Stationen "
               f"({summary.created} neu).")
    click.echo(f"Startseite:      {base}/")
    click.echo(f"Team-Login:      {summary.staff_email} / {summary.staff_password}")
    click.echo("Zum Ausprobieren (im Browser öffnen, dann „Stempel einsammeln“):")
    for station in summary.stations[:3]:
        click.echo(f"  {base}/s/{station.token}   ({station.shop.name}, Code {station.short_code})")


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
    except UserError as error:
        raise click.ClickException(USER_ERRORS[error.code]) from error
    click.echo(f"Konto angelegt: {created.email} ({created.role}).")


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(init_db)
    app.cli.add_command(demo)
    app.cli.add_command(user)


def main() -> None:
    """Entry point of the ``rallye`` console script."""
    from . import create_app

    FlaskGroup(create_app=create_app)()
