"""Wiring for moderation, called by ``create_app`` only: the queue and rules pages, the moderators' socket
events, the sanctions CLI, and safeguarding (its case pages are routes on this blueprint)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.auth import signals as auth_signals
from community.core import layout
from community.groups import profile_sections
from community.moderation import (  # noqa: F401  (views on bp)
    actions_expiry,
    bp,
    events,
    member_data,
    navigation,
    profile_receivers,
    routes,
    rules_routes,
    safety,
)
from community.moderation.safeguarding import wiring as safeguarding
from community.notifications import kinds as notification_kinds
from community.notifications import preferences as notification_preferences


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    safeguarding.init_app(app, socketio)
    app.register_blueprint(bp)
    events.register(socketio)
    actions_expiry.register_cli(app)
    layout.register(navigation.ENTRY)
    # Someone the recipient muted or blocked notifies them of nothing they write (every channel).
    notification_preferences.register_recipient_filter("muted_or_blocked", safety.who_muted)
    notification_kinds.register_target_link("group_queue", lambda group_id, _slug: f"/moderation/g/{group_id}")
    notification_kinds.register_target_link(
        "safeguarding_case", lambda case_id, _slug: f"/moderation/safeguarding/{case_id}"
    )
    auth_signals.profile_changing.connect(profile_receivers.screen_profile_change)
    auth_signals.profile_opening.connect(profile_receivers.hide_from_blocked)
    profile_sections.register(
        "safety", order=10, template="moderation/safety_controls.html", data=safety.safety_controls
    )
