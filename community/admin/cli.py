"""`flask` commands for operators: the first admin's setup link, the demo community, audit verification."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from community.admin.demo import DemoRefused, seed_demo
from community.attachments.storage import sweep_orphan_files
from community.auth import services as auth_services
from community.core.audit import verify_chain
from community.core.errors import DomainError
from community.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("setup-link")
    def setup_link() -> None:
        """Print a one-time link for creating the first admin (only while no admin exists)."""
        token = auth_services.issue_setup_token()
        if token is None:
            click.echo(f"Sign in at {current_app.config['BASE_URL']}/login")
            return
        db.session.commit()
        minutes = current_app.config["SETUP_TOKEN_MINUTES"]
        click.echo("No admin account exists yet. Open this one-time link to create yours")
        click.echo(f"(valid {minutes // 60} hours, works once):")
        click.echo(f"\n    {current_app.config['BASE_URL']}/setup/{token}\n")

    @app.cli.command("demo")
    def demo() -> None:
        """Seed a believable demo community. Safe to run twice; refused under the production configuration."""
        try:
            report = seed_demo()
        except DemoRefused as refusal:
            raise click.ClickException(str(refusal)) from refusal
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(f"The demo could not be created: {error.message}") from error
        for line in report:
            click.echo(line)

    audit_group = AppGroup("audit", help="The append-only audit log.")

    @audit_group.command("verify")
    def audit_verify() -> None:
        """Recompute the hash chain; exit 1 if an entry was changed, inserted or removed."""
        result = verify_chain()
        if result.ok:
            click.echo(f"Audit log intact: {result.checked} entries checked.")
            return
        click.echo(f"Audit log broken at entry {result.first_bad_id}: {result.problem}.", err=True)
        raise SystemExit(1)

    app.cli.add_command(audit_group)

    images_group = AppGroup("images", help="Files shared in posts and chat messages.")

    @images_group.command("sweep")
    @click.option("--grace-seconds", default=3600, show_default=True, help="Leave files younger than this.")
    def images_sweep(grace_seconds: int) -> None:
        """Remove files whose post, message, topic or group was deleted (safe to run from cron)."""
        removed = sweep_orphan_files(grace_seconds=grace_seconds)
        click.echo(f"Removed {removed} file(s) no post or message refers to any more.")

    app.cli.add_command(images_group)
