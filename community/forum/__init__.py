"""The group forum: topics and replies."""

from flask import Blueprint

bp = Blueprint("forum", __name__)

from community.forum import extra_routes, image_routes, routes, search_routes, write_routes  # noqa: E402,F401
