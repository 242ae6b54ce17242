"""Wiring for notifications, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.core import layout
from community.notifications import (  # noqa: F401  (their views register on bp)
    bp,
    cli,
    member_data,
    navigation,
    push_routes,
    routes,
    settings_routes,
)


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    app.register_blueprint(bp)
    layout.register(navigation.ENTRY)
