"""The office's texts: load the shipped defaults of what is missing."""

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import clock
from ..extensions import db
from ..services.office_texts import load_defaults


def load_texts() -> int:
    """Store the missing office texts (never one that exists); how many were added."""
    added = load_defaults(current_app.config["OFFICE"], clock.utcnow())
    db.session.commit()
    return added


@click.group("content")
def content_group() -> None:
    """The office's texts (home page, contact, legal pages, Leichte Sprache, services)."""


@content_group.command("load")
@with_appcontext
def content_load() -> None:
    """Load the shipped texts that are missing; edited texts stay as they are."""
    added = load_texts()
    click.echo(f"Texte des Büros: {added} neu geladen, alle anderen unverändert.")
