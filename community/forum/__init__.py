"""The group forum: topics and replies."""

from flask import Blueprint

bp = Blueprint("forum", __name__)

from community.forum import routes  # noqa: E402,F401
