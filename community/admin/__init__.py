"""Operator and admin tools. ``admin`` owns no rules: it calls the other features' services."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")

from community.admin import routes  # noqa: E402,F401


def register_cli(app: Flask) -> None:
    from community.admin import cli

    cli.register(app)
