"""Closed groups and membership."""

from flask import Blueprint

bp = Blueprint("groups", __name__)

from community.groups import routes  # noqa: E402,F401
