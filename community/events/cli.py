"""flask events send-reminders: safe to run from cron (or the scheduled jobs), and to run twice at once."""

from __future__ import annotations

import click

from community.core.time import utcnow
from community.events import bp, reminders
from community.extensions import db


@bp.cli.command("send-reminders")
def send_reminders_command() -> None:
    """Remind whoever answered yes or maybe, EVENT_REMINDER_HOURS before the event starts (once each)."""
    count = reminders.send_due_reminders(utcnow())
    db.session.commit()
    click.echo(f"Reminded {count} people of events coming up.")
