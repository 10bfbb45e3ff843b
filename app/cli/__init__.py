"""Command line: ``flask --app wsgi ...`` or the ``rallye`` console script.

One module per area; ``init_app`` registers every command on the app.
"""

from flask import Flask
from flask.cli import FlaskGroup

from .accounts import user
from .content import content_group
from .draws import draw_group
from .mail import outbox_group
from .privacy import privacy_group, purge
from .setup import backup, demo, init_db
from .stations import qr_group, station_group


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(init_db)
    app.cli.add_command(demo)
    app.cli.add_command(user)
    app.cli.add_command(qr_group)
    app.cli.add_command(station_group)
    app.cli.add_command(draw_group)
    app.cli.add_command(backup)
    app.cli.add_command(purge)
    app.cli.add_command(privacy_group)
    app.cli.add_command(outbox_group)
    app.cli.add_command(content_group)


def main() -> None:
    """Entry point of the ``rallye`` console script."""
    from .. import create_app

    FlaskGroup(create_app=create_app)()
