"""Wiring for chat, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.chat import bp, concern_events, events, page_routes, places, private, routes, screening  # noqa: F401  (their views register on bp)
from community.moderation import conflict
from community.moderation import signals as moderation_signals


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.register_blueprint(bp)
    events.register(socketio)
    concern_events.register(socketio)
    moderation_signals.published_count.connect(screening.published_messages)
    moderation_signals.shares_place.connect(private.shares_conversation)
    conflict.register_place("conversation", places.ROOM)
