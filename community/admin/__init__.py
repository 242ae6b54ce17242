"""Operator tools. ``admin`` owns no rules: it calls the other features' services."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from community.admin import cli

    cli.register(app)
