"""The consent step of accepting an invitation: the documents shown on the sign-up form (a
``groups.signup_sections`` section), and what the posted form agreed to (connected to
``groups.signals.joining_with_new_account``).

Runs inside the accepting transaction, so a refusal stores nothing: no account, no record, no mail.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from community.auth.models import User
from community.consent import documents, guardian, services
from community.core.errors import DomainError


def signup_versions() -> list[tuple[Any, Any]]:
    """The current required documents and their versions (in the page's language where possible): shown on the
    invitation's sign-up form and on the guardian's page."""
    language = str(get_locale() or documents.default_language())
    result = []
    for document in services.required_documents():
        number = documents.current_number(document.id)
        version = documents.version_in(document.id, number, language) if number else None
        if version is not None:
            result.append((document, version))
    return result


def signup_section() -> dict[str, Any]:
    """The sign-up form's consent section (``groups.signup_sections``)."""
    return {"documents": signup_versions()}


def _version_ids(raw: Any) -> list[int]:
    values = raw if isinstance(raw, list | tuple) else []
    try:
        return [int(value) for value in values]
    except (TypeError, ValueError):
        return []


def on_signup(user: User, *, form_data: dict[str, Any], **_extra: Any) -> None:
    """Record the new member's consent, and for a minor start the guardian's confirmation.

    Until an admin publishes the required documents, only the tick box is checked (a fresh install, tests).
    Once they are published, the year of birth is required (it decides whether a guardian must confirm).
    """
    agreed = bool(form_data.get("consent"))
    if not agreed:
        raise DomainError(_l("Tick the box to agree to the terms of use and the privacy notice."), field="consent")
    if services.consent_in_force():
        if user.year_of_birth is None and current_app.config["MINOR_CONSENT_AGE"] > 0:
            raise DomainError(_l("Enter your year of birth: it tells us whether a parent or guardian must agree."),
                              field="year_of_birth")  # fmt: skip
        services.record_at_signup(user, _version_ids(form_data.get("versions")), agreed=agreed)
    if guardian.is_minor(user):
        guardian.request_confirmation(user, form_data.get("guardian_email"))
