"""Consent: documents, records, the consent gates, parental consent. Admin pages hang on the admin blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("consent", __name__)
