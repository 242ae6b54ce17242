"""What a member wants to hear about, and how: per kind (in the centre, by email, pushed to their devices), per
group (muted, or an email mode for everything from that group), muted topics, quiet hours, and whether pushes
name the group."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from community.auth.models import User
from community.core.errors import DomainError
from community.extensions import db
from community.groups.models import Group
from community.notifications.kinds import EMAIL_MODES, KINDS, get_kind
from community.notifications.models import (
    GroupMailSetting,
    GroupNotificationSetting,
    NotificationPreference,
    NotificationSettings,
    TopicMute,
)

MUTE_TOPIC_LIMIT = 500  # a member's muted topics (each a row; the preferences page lists none of them)
NEW_TOPIC_READERS_MAX = 5000  # members told of one new topic (like an announcement's readers)

# Who hears nothing from an actor, decided by a higher feature (moderation: whom the recipient muted or blocked).
# A filter gets (actor_id, recipient ids) and returns the ids to leave out, in one query for all of them.
RecipientFilter = Callable[[int, list[int]], set[int]]
_RECIPIENT_FILTERS: dict[str, RecipientFilter] = {}


def register_recipient_filter(name: str, leave_out: RecipientFilter) -> None:
    """Filled from a feature's wiring; registering a name again replaces it (many apps in one process)."""
    _RECIPIENT_FILTERS[name] = leave_out


def without_filtered(recipient_ids: list[int], actor_id: int | None) -> list[int]:
    """The recipients no registered filter leaves out for this actor (nothing is filtered without an actor)."""
    if actor_id is None or not recipient_ids:
        return recipient_ids
    left_out: set[int] = set()
    for leave_out in _RECIPIENT_FILTERS.values():
        left_out |= leave_out(actor_id, recipient_ids)
    return [user_id for user_id in recipient_ids if user_id not in left_out]


@dataclass(frozen=True)
class Delivery:
    in_app: bool
    email: str  # one of EMAIL_MODES
    push: bool = True  # to the member's devices (Web Push), if they turned it on for one


def kind_preferences(user_id: int) -> dict[str, Delivery]:
    """Every kind with the member's choice, or the kind's default where they chose nothing."""
    chosen = {
        row.kind: Delivery(row.in_app, row.email, row.push)
        for row in db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    }
    return {name: chosen.get(name, Delivery(kind.in_app, kind.email, kind.push)) for name, kind in KINDS.items()}


def deliveries(
    recipient_ids: list[int], *, kind: str, group_id: int | None, topic_id: int | None
) -> dict[int, Delivery]:
    """How each recipient gets a notification of ``kind``; recipients who muted its group or topic are left out.
    Three small queries whatever the number of recipients."""
    default = get_kind(kind)
    if not recipient_ids:
        return {}
    muted_groups: set[int] = set()
    group_email: dict[int, str | None] = {}
    if group_id is not None:
        for row in db.session.scalars(
            select(GroupNotificationSetting).where(
                GroupNotificationSetting.group_id == group_id, GroupNotificationSetting.user_id.in_(recipient_ids)
            )
        ):
            if row.muted:
                muted_groups.add(row.user_id)
            group_email[row.user_id] = row.email
    muted_topic: set[int] = set()
    if topic_id is not None:
        muted_topic = set(
            db.session.scalars(
                select(TopicMute.user_id).where(TopicMute.topic_id == topic_id, TopicMute.user_id.in_(recipient_ids))
            )
        )
    chosen = {
        row.user_id: row
        for row in db.session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.kind == kind, NotificationPreference.user_id.in_(recipient_ids)
            )
        )
    }
    result = {}
    for user_id in recipient_ids:
        if user_id in muted_groups or user_id in muted_topic:
            continue
        row = chosen.get(user_id)
        in_app, email, push = (
            (row.in_app, row.email, row.push) if row else (default.in_app, default.email, default.push)
        )
        if group_email.get(user_id):
            email = group_email[user_id]
        result[user_id] = Delivery(in_app, email, push)
    return result


def save_kind_preferences(user: User, choices: Iterable[tuple[str, bool, str]]) -> None:
    """(kind, in_app, email) for each kind the form sent. An unknown kind or mode is refused; nothing is saved
    half-way (the caller commits once)."""
    rows = {row.kind: row for row in db.session.scalars(select(NotificationPreference).filter_by(user_id=user.id))}
    for kind, in_app, email in choices:
        default = get_kind(kind)
        if email not in EMAIL_MODES:
            raise DomainError(_l("Please choose how you want emails: immediately, daily, weekly or never."))
        row = rows.get(kind) or NotificationPreference(user_id=user.id, kind=kind, push=default.push)
        row.in_app, row.email = bool(in_app), email
        db.session.add(row)
    db.session.flush()


def save_push_preferences(user: User, choices: dict[str, bool]) -> None:
    """Per kind: pushed to the member's devices or not. A kind not in ``choices`` keeps its setting."""
    rows = {row.kind: row for row in db.session.scalars(select(NotificationPreference).filter_by(user_id=user.id))}
    for kind, push in choices.items():
        default = get_kind(kind)
        row = rows.get(kind) or NotificationPreference(user_id=user.id, kind=kind, in_app=default.in_app,
                                                       email=default.email)  # fmt: skip
        row.push = bool(push)
        db.session.add(row)
    db.session.flush()


