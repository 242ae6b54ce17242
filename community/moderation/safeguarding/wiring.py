"""Wiring for safeguarding, called by ``create_app`` before the moderation blueprint is registered (the case
pages are routes on it): the members' blueprint (/help, "I'm worried"), the socket event and the CLI."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_socketio import SocketIO

from community.core import layout
from community.moderation.safeguarding import cli, events, routes


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.register_blueprint(routes.member_bp)
    layout.register(
        layout.NavEntry(
            "help", _l("Get help"), "safeguarding.help_page", 60, layout.on_endpoint("safeguarding.help_page")
        )
    )
    events.register(socketio)
    cli.register(app)
