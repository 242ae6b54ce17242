"""Real-time chat: group rooms and private conversations."""

from flask import Blueprint

bp = Blueprint("chat", __name__)

from community.chat import page_routes, routes  # noqa: E402,F401
