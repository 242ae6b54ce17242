"""Small shared pieces of the professionals feature: whose groups, the site's local time, text limits."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from community.auth.models import User
from community.core import mail
from community.core.transaction import on_commit
from community.extensions import db
from community.groups import policy as groups_policy
from community.groups.models import Group, Membership

log = logging.getLogger(__name__)

NAME_MAX = 80
ROLE_MAX = 80
ORGANISATION_MAX = 120
INTRO_MAX = 2000
REQUEST_MESSAGE_MAX = 500
DECLINE_NOTE_MAX = 500
QUESTION_MAX = 4000
ANSWER_MAX = 8000
SPECIALTY_MAX = 60
SPECIALTIES_PER_PROFILE = 12


def local_now() -> datetime:
    """Now, as a naive datetime in the site's time zone: availability hours are local hours."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    return datetime.now(zone).replace(tzinfo=None)


def moderator_group_ids(user: User | None) -> set[int]:
    """The groups someone works in: active moderator of an active group, with an active account."""
    if not groups_policy.is_active_account(user) or user is None:
        return set()
    return set(
        db.session.scalars(
            select(Membership.group_id)
            .join(Group, Group.id == Membership.group_id)
            .where(
                Membership.user_id == user.id,
                Membership.role == "moderator",
                Membership.state == "active",
                Group.state == "active",
            )
        )
    )


def reading_group_ids(user: User | None) -> set[int]:
    if not groups_policy.is_active_account(user) or user is None:
        return set()
    return set(
        db.session.scalars(
            select(Membership.group_id).where(
                Membership.user_id == user.id, Membership.state.in_(groups_policy.READING_STATES)
            )
        )
    )


def writable_group_ids(user: User | None) -> set[int]:
    if not groups_policy.is_active_account(user) or user is None:
        return set()
    return set(
        db.session.scalars(
            select(Membership.group_id)
            .join(Group, Group.id == Membership.group_id)
            .where(Membership.user_id == user.id, Membership.state == "active", Group.state == "active")
        )
    )


def groups_by_id(ids: set[int]) -> list[Group]:
    if not ids:
        return []
    return list(db.session.scalars(select(Group).where(Group.id.in_(ids)).order_by(Group.name)))


def one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def mail_after_commit(user: User, subject: str, path: str) -> None:
    """An email with a link only (no member content), sent once the transaction has committed (and dropped with
    a rolled-back savepoint, ``core.transaction.on_commit``), and only to someone with an address. ``path`` is
    the site path the link opens."""
    if not user.email or user.state != "active":
        return
    link = f"{current_app.config['BASE_URL']}{path}"
    body = "\n".join((subject, "", link, "", "Kring"))
    on_commit(partial(_send_mail, user.email, subject, body))


def _send_mail(to: str, subject: str, body: str) -> None:
    try:
        mail.send_mail(to, subject, body)
    except (OSError, smtplib.SMTPException) as error:  # the change is stored; the in-app notice remains
        log.warning("professionals: a notification email could not be sent (%s)", type(error).__name__)
