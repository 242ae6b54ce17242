"""Wiring for safeguarding, called by ``create_app`` before the moderation blueprint is registered (the case
pages are routes on it): the members' blueprint (/help, and the "I'm worried" pages the forum and chat put on
it) and the CLI. The ``safeguarding:raise`` socket event is chat's (``chat.concern_events``)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_socketio import SocketIO

from community.core import admin_pages, layout
from community.moderation.safeguarding import (  # noqa: F401  (views on the blueprints)
    cli,
    lead_routes,
    member_bp,
    member_data,
    routes,
)


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    app.register_blueprint(member_bp)
    layout.register(
        layout.NavEntry(
            "help", _l("Get help"), "safeguarding.help_page", 60, layout.on_endpoint("safeguarding.help_page")
        )
    )
    admin_pages.register("moderation.safeguarding_leads", _l("Safeguarding leads"), order=40)
    cli.register(app)
