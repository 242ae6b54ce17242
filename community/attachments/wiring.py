"""Wiring for attachments, called by ``create_app`` only: importing the route module puts its view on the
blueprint; ``init_app`` registers it. The owners (forum, chat) register their checks in their own wiring."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.attachments import bp, routes  # noqa: F401  (its view registers on bp)


def init_app(app: Flask, _socketio: SocketIO) -> None:
    app.register_blueprint(bp)
