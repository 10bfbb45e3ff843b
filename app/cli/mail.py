"""The outbox: send what is due (and queue the reminders that are due first)."""

import click
from flask.cli import with_appcontext

from .. import clock
from ..services import appointments, events, listing_freshness, mail


@click.group("outbox")
def outbox_group() -> None:
    """The outbox of e-mails."""


@outbox_group.command("send")
@click.option("--limit", default=100, show_default=True, help="Mails per run at most.")
@with_appcontext
def outbox_send(limit: int) -> None:
    """Send the mails that are due (run every minute by a timer; see docs/deploy.md)."""
    now = clock.utcnow()
    appointments.queue_due_reminders(now)
    events.process_due(now)
    listing_freshness.process_due(now)
    report = mail.deliver(now=now, limit=limit)
    click.echo(
        f"Gesendet: {len(report.sent)}, später erneut: {len(report.retrying)}, "
        f"aufgegeben: {len(report.failed) + len(report.stale)}."
    )
