"""Closed groups, membership and invitations."""

from flask import Blueprint

bp = Blueprint("groups", __name__)

from community.groups import invitation_routes, routes  # noqa: E402,F401
