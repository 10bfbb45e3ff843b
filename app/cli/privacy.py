"""Personal data: the purge, and one person's export and deletion."""

import json

import click
from flask.cli import with_appcontext

from .. import clock
from ..services import privacy
from ..services.errors import DomainError
from .common import failure


@click.command("purge")
@with_appcontext
def purge() -> None:
    """Delete or anonymise the personal data past its retention (run daily)."""
    for item in privacy.purge(now=clock.utcnow()):
        click.echo(f"{item.kind.label}: {item.count} {item.kind.done} "
                   f"(Frist: {privacy.retention(item.kind)}).")


@click.group("privacy")
def privacy_group() -> None:
    """Export or delete what the app holds about one e-mail address."""


@privacy_group.command("export")
@click.option("--email", required=True, help="The person's e-mail address.")
@with_appcontext
def privacy_export(email: str) -> None:
    """Print everything held about an address as JSON."""
    try:
        data = privacy.export(email, now=clock.utcnow())
    except DomainError as error:
        raise failure(error) from error
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@privacy_group.command("delete")
@click.option("--email", required=True, help="The person's e-mail address.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def privacy_delete(email: str, yes: bool) -> None:
    """Delete or anonymise everything held about an address."""
    try:
        address = privacy.normalise_email(email)
    except DomainError as error:
        raise failure(error) from error
    found = privacy.held(address)
    if not found:
        click.echo(f"Zu {address} ist nichts gespeichert.")
        return
    for key, records in found.items():
        click.echo(f"{privacy.KIND_BY_KEY[key].label}: {len(records)}")
    if not yes:
        click.confirm(f"Diese Daten zu {address} löschen?", abort=True)
    for item in privacy.delete(address, now=clock.utcnow()):
        click.echo(f"{item.kind.label}: {item.count} {item.kind.done}.")
