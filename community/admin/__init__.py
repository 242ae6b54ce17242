"""Operator and admin tools. ``admin`` owns no rules: it calls the other features' services."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
