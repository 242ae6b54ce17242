"""Retention: per group, chat messages and/or forum posts older than N days are deleted.

A group's own period (``groups.retention_chat_days`` / ``retention_posts_days``) wins; otherwise the instance
default (RETENTION_CHAT_DAYS / RETENTION_POSTS_DAYS; 0 means keep). ``flask retention run`` deletes in batches,
each batch committed on its own, so it is safe to stop and re-run (idempotent) from cron or a systemd timer;
``--dry-run`` counts what would go and changes nothing.

Privacy decides the periods and the cutoffs and writes the audit entry; the features whose content a period
covers delete it (``groups.signals.retention_due``, answered by ``chat.retention`` and ``forum.retention``,
which says what happens to topics).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core import audit, jobs
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group
from community.groups.policy import can_manage_groups
from community.groups.signals import retention_due


@dataclass
class GroupOutcome:
    slug: str
    chat_days: int | None
    posts_days: int | None
    messages: int = 0
    posts: int = 0
    topics: int = 0


def check_days(value: int | None, field: str) -> int | None:
    """None: no period (use the default). 0 or a negative number: refused, with what to do instead."""
    if value is None:
        return None
    if not isinstance(value, int) or value <= 0:
        raise DomainError(_l("A retention period is a number of days of at least 1. Leave it empty to keep "
                             "everything (or use the instance default)."), field=field)  # fmt: skip
    if value > 36_500:
        raise DomainError(_l("A retention period can be at most 36,500 days."), field=field)
    return value


def open_group_retention(actor: User, group_id: int) -> Group:
    """The group whose retention periods an admin sets: admins only; anyone else and an unknown id get
    "not found"."""
    group = db.session.get(Group, group_id) if 0 < group_id < 2**31 else None
    if not can_manage_groups(actor) or group is None:
        raise NotFound(_l("We could not find that group."))
    return group


def set_group_retention(actor: User, group: Group, *, chat_days: int | None, posts_days: int | None) -> Group:
    if not actor.is_admin or actor.state != "active":
        raise NotFound(_l("We could not find that group."))
    group.retention_chat_days = check_days(chat_days, "chat_days")
    group.retention_posts_days = check_days(posts_days, "posts_days")
    db.session.flush()
    audit.record("group.retention_changed", actor_id=actor.id, target_type="group", target_id=group.id,
                 group_id=group.id, details={"chat_days": chat_days, "posts_days": posts_days})  # fmt: skip
    return group


def _default(name: str) -> int | None:
    value = int(current_app.config.get(name, 0) or 0)
    if value < 0:
        raise DomainError(_l("%(name)s must be 0 (keep) or a number of days.", name=name))
    return value or None


def periods(group: Group) -> tuple[int | None, int | None]:
    return (
        group.retention_chat_days or _default("RETENTION_CHAT_DAYS"),
        group.retention_posts_days or _default("RETENTION_POSTS_DAYS"),
    )


@jobs.job("retention.run", every=timedelta(days=1))
def run_scheduled(now: datetime | None = None) -> list[GroupOutcome]:
    """The nightly job: :func:`run` for real (a dry run is not the job), recorded in the jobs' status."""
    return run(dry_run=False, now=now)


def run(*, dry_run: bool = False, now: datetime | None = None) -> list[GroupOutcome]:
    now = now or utcnow()
    outcomes = []
    for group in db.session.scalars(select(Group).order_by(Group.id)).all():
        chat_days, posts_days = periods(group)
        outcome = GroupOutcome(group.slug, chat_days, posts_days)
        if chat_days or posts_days:
            for _receiver, counts in retention_due.send(
                group,
                chat_before=now - timedelta(days=chat_days) if chat_days else None,
                posts_before=now - timedelta(days=posts_days) if posts_days else None,
                dry_run=dry_run,
            ):
                for key, value in (counts or {}).items():
                    setattr(outcome, key, getattr(outcome, key) + value)
        if not dry_run and (outcome.messages or outcome.posts or outcome.topics):
            audit.record("retention.applied", actor_id=None, target_type="group", target_id=group.id,
                         group_id=group.id, details={"messages": outcome.messages, "posts": outcome.posts,
                                                     "topics": outcome.topics})  # fmt: skip
            db.session.commit()
        outcomes.append(outcome)
    return outcomes
