"""Wiring for chat, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.auth import signals as auth_signals
from community.chat import bp, events, navigation, page_routes, presence, routes  # noqa: F401  (their views register on bp)
from community.chat.group_rooms import conversation_rooms
from community.core import layout, realtime


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.register_blueprint(bp)
    events.register(socketio)
    realtime.register_group_rooms(conversation_rooms)
    layout.register(navigation.ENTRY)
    auth_signals.user_connected.connect(presence.on_user_connected)  # who is online
    auth_signals.user_disconnected.connect(presence.on_user_disconnected)
