"""Wiring for insight, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.core import layout
from community.insight import (
    bp,
    navigation,
    routes,  # noqa: F401  (their views register on bp)
)


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.register_blueprint(bp)
    layout.register(navigation.ENTRY)
