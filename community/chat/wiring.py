"""Wiring for chat, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.chat import bp, events, member_data, moderated, page_routes, retention, routes  # noqa: F401  (their views register on bp)
from community.moderation import targets


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    retention.connect()  # its part of a group's retention
    app.register_blueprint(bp)
    targets.register_kind(moderated.MESSAGE)  # moderation hides and publishes messages through it
    targets.register_place(moderated.CONVERSATION)
    events.register(socketio)
