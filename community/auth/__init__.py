"""Accounts: sign-in, sign-out, the first admin's setup link."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from community.auth import routes  # noqa: E402,F401
