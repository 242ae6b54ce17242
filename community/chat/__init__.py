"""Real-time chat: group rooms and private conversations."""

from flask import Blueprint

bp = Blueprint("chat", __name__)
