"""Privacy: the member's privacy page, export, erasure, retention, the access log, the register of processing."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("privacy", __name__)

from community.privacy import admin_routes, routes  # noqa: E402,F401


def register_cli(app: Flask) -> None:
    from community.privacy import cli

    cli.register(app)
