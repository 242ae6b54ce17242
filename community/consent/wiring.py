"""Wiring for consent, called by ``create_app`` only: importing the route modules puts their views on the
blueprints; ``init_app`` registers them (and this feature's gates, checks, receivers and admin pages)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_socketio import SocketIO

from community.auth import access_checks
from community.consent import admin_bp, admin_routes, bp, gate, member_data, routes, signup  # noqa: F401  (their views register on bp)
from community.core import admin_pages
from community.groups import entry_checks, signup_sections
from community.groups.signals import joining_with_new_account

CONSENT_CHECK = "consent"  # the account check: required documents, a guardian's confirmation


def init_app(app: Flask, socketio: SocketIO) -> None:
    member_data.connect()  # its part of a member's export and erasure
    gate.register(app)
    access_checks.register(CONSENT_CHECK, gate.require_platform_consent)
    entry_checks.register(entry_checks.RULES_CHECK, gate.require_group_rules)
    joining_with_new_account.connect(signup.on_signup)
    signup_sections.register("consent", order=10, template="consent/_signup_documents.html", data=signup.signup_section)
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    admin_pages.register("consent_admin.consent_documents", _l("Consent and privacy"), order=10)
