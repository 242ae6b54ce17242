"""Wiring for forum, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.forum import (  # noqa: F401  (their views register on bp)
    bp,
    extra_routes,
    image_routes,
    member_data,
    moderated,
    retention,
    routes,
    search_routes,
    write_routes,
)
from community.moderation import targets


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    retention.connect()  # its part of a group's retention
    app.register_blueprint(bp)
    targets.register_kind(moderated.POST)  # moderation hides and publishes posts through it
    targets.register_place(moderated.TOPIC)
