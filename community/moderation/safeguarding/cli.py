"""``flask safeguarding escalate``: email the moderators about cases nobody took in time, and take untaken
cases up the safeguarding leads' ladder (tier 1, then tier 2). Run it every few minutes from cron or a systemd
timer; it is idempotent (each step is taken, and told, once)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from community.moderation.safeguarding import escalation

group = AppGroup("safeguarding", help="Safeguarding cases.")


@group.command("escalate")
def escalate_command() -> None:
    """Email the group's moderators about open cases nobody has taken within SAFEGUARDING_EMAIL_AFTER_MINUTES,
    and tell the safeguarding leads on call about cases nobody took within the group's response time."""
    count = escalation.escalate()
    click.echo(f"Escalated {count} case(s).")
    steps = escalation.escalate_to_leads()
    click.echo(f"Told the safeguarding leads {steps} time(s).")


def register(app: Flask) -> None:
    app.cli.add_command(group)
