"""Wiring for chat, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from community.attachments import services as attachments
from community.auth import signals as auth_signals
from community.chat import (  # noqa: F401  (their views register on bp)
    bp,
    care_routes,
    concern_events,
    events,
    leaving,
    member_data,
    message_files,
    moderated,
    navigation,
    page_data,
    page_routes,
    places,
    presence,
    private,
    retention,
    routes,
    screening,
    services,
)
from community.chat.group_rooms import conversation_rooms
from community.core import layout, realtime
from community.groups import page_sections
from community.groups.models import Group
from community.groups.signals import group_created, member_left
from community.moderation import signals as moderation_signals
from community.moderation import targets
from community.notifications.kinds import register_target_link


def make_group_room(group: Group, **_extra: Any) -> None:
    """A new group's chat room comes with the group, so opening the chat page never has to write."""
    services.group_room_conversation(group.id)


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    retention.connect()  # its part of a group's retention
    app.register_blueprint(bp)
    targets.register_kind(moderated.MESSAGE)  # moderation hides and publishes messages through it
    targets.register_place(moderated.CONVERSATION)
    attachments.register_owner("message", message_files.check_reader)  # who may read a message's files
    events.register(socketio)
    concern_events.register(socketio)
    group_created.connect(make_group_room)
    member_left.connect(leaving.on_member_left)  # their private conversations in the group end
    page_sections.register("chat", order=20, template="chat/_group_preview.html", data=page_data.group_page_preview)
    moderation_signals.published_count.connect(screening.published_messages)
    moderation_signals.shares_place.connect(private.shares_conversation)
    realtime.register_group_rooms(conversation_rooms)
    layout.register(navigation.ENTRY)
    # Where a notification opens: the conversation, or a message in its room (each page checks access again).
    register_target_link("conversation", lambda conversation_id, _slug: f"/conversations/{conversation_id}")
    register_target_link("message", lambda message_id, _slug: f"/messages/{message_id}")
    auth_signals.user_connected.connect(presence.on_user_connected)  # who is online
    auth_signals.user_disconnected.connect(presence.on_user_disconnected)
