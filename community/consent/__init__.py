"""Consent: documents, records, the consent gates, parental consent. Admin pages hang on the admin blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("consent", __name__)

from community.consent import admin_routes, gate, routes  # noqa: E402,F401

gate.register(bp)
