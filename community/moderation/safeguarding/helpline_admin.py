"""Keeping the installation's helplines: add, change, remove. Admins only, a reason each time, audited.

Everything is checked before anything is stored, so a refusal leaves the table as it was. Phone numbers take
digits, spaces, "+", "-", "(" and ")"; web addresses only http and https (a ``javascript:`` address on the
help page would run in the reader's session). The caller commits; the committed write clears the helplines'
cache (``core.config_cache``) in this process, other processes see it within ``CONFIG_CACHE_SECONDS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from community.auth import policy
from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, Forbidden, NotFound
from community.extensions import db
from community.moderation.safeguarding.detection import CATEGORIES
from community.moderation.safeguarding.helpline_models import HelplineEntry

PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{0,38}$")
REASON_MAX = 500
LIMITS = {"name": 120, "hours": 120, "description": 300, "url": 300}


@dataclass(frozen=True)
class HelplineInput:
    """What the form gives; :func:`save_helpline` checks it all."""

    name: str = ""
    phone: str = ""
    sms: str = ""
    url: str = ""
    hours: str = ""
    description: str = ""
    acute: bool = False
    language: str = ""
    topics: tuple[str, ...] = ()
    position: int = 0
    active: bool = True


def all_helplines() -> list[HelplineEntry]:
    """Every stored helpline, active or not, in order (a handful: no paging needed, at most 200 shown)."""
    return list(db.session.scalars(select(HelplineEntry).order_by(HelplineEntry.position, HelplineEntry.id).limit(200)))


def helpline_or_404(helpline_id: int) -> HelplineEntry:
    row = db.session.get(HelplineEntry, helpline_id)
    if row is None:
        raise NotFound(_("We could not find that helpline."))
    return row


def _check_admin(actor: User) -> None:
    if not policy.is_instance_admin(actor):
        raise Forbidden(_("Only an admin can change the helplines."))


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Write down why the helplines change (for the other admins)."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("Keep the reason under %(num)d characters.", num=REASON_MAX), field="reason")
    return reason


def _text(value: str, field: str) -> str:
    text = " ".join((value or "").split())
    if len(text) > LIMITS[field]:
        raise DomainError(_("Keep this under %(num)d characters.", num=LIMITS[field]), field=field)
    return text


def _phone(value: str, field: str) -> str:
    text = " ".join((value or "").split())
    if text and not PHONE.match(text):
        raise DomainError(
            _("A phone number has digits, spaces, and perhaps +, - or brackets, like 0800-0113."), field=field
        )
    return text


def _url(value: str) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
        raise DomainError(_("Give a web address that starts with https:// (or http://)."), field="url")
    return _text(text, "url")


def _clean(data: HelplineInput) -> dict:
    values = {
        "name": _text(data.name, "name"),
        "phone": _phone(data.phone, "phone"),
        "sms": _phone(data.sms, "sms"),
        "url": _url(data.url),
        "hours": _text(data.hours, "hours"),
        "description": _text(data.description, "description"),
        "acute": bool(data.acute),
        "active": bool(data.active),
    }
    if not values["name"]:
        raise DomainError(_("Give the helpline's name."), field="name")
    if not (values["phone"] or values["sms"] or values["url"]):
        raise DomainError(_("Give a phone number, a number to text, or a web address."), field="phone")
    if data.language and data.language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Choose one of the languages in the list, or every language."), field="language")
    if any(topic not in CATEGORIES for topic in data.topics):
        raise DomainError(_("Choose topics from the list."), field="topics")
    if not 0 <= int(data.position or 0) <= 999:
        raise DomainError(_("Give a place in the list from 0 to 999."), field="position")
    values["language"] = data.language or ""
    values["topics"] = " ".join(sorted(set(data.topics)))
    values["position"] = int(data.position or 0)
    return values


def save_helpline(
    actor: User, data: HelplineInput, reason: str, helpline: HelplineEntry | None = None
) -> HelplineEntry:
    """Add a helpline (``helpline`` None) or change one. Audited as ``helpline.added`` / ``helpline.changed``."""
    _check_admin(actor)
    values = _clean(data)
    reason = _reason(reason)
    action = "helpline.changed" if helpline is not None else "helpline.added"
    if helpline is None:
        helpline = HelplineEntry()
        db.session.add(helpline)
    changed = sorted(name for name, value in values.items() if getattr(helpline, name, None) != value)
    for name, value in values.items():
        setattr(helpline, name, value)
    db.session.flush()
    audit.record(
        action,
        actor_id=actor.id,
        target_type="helpline",
        target_id=helpline.id,
        reason=reason,
        details={"name": helpline.name, "changed": changed},
    )
    return helpline


def remove_helpline(actor: User, helpline: HelplineEntry, reason: str) -> None:
    """Remove a helpline for good (to hide one for a while, untick "shown"). Audited as ``helpline.removed``."""
    _check_admin(actor)
    reason = _reason(reason)
    audit.record(
        "helpline.removed",
        actor_id=actor.id,
        target_type="helpline",
        target_id=helpline.id,
        reason=reason,
        details={"name": helpline.name},
    )
    db.session.delete(helpline)
