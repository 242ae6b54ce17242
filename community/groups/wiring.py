"""Wiring for groups, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_socketio import SocketIO

from community.auth import socket_groups
from community.core import layout, security
from community.groups import (  # noqa: F401  (their views register on bp)
    bp,
    invitation_routes,
    labels,
    member_data,
    policy,
    profile_routes,
    routes,
    services,
    settings_routes,
)


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    app.register_blueprint(bp)
    app.add_template_global(labels.role_label, "role_label")
    app.add_template_global(policy.can_edit_group, "can_edit_group")
    layout.register(layout.NavEntry("home", _l("My groups"), "groups.home", 10, layout.on_endpoint("groups.home")))
    security.register_start_page("groups.home")  # where a refused or missing next= address leads
    socket_groups.register(services.enterable_memberships)  # a socket joins the rooms of the groups it may enter
