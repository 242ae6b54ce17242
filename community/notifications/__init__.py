"""In-app notifications: a small inbox per member (mentions today; the full notification centre comes later)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from community.notifications import routes  # noqa: E402,F401
