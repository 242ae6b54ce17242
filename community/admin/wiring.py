"""Wiring for admin, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_socketio import SocketIO

from community.admin import bp, cli, helpdesk, helplines, policy, routes  # noqa: F401  (their views register on bp)
from community.core import layout


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.register_blueprint(bp)
    layout.register(
        layout.NavEntry(
            "admin", _l("Admin"), "admin.overview", 100, layout.on_blueprint("admin"), policy.can_use_admin_area
        )
    )
    cli.register(app)
