"""Closed groups, membership and invitations."""

from flask import Blueprint

bp = Blueprint("groups", __name__)
