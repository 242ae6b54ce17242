"""Wiring for auth, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_socketio import SocketIO

from community.auth import account_routes, bp, cli, events, member_data, reset_routes, routes, two_factor_routes  # noqa: F401  (their views register on bp)
from community.auth import sessions as auth_sessions
from community.core import layout, sessions
from community.extensions import login_manager


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    app.register_blueprint(bp)
    # Every page under /account/ is one of "My account"'s, whichever feature serves it (privacy, forum).
    layout.register(
        layout.NavEntry("account", _l("My account"), "auth.profile_edit", 70, layout.under_path("/account/"))
    )
    login_manager.login_view = "auth.login"  # where core's default deny sends anonymous visitors
    sessions.register_store(auth_sessions)  # core's session loader resolves tokens through auth's sessions
    events.register(socketio)
