"""Accounts: sign-in and sessions, two-factor sign-in, password reset, the member's own account."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from community.auth import account_routes, cli, reset_routes, routes, two_factor_routes  # noqa: E402,F401
