"""QR codes and stations: export the print set, replace a code, printed or live."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import clock
from ..services.errors import DomainError
from ..services.printset import export_print_set
from ..services.stations import rotate_station, set_station_mode, station_of
from .common import failure


@click.group("qr")
def qr_group() -> None:
    """QR codes and posters."""


@qr_group.command("export")
@with_appcontext
@click.option("--rally", "rally_slug", default=None, help="Rally slug (default: current).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Target directory (default: qr_codes/<rally-slug>/).")
@click.option("--base-url", default=None, help="Public address (default: BASE_URL).")
@click.option("--format", "paper", type=click.Choice(["a4", "a5"]), default="a4",
              show_default=True, help="Poster paper size.")
def qr_export(rally_slug: str | None, out: Path | None, base_url: str | None, paper: str) -> None:
    """Write SVG, PNG and branded PNG per shop and one PDF with all posters."""
    try:
        result = export_print_set(
            rally_slug=rally_slug,
            out=out,
            base_url=base_url or current_app.config["BASE_URL"],
            paper=paper,
            office=current_app.config["OFFICE"],
            default_root=Path(current_app.root_path).parent / "qr_codes",
            now=clock.utcnow(),
        )
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"{len(result.files)} Dateien für „{result.rally.name}“ in {result.directory}")


@qr_group.command("rotate")
@with_appcontext
@click.argument("shop_slug")
@click.option("--rally", "rally_slug", default=None, help="Rally slug (default: current).")
def qr_rotate(shop_slug: str, rally_slug: str | None) -> None:
    """Give a shop a new QR code and short code; the old poster stops working."""
    try:
        station = rotate_station(shop_slug=shop_slug, rally_slug=rally_slug, now=clock.utcnow())
    except DomainError as error:
        raise failure(error) from error
    base = current_app.config["BASE_URL"]
    click.echo(f"Neuer Code für {station.shop.name}: {station.short_code}")
    click.echo(f"  {base}/s/{station.token}")
    click.echo("Bitte das neue Plakat drucken (flask --app wsgi qr export).")




@click.group("station")
def station_group() -> None:
    """A shop's station in a rally."""


# What each mode means, for the command's answer.
MODE_TEXT = {
    "live": "stempelt nur noch mit dem Code der Live-Anzeige an der Kasse (/laden/live); "
            "das Plakat allein stempelt nicht mehr.",
    "printed": "stempelt wieder mit dem gedruckten Plakat.",
}


@station_group.command("mode")
@with_appcontext
@click.argument("shop_slug")
@click.argument("mode", type=click.Choice(["live", "printed"]))
@click.option("--rally", "rally_slug", default=None, help="Rally slug (default: current).")
def station_mode(shop_slug: str, mode: str, rally_slug: str | None) -> None:
    """Switch a shop's station between the printed poster and live codes at the counter."""
    now = clock.utcnow()
    try:
        station = station_of(shop_slug=shop_slug, rally_slug=rally_slug, now=now)
        station = set_station_mode(station_id=station.id, mode=mode, now=now)
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"{station.shop.name} ({station.rally.name}) {MODE_TEXT[station.mode]}")
