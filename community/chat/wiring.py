"""Wiring for chat, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from community.chat import bp, events, page_data, page_routes, routes, services  # noqa: F401  (their views register on bp)
from community.groups import page_sections
from community.groups.models import Group
from community.groups.signals import group_created


def make_group_room(group: Group, **_extra: Any) -> None:
    """A new group's chat room comes with the group, so opening the chat page never has to write."""
    services.group_room_conversation(group.id)


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.register_blueprint(bp)
    events.register(socketio)
    group_created.connect(make_group_room)
    page_sections.register("chat", order=20, template="chat/_group_preview.html", data=page_data.group_page_preview)
