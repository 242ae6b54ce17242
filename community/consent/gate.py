"""The consent gates: the platform (required documents, a guardian's confirmation) and each group (its rules).

* HTTP: a ``before_app_request`` hook sends a signed-in member who still has to decide to the consent page.
  Only signing out, the consent and privacy pages (read, export, erase), the health check and static files
  stay open. Until a required document is published nobody is stopped (a fresh install; plain tests).
* Groups: ``groups.services.open_group`` calls ``check_group_entry``; the error it raises is turned into a
  redirect to the group's rules page. Chat socket events call ``may_enter_group`` through
  ``chat.services.open_conversation``, so a member who has not accepted cannot join a room either.
"""

from __future__ import annotations

from flask import Flask, Response, has_request_context, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.auth.models import User
from community.consent import guardian, rules, services
from community.core.errors import Forbidden
from community.groups.models import Group, Membership

OPEN_BLUEPRINTS = ("consent", "privacy", "health")
OPEN_ENDPOINTS = ("static", "auth.logout", "auth.sessions_list", "auth.session_end", "auth.sessions_end_others")


class RulesRequired(Forbidden):
    """The member must accept the group's current rules first (HTTP: a redirect to the rules page)."""

    def __init__(self, slug: str) -> None:
        super().__init__(_l("Please read and accept this group's rules first."))
        self.slug = slug


class ConsentRequired(Forbidden):
    def __init__(self) -> None:
        super().__init__(_l("Please look at the consent questions first."))


def platform_open_for(user: User) -> bool:
    """False while a minor waits for a guardian or a required consent is missing (or withdrawn).

    Remembered for the rest of an HTTP request (the hook and ``open_group`` both ask); never across socket
    events, which share their handshake's environ, so a withdrawal is seen at the next event.
    """
    in_request = has_request_context() and getattr(request, "event", None) is None
    cache = request.environ.setdefault("kring.consent_open", {}) if in_request else {}
    if user.id not in cache:
        cache[user.id] = not guardian.is_pending(user) and services.has_required_consents(user)
    return cache[user.id]


def check_group_entry(user: User, group: Group, membership: Membership | None) -> None:
    """For ``open_group``: raise unless the member may enter the group as far as consent goes."""
    if not platform_open_for(user):
        raise ConsentRequired()
    if rules.needs_rules(user, group, membership) is not None:
        raise RulesRequired(group.slug)


def may_enter_group(user: User, group: Group, membership: Membership | None) -> bool:
    """For socket events: the same check as a boolean."""
    try:
        check_group_entry(user, group, membership)
    except Forbidden:
        return False
    return True


def register(app: Flask) -> None:
    @app.before_request
    def consent_gate() -> Response | None:
        if not current_user.is_authenticated or request.endpoint is None:
            return None
        if request.blueprint in OPEN_BLUEPRINTS or request.endpoint in OPEN_ENDPOINTS:
            return None
        if platform_open_for(current_user):
            return None
        if guardian.is_pending(current_user):
            return redirect(url_for("consent.pending"), 303)
        return redirect(url_for("consent.required", next=request.full_path.rstrip("?")), 303)

    @app.errorhandler(RulesRequired)
    def to_rules(error: RulesRequired) -> Response:
        from community.extensions import db

        db.session.rollback()
        return redirect(url_for("consent.group_rules", slug=error.slug), 303)

    @app.errorhandler(ConsentRequired)
    def to_consent(error: ConsentRequired) -> Response:
        from community.extensions import db

        db.session.rollback()
        return redirect(url_for("consent.required"), 303)
