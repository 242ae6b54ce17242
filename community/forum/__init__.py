"""The group forum: topics and replies."""

from flask import Blueprint

bp = Blueprint("forum", __name__)
