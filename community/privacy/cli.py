"""flask privacy build-exports | flask privacy verify-access-log | flask retention run [--dry-run] | set-group."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from community.auth.models import User
from community.core.errors import DomainError
from community.extensions import db
from community.groups import access_log
from community.groups.models import Group
from community.privacy import export, retention


def register(app: Flask) -> None:
    privacy = AppGroup("privacy", help="Data exports and the access log.")
    retention_group = AppGroup("retention", help="Delete old chat messages and posts by each group's period.")

    @privacy.command("build-exports")
    def build_exports() -> None:
        """Build queued exports and delete expired ones. Safe to run from cron every few minutes."""
        built, expired = export.build_queued()
        click.echo(f"Exports built: {built}; expired and deleted: {expired}.")

    @privacy.command("verify-access-log")
    def verify_access_log() -> None:
        report = access_log.verify()
        if report.ok:
            click.echo(f"Access log intact: {report.checked} entries checked.")
        else:
            raise click.ClickException(f"Access log entry {report.first_bad_id}: {report.problem}.")

    @retention_group.command("run")
    @click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
    def run(dry_run: bool) -> None:
        """Delete what is older than each group's retention period (idempotent, batched)."""
        try:
            outcomes = retention.run(dry_run=True) if dry_run else retention.run_scheduled()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        verb = "would delete" if dry_run else "deleted"
        for item in outcomes:
            if not (item.chat_days or item.posts_days):
                click.echo(f"{item.slug}: no retention period; nothing to delete.")
                continue
            periods = f"chat {item.chat_days or '-'} days, posts {item.posts_days or '-'} days"
            click.echo(f"{item.slug}: {verb} {item.messages} chat messages, {item.posts} replies, "
                       f"{item.topics} topics ({periods}).")  # fmt: skip

    @retention_group.command("set-group")
    @click.argument("slug")
    @click.option("--chat-days", type=int, default=None)
    @click.option("--posts-days", type=int, default=None)
    @click.option("--admin", "admin_username", required=True, help="The admin account making the change.")
    def set_group(slug: str, chat_days: int | None, posts_days: int | None, admin_username: str) -> None:
        """Set a group's retention periods (days, at least 1; leave out to use the instance default)."""
        group = db.session.scalar(select(Group).where(Group.slug == slug))
        admin = db.session.scalar(select(User).where(User.username_key == admin_username.casefold()))
        if group is None or admin is None:
            raise click.ClickException("No such group or admin account.")
        try:
            retention.set_group_retention(admin, group, chat_days=chat_days, posts_days=posts_days)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        click.echo(f"{slug}: chat {chat_days or 'default'} days, posts {posts_days or 'default'} days.")

    app.cli.add_command(privacy)
    app.cli.add_command(retention_group)
