"""Wiring for forum, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.forum import bp, extra_routes, image_routes, places, routes, screening, search_routes, write_routes  # noqa: F401  (their views register on bp)
from community.moderation import conflict
from community.moderation import signals as moderation_signals


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.register_blueprint(bp)
    moderation_signals.published_count.connect(screening.published_posts)
    moderation_signals.recent_posts.connect(screening.recent_posts)
    conflict.register_place("topic", places.TOPIC)
