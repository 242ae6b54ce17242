"""Wiring for safeguarding, called by ``create_app`` before the moderation blueprint is registered (the case
pages are routes on it): the members' blueprint (/help, "I'm worried"), the socket event and the CLI."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.moderation.safeguarding import cli, events, member_data, routes


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    app.register_blueprint(routes.member_bp)
    events.register(socketio)
    cli.register(app)
