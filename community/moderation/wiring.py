"""Wiring for moderation, called by ``create_app`` only: the queue and rules pages, the moderators' socket
events, the sanctions CLI, and safeguarding (its case pages are routes on this blueprint)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.auth import signals as auth_signals
from community.core import layout
from community.moderation import (  # noqa: F401  (views on bp)
    actions_expiry,
    bp,
    events,
    member_data,
    navigation,
    profile_receivers,
    routes,
    rules_routes,
)
from community.moderation.safeguarding import wiring as safeguarding


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    safeguarding.init_app(app, socketio)
    app.register_blueprint(bp)
    events.register(socketio)
    actions_expiry.register_cli(app)
    layout.register(navigation.ENTRY)
    auth_signals.profile_changing.connect(profile_receivers.screen_profile_change)
    auth_signals.profile_opening.connect(profile_receivers.hide_from_blocked)
