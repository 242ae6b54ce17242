"""Group events: a meeting with a time, a place or a link, and who is coming; and each member's calendar feed."""

from flask import Blueprint

bp = Blueprint("events", __name__)
