"""flask notifications prune | send-mail | send-push | send-digests: each safe to run from cron, and to run twice
at once."""

from __future__ import annotations

import click

from community.extensions import db
from community.notifications import bp, outbox, push, services


@bp.cli.command("prune")
def prune_command() -> None:
    """Remove notifications (and finished emails and pushes, digest records) older than NOTIFICATIONS_KEEP_DAYS."""
    removed = services.prune()
    db.session.commit()
    click.echo(f"Removed {removed['notifications']} notifications, {removed['emails']} finished emails, "
               f"{removed['pushes']} finished pushes and {removed['digest_runs']} digest records.")  # fmt: skip


@bp.cli.command("send-mail")
@click.option("--limit", default=200, show_default=True, help="Emails to try in this run.")
def send_mail_command(limit: int) -> None:
    """Send the emails that are due; failed ones are retried later with a growing pause."""
    report = outbox.send_due(limit=max(1, limit))
    click.echo(f"Sent {report.sent}, will retry {report.retried}, failed {report.failed}, skipped {report.skipped}.")


@bp.cli.command("send-push")
@click.option("--limit", default=200, show_default=True, help="Pushes to try in this run.")
def send_push_command(limit: int) -> None:
    """Send the pushes that are due (after quiet hours, or to retry); failed ones are retried with a growing pause."""
    report = push.send_due(limit=max(1, limit))
    click.echo(f"Sent {report.sent}, will retry {report.retried}, failed {report.failed}, skipped {report.skipped}; "
               f"removed {report.removed} devices their push service no longer knows.")  # fmt: skip


@bp.cli.command("send-digests")
@click.option("--period", type=click.Choice(outbox.PERIODS), required=True)
def send_digests_command(period: str) -> None:
    """Queue this period's digest for every member who chose it (once per member and period), then send them
    with `flask notifications send-mail`."""
    report = outbox.send_digests(period)
    click.echo(f"Queued {report.sent} {period} digests; {report.already} were already done for this period.")
