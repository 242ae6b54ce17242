"""Consent: documents, records, the consent gates, parental consent. Its admin pages: ``admin_bp`` (/admin)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("consent", __name__)
admin_bp = Blueprint("consent_admin", __name__, url_prefix="/admin")
