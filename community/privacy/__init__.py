"""Privacy: the member's privacy page, export, erasure, retention, the access log, the register of processing."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("privacy", __name__)
admin_bp = Blueprint("privacy_admin", __name__, url_prefix="/admin")
