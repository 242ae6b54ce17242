"""Moderation: the one screening pipeline every piece of member text passes, and the queue."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
