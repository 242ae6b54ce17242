"""Accounts: sign-in and sessions, two-factor sign-in, password reset, the member's own account."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
