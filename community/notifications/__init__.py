"""Notifications: the notification centre, preferences, email through an outbox, digests (see docs/notifications.md)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from community.notifications import cli, routes, settings_routes  # noqa: E402,F401
