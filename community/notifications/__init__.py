"""Notifications: the notification centre, preferences, email through an outbox, digests (see docs/notifications.md)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
