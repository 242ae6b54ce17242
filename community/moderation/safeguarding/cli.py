"""``flask safeguarding escalate``: email the moderators about cases nobody took in time. Run it every few
minutes from cron or a systemd timer; it is idempotent (each case is escalated once)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from community.moderation.safeguarding import escalation

group = AppGroup("safeguarding", help="Safeguarding cases.")


@group.command("escalate")
def escalate_command() -> None:
    """Email the group's moderators about open cases nobody has taken within SAFEGUARDING_EMAIL_AFTER_MINUTES."""
    count = escalation.escalate()
    click.echo(f"Escalated {count} case(s).")


def register(app: Flask) -> None:
    app.cli.add_command(group)
