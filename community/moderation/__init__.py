"""Moderation: the one screening pipeline every piece of member text passes, and the queue."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

# Each helper's routes module registers its routes on ``bp`` (imported here, at the bottom).
from community.moderation import rules_routes  # noqa: E402,F401
