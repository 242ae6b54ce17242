"""Wiring for forum, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_socketio import SocketIO

from community.core import layout
from community.forum import bp, extra_routes, image_routes, preference_routes, routes, search_routes, write_routes  # noqa: F401  (their views register on bp)


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.register_blueprint(bp)
    layout.register(
        layout.NavEntry("search", _l("Search"), "forum.search_page", 50, layout.on_endpoint("forum.search_page"))
    )
