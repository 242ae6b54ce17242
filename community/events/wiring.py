"""Wiring for events, called by ``create_app`` only: importing the route modules puts their views on the
blueprint; ``init_app`` registers it, the CLI, the group page's section and where an event's notice leads."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from community.events import bp, calendar_routes, cli, member_data, routes  # noqa: F401  (views register on bp)
from community.groups import page_sections
from community.notifications.kinds import register_target_link


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    app.register_blueprint(bp)
    page_sections.register("events", order=5, template="events/_group_events.html", data=routes.group_page_events)
    register_target_link("event", lambda event_id, slug: f"/g/{slug}/events/{event_id}" if slug else None)
