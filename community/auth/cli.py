"""flask auth rotate-two-factor-keys: re-encrypt the two-step sign-in secrets with the first of TWO_FACTOR_KEYS."""

from __future__ import annotations

import click

from community.auth import bp, two_factor_keys


@bp.cli.command("rotate-two-factor-keys")
def rotate_two_factor_keys_command() -> None:
    """Re-encrypt every two-step sign-in secret with the first key in TWO_FACTOR_KEYS. Run it after putting a new
    key first; drop the old key only once this reports nothing unreadable. Safe to run twice."""
    report = two_factor_keys.rotate_all()
    click.echo(f"Re-encrypted {report.rotated} two-step sign-in secret(s) with the first key in TWO_FACTOR_KEYS.")
    if report.unreadable:
        click.echo(
            f"{report.unreadable} secret(s) could not be decrypted with any key in TWO_FACTOR_KEYS and were left "
            "as they are: add the key they were made with (second or later in the list), then run this again.",
            err=True,
        )
        raise SystemExit(1)
