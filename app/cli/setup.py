"""Setting up an instance: the database, the demo, a backup."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .. import clock
from ..private_files import create_sqlite_database
from ..services.backup import make_backup
from ..services.demo import load_demo
from ..services.errors import DomainError
from .common import failure
from .content import load_texts


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the database schema to the newest revision."""
    # The app made the SQLite file at start-up; should it have gone since, it is made
    # again for the app's user only (0600) rather than by SQLite with the umask's mode.
    create_sqlite_database(current_app.config["SQLALCHEMY_DATABASE_URI"])
    upgrade()
    click.echo("Datenbank ist auf dem neuesten Stand.")
    # The office's texts a fresh install lacks; texts staff edited stay as they are.
    click.echo(f"Texte des Büros: {load_texts()} neu geladen.")


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


@click.command("backup")
@with_appcontext
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Target file (default: instance/backups/rallye-<time>.*).")
def backup(out: Path | None) -> None:
    """Make a consistent copy of the running database."""
    try:
        target = make_backup(
            current_app.config["SQLALCHEMY_DATABASE_URI"],
            Path(current_app.instance_path) / "backups",
            clock.local(clock.utcnow()),
            out,
        )
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"Sicherung geschrieben: {target}")
