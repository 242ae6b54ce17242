"""Wiring for accessibility, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.accessibility import (
    app_routes,  # noqa: F401  (the manifest, the service worker and the offline page)
    bp,
    member_data,
    routes,  # noqa: F401  (their views register on bp)
)


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    app.register_blueprint(bp)