def save_push_group_name(user: User, shown: bool) -> None:
    row = settings_of(user.id)
    row.push_group_name = bool(shown)
    db.session.add(row)
    db.session.flush()


def settings_of(user_id: int) -> NotificationSettings:
    return db.session.get(NotificationSettings, user_id) or NotificationSettings(user_id=user_id)


def _minutes(value: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        raise DomainError(_l("Please give a time like 22:00."), field=field) from None
    return parsed.hour * 60 + parsed.minute


def save_quiet_hours(user: User, start: str, end: str) -> NotificationSettings:
    """Quiet hours as "HH:MM" in the site's time zone; both empty turns them off."""
    start_min, end_min = _minutes(start, "quiet_start"), _minutes(end, "quiet_end")
    if (start_min is None) != (end_min is None):
        raise DomainError(
            _l("Please give both the start and the end of your quiet hours, or neither."), field="quiet_end"
        )
    if start_min is not None and start_min == end_min:
        raise DomainError(_l("Quiet hours must start and end at different times."), field="quiet_end")
    row = settings_of(user.id)
    row.quiet_start, row.quiet_end = start_min, end_min
    db.session.add(row)
    db.session.flush()
    return row


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def quiet_until(user_id: int, now: datetime) -> datetime | None:
    """When the member's quiet hours end, if ``now`` (naive UTC) falls in them; else None."""
    return _quiet_end(db.session.get(NotificationSettings, user_id), now)


def quiet_ends(user_ids: list[int], now: datetime) -> dict[int, datetime]:
    """``quiet_until`` for many members in one query: those in their quiet hours now, and when they end."""
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(NotificationSettings).where(
            NotificationSettings.user_id.in_(user_ids), NotificationSettings.quiet_start.is_not(None)
        )
    )
    ends = {row.user_id: _quiet_end(row, now) for row in rows}
    return {user_id: end for user_id, end in ends.items() if end is not None}


def _quiet_end(row: NotificationSettings | None, now: datetime) -> datetime | None:
    if row is None or row.quiet_start is None or row.quiet_end is None:
        return None
    zone = _zone()
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    minute = local.hour * 60 + local.minute
    start, end = row.quiet_start, row.quiet_end
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return None
    end_local = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
    if end_local <= local:
        end_local = (end_local + timedelta(days=1)).replace(hour=end // 60, minute=end % 60)
    return end_local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def set_group_setting(
    user: User, group: Group, *, muted: bool, email: str | None, new_topics: bool = False
) -> GroupNotificationSetting:
    if email is not None and email not in EMAIL_MODES:
        raise DomainError(_l("Please choose how you want emails: immediately, daily, weekly or never."))
    row = db.session.scalar(select(GroupNotificationSetting).filter_by(user_id=user.id, group_id=group.id))
    row = row or GroupNotificationSetting(user_id=user.id, group_id=group.id)
    row.muted, row.email, row.new_topics = muted, email, new_topics
    db.session.add(row)
    db.session.flush()
    return row


def group_settings(user_id: int, group_ids: list[int]) -> dict[int, GroupNotificationSetting]:
    if not group_ids:
        return {}
    rows = db.session.scalars(
        select(GroupNotificationSetting).where(
            GroupNotificationSetting.user_id == user_id, GroupNotificationSetting.group_id.in_(group_ids)
        )
    )
    return {row.group_id: row for row in rows}


def new_topic_listeners(group_id: int) -> list[int]:
    """Members who asked to hear of every new topic in this group (and did not mute it). The caller (the forum)
    keeps only those who can read the group now."""
    return list(
        db.session.scalars(
            select(GroupNotificationSetting.user_id)
            .where(
                GroupNotificationSetting.group_id == group_id,
                GroupNotificationSetting.new_topics.is_(True),
                GroupNotificationSetting.muted.is_(False),
            )
            .order_by(GroupNotificationSetting.user_id)
            .limit(NEW_TOPIC_READERS_MAX)
        )
    )


def is_topic_muted(user_id: int, topic_id: int) -> bool:
    return db.session.scalar(select(TopicMute.id).filter_by(user_id=user_id, topic_id=topic_id)) is not None


def mute_topic(user: User, topic_id: int, *, muted: bool) -> None:
    """Precondition: the caller (``forum.notices.mute_topic_for``) checked that the member can read the topic."""
    if not muted:
        db.session.execute(delete(TopicMute).where(TopicMute.user_id == user.id, TopicMute.topic_id == topic_id))
        return
    if is_topic_muted(user.id, topic_id):
        return
    count = db.session.scalar(select(db.func.count()).select_from(TopicMute).where(TopicMute.user_id == user.id))
    if (count or 0) >= MUTE_TOPIC_LIMIT:
        raise DomainError(
            _l("You have muted %(max)d topics, the most there can be. Unmute some first.", max=MUTE_TOPIC_LIMIT)
        )
    db.session.add(TopicMute(user_id=user.id, topic_id=topic_id))
    db.session.flush()


def group_is_sensitive(group_id: int | None) -> bool:
    """Emails never name a sensitive group; a group is sensitive unless an admin said otherwise."""
    if group_id is None:
        return True
    row = db.session.get(GroupMailSetting, group_id)
    return row is None or row.sensitive


def set_group_sensitive(group: Group, sensitive: bool) -> None:
    row = db.session.get(GroupMailSetting, group.id) or GroupMailSetting(group_id=group.id)
    row.sensitive = sensitive
    db.session.add(row)
    db.session.flush()
