"""Mutes and suspensions for a period end by themselves: ``flask moderation lift-expired`` (run it from cron,
every few minutes) puts such memberships back to active, audits each one, and tells the member."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from community.core import audit, jobs
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Membership
from community.moderation.models import ModerationAction
from community.notifications import services as notifications

BATCH = 500


@jobs.job("moderation.lift-expired", every=timedelta(minutes=5))
def lift_expired(now: datetime | None = None) -> int:
    """End every mute or suspension whose ``state_until`` has passed (in batches); returns how many."""
    now = now or utcnow()
    lifted = 0
    while True:
        rows = list(
            db.session.scalars(
                select(Membership)
                .where(Membership.state.in_(("muted", "suspended")), Membership.state_until.isnot(None))
                .where(Membership.state_until <= now)
                .order_by(Membership.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        if not rows:
            return lifted
        for membership in rows:
            previous = membership.state
            membership.state, membership.state_until = "active", None
            row = ModerationAction(
                group_id=membership.group_id, actor_id=None, subject_id=membership.user_id, action="sanction_ended",
                target_type="user", target_id=membership.user_id, reason="", created_at=now,
            )  # fmt: skip
            db.session.add(row)
            db.session.flush()
            audit.record(
                "moderation.sanction_ended", actor_id=None, target_type="user", target_id=membership.user_id,
                group_id=membership.group_id, details={"previous_state": previous, "moderation_action_id": row.id},
            )  # fmt: skip
            notifications.notify(
                [membership.user_id], kind="moderation_outcome", actor_id=None, group_id=None,
                target_type="moderation_action", target_id=row.id,
            )  # fmt: skip
            lifted += 1
        db.session.commit()


def register_cli(app: Flask) -> None:
    group = AppGroup("moderation", help="Moderation upkeep.")

    @group.command("lift-expired")
    def lift_expired_command() -> None:
        """End mutes and suspensions whose time is up."""
        count = lift_expired()
        click.echo(f"{count} mutes or suspensions ended.")

    app.cli.add_command(group)
