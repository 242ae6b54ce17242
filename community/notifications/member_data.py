"""Notifications' part of a member's export and erasure.

Export: their notifications (who caused one is another person: left out) and their notification settings
(quiet hours, per kind, per group, muted topics, the emails and digests sent to them, a mail-problem flag, their
devices for push and the pushes sent to them).

Erasure: all of that goes; notifications they caused for others lose the link to them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from community.auth.member_data import LIMIT, when
from community.auth.models import User
from community.auth.signals import contribute_member_data
from community.extensions import db
from community.groups.member_data import GroupNames
from community.notifications.models import (
    DigestRun,
    EmailOutbox,
    GroupNotificationSetting,
    MailProblem,
    Notification,
    NotificationPreference,
    NotificationSettings,
    PushOutbox,
    PushSubscription,
    TopicMute,
)

BATCH = 500


def _notifications(uid: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    last = 0
    query = select(Notification).where(Notification.user_id == uid)
    while rows := list(db.session.scalars(query.where(Notification.id > last).order_by(Notification.id).limit(BATCH))):
        found.extend(
            # Who caused it is another person: left out.
            {"kind": n.kind, "target_type": n.target_type, "target_id": n.target_id,
             "created_at": when(n.created_at), "read_at": when(n.read_at)}
            for n in rows
        )  # fmt: skip
        last = rows[-1].id
    return found


def _settings(uid: int, groups: GroupNames) -> dict[str, Any]:
    general = db.session.get(NotificationSettings, uid)
    mail_problem = db.session.get(MailProblem, uid)
    return {
        "quiet_hours": {"start_minute": general.quiet_start, "end_minute": general.quiet_end} if general else None,
        "push_shows_group_name": bool(general and general.push_group_name),
        "per_kind": [
            {"kind": p.kind, "in_app": p.in_app, "email": p.email, "push": p.push}
            for p in db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == uid))
        ],
        "per_group": [
            {"group": groups.get(s.group_id), "muted": s.muted, "email": s.email}
            for s in db.session.scalars(
                select(GroupNotificationSetting).where(GroupNotificationSetting.user_id == uid).limit(LIMIT)
            )
        ],
        "muted_topics": [
            {"topic_id": m.topic_id, "created_at": when(m.created_at)}
            for m in db.session.scalars(select(TopicMute).where(TopicMute.user_id == uid).limit(LIMIT))
        ],
        "emails": [
            {
                "kind": e.kind,
                "subject": e.subject,
                "items": e.item_count,
                "status": e.status,
                "created_at": when(e.created_at),
                "sent_at": when(e.sent_at),
            }
            for e in db.session.scalars(
                select(EmailOutbox).where(EmailOutbox.user_id == uid).order_by(EmailOutbox.id.desc()).limit(LIMIT)
            )
        ],
        "digests": [
            {"period": d.period, "period_start": when(d.period_start), "items": d.item_count}
            for d in db.session.scalars(
                select(DigestRun).where(DigestRun.user_id == uid).order_by(DigestRun.id.desc()).limit(LIMIT)
            )
        ],
        # The push service's address of each device is a random token: its browser and dates say which it is.
        "push_devices": [
            {"device": d.user_agent, "created_at": when(d.created_at), "last_used_at": when(d.last_used_at)}
            for d in db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == uid).limit(LIMIT))
        ],
        "pushes": [
            {
                "kind": p.kind,
                "items": p.item_count,
                "status": p.status,
                "created_at": when(p.created_at),
                "sent_at": when(p.sent_at),
            }
            for p in db.session.scalars(
                select(PushOutbox).where(PushOutbox.user_id == uid).order_by(PushOutbox.id.desc()).limit(LIMIT)
            )
        ],
        "mail_problem": (
            {"flagged_at": when(mail_problem.flagged_at), "smtp_code": mail_problem.smtp_code} if mail_problem else None
        ),
    }


def export_part(user: User) -> dict[str, Any]:
    return {
        "notifications.json": _notifications(user.id),
        "notification_settings.json": _settings(user.id, GroupNames()),
    }


def erase(user: User, **_details: Any) -> None:
    uid = user.id
    db.session.execute(update(Notification).where(Notification.actor_id == uid).values(actor_id=None))
    for model, column in (
        (Notification, Notification.user_id), (NotificationSettings, NotificationSettings.user_id),
        (NotificationPreference, NotificationPreference.user_id),
        (GroupNotificationSetting, GroupNotificationSetting.user_id), (TopicMute, TopicMute.user_id),
        (EmailOutbox, EmailOutbox.user_id), (DigestRun, DigestRun.user_id), (MailProblem, MailProblem.user_id),
        (PushOutbox, PushOutbox.user_id), (PushSubscription, PushSubscription.user_id),
    ):  # fmt: skip
        db.session.execute(delete(model).where(column == uid))


def connect() -> None:
    """From ``notifications.wiring.init_app``; connecting again is a no-op (blinker keys receivers by identity)."""
    contribute_member_data(export=export_part, erase=erase)
