"""Wiring for forum, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it (and this feature's socket events, CLI and receivers)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.forum import bp, extra_routes, image_routes, notices, routes, search_routes, write_routes  # noqa: F401  (their views register on bp)
from community.groups import page_sections
from community.notifications.kinds import register_target_topics


def init_app(app: Flask, socketio: SocketIO) -> None:
    app.register_blueprint(bp)
    page_sections.register("forum", order=10, template="forum/_group_topics.html", data=routes.group_page_topics)
    register_target_topics("post", notices.post_topics)  # the inbox shows a reply's or mention's topic
