"""flask forum publish-scheduled: safe to run from cron (or the scheduled jobs), and to run twice at once."""

from __future__ import annotations

import click

from community.core.time import utcnow
from community.extensions import db
from community.forum import bp, coach


@bp.cli.command("publish-scheduled")
def publish_scheduled_command() -> None:
    """Tell the groups of scheduled announcements whose time has come (they show by themselves; this sends the
    notifications, once each)."""
    count = coach.publish_due(utcnow())
    db.session.commit()
    click.echo(f"Announced {count} scheduled announcements.")
