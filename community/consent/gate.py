"""The consent gates: the platform (required documents, a guardian's confirmation) and each group (its rules).

* HTTP: a ``before_app_request`` hook sends a signed-in member who still has to decide to the consent page.
  Only signing out, the consent and privacy pages (read, export, erase), the health check and static files
  stay open. Until a required document is published nobody is stopped (a fresh install; plain tests).
* Checks registered from ``consent.wiring``: ``require_platform_consent`` with auth's account checks (the
  socket's connect refuses, ``open_group`` raises ``ConsentRequired``) and ``require_group_rules`` with groups'
  entry checks (``open_group``, the topic page and chat's ``open_conversation`` refuse until the group's current
  rules are accepted). The errors they raise become redirects to the consent page or the group's rules page.
"""

from __future__ import annotations

from flask import Flask, Response, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.auth.models import User
from community.consent import guardian, rules, services
from community.core import page_preloads
from community.core.errors import Forbidden
from community.extensions import db
from community.groups.models import Group, Membership

OPEN_BLUEPRINTS = ("consent", "privacy", "health")
OPEN_ENDPOINTS = (
    "static",
    "auth.logout",
    "auth.sessions_list",
    "auth.session_end",
    "auth.sessions_end_others",
    # The installable app's parts, the same for everyone: a redirect would make the browser drop the worker.
    "accessibility.manifest",
    "accessibility.service_worker",
    "accessibility.offline",
)


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

    Kept with the page preloads for the rest of the request or socket event (the hook and ``open_group`` both
    ask); a new consent record forgets it (``consent.services.append_record``), and every socket event asks
    again, so a withdrawal is seen at the next event.
    """
    known = page_preloads.get(user, services.PLATFORM_OPEN)
    if known is page_preloads.MISSING:
        known = not guardian.is_pending(user) and services.has_required_consents(user)
        page_preloads.keep(user, services.PLATFORM_OPEN, known)
    return known


def require_platform_consent(user: User) -> None:
    """An account check (``auth.access_checks``): the required documents are agreed to, no guardian awaited."""
    if not platform_open_for(user):
        raise ConsentRequired()


def require_group_rules(user: User, group: Group, membership: Membership | None) -> None:
    """A group entry check (``groups.entry_checks``): the group's current rules are accepted."""
    if rules.needs_rules(user, group, membership) is not None:
        raise RulesRequired(group.slug)


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
        db.session.rollback()
        return redirect(url_for("consent.group_rules", slug=error.slug), 303)

    @app.errorhandler(ConsentRequired)
    def to_consent(error: ConsentRequired) -> Response:
        db.session.rollback()
        return redirect(url_for("consent.required"), 303)
