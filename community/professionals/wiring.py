"""Wiring for professionals, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_socketio import SocketIO

from community.core import layout
from community.moderation import targets
from community.professionals import (  # noqa: F401  (their views register on bp)
    bp,
    member_data,
    moderated,
    profile_routes,
    question_routes,
    request_routes,
    review_routes,
)
from community.professionals.local_time import local_moment


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    app.add_template_filter(local_moment, "local_moment")
    app.register_blueprint(bp)
    targets.register_kind(moderated.QUESTION)  # held questions and requests are decided in the queue
    targets.register_kind(moderated.REQUEST)
    layout.register(
        layout.NavEntry(
            "professionals", _l("Professionals"), "professionals.browse_page", 40, layout.on_blueprint("professionals")
        )
    )
