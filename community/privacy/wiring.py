"""Wiring for privacy, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.moderation.signals import matter_closed
from community.privacy import (  # noqa: F401  (their views register on bp)
    admin_bp,
    admin_routes,
    bp,
    cli,
    erasure,
    routes,
)


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)  # reached from the account page, the group page and the consent page
    cli.register(app)
    # A report resolved or a case closed may end an erasure's evidence hold. Connecting again is a no-op.
    matter_closed.connect(erasure.on_matter_closed, weak=False)
