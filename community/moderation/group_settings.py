"""A group's moderation settings, changed by its moderators (and admins): pre-moderation, personal details,
automatic slow mode, the new-member limits and how many member reports hide a post. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import PREMODERATION_MODES, Group, Membership
from community.moderation import filters_policy, targets
from community.moderation.filter_models import PERSONAL_DETAILS_MODES, GroupModerationSettings
from community.moderation.targets import SlowedPlace

FIRST_POSTS_MAX, LIMIT_MAX = 50, 50
REPORT_THRESHOLD_MIN, REPORT_THRESHOLD_MAX = 1, 50


@dataclass(frozen=True)
class SettingsView:
    premoderation: str
    premoderation_first_posts: int
    personal_details_mode: str
    auto_slowdown: bool
    new_member_max_links: int | None
    new_member_max_mentions: int | None
    default_links: int
    default_mentions: int
    report_hide_threshold: int | None = None  # None: the instance default
    default_report_hide_threshold: int = 3
    slowed: tuple[SlowedPlace, ...] = ()


def _check(actor: User, group: Group, membership: Membership | None) -> None:
    if not filters_policy.can_manage_moderation_settings(actor, group, membership):
        raise NotFound(_("We could not find that page."))


def current(actor: User, group: Group, membership: Membership | None) -> SettingsView:
    _check(actor, group, membership)
    row = db.session.get(GroupModerationSettings, group.id)
    config = current_app.config
    return SettingsView(
        premoderation=group.premoderation,
        premoderation_first_posts=group.premoderation_first_posts,
        personal_details_mode=row.personal_details_mode if row else "warn",
        auto_slowdown=group.auto_slowdown,
        new_member_max_links=row.new_member_max_links if row else None,
        new_member_max_mentions=row.new_member_max_mentions if row else None,
        default_links=config["MODERATION_NEW_MEMBER_MAX_LINKS"],
        default_mentions=config["MODERATION_NEW_MEMBER_MAX_MENTIONS"],
        report_hide_threshold=row.report_hide_threshold if row else None,
        default_report_hide_threshold=int(config.get("REPORT_HIDE_THRESHOLD", 3)),
        slowed=slowed_places(group),
    )


def slowed_places(group: Group) -> tuple[SlowedPlace, ...]:
    """The group's chat room and topics that are in slow mode now (at most 50 topics, newest first), as the
    features that own them list them."""
    places: list[SlowedPlace] = []
    for place_type in ("conversation", "topic"):
        kind = targets.place_kind(place_type)
        if kind is not None:
            places += kind.slowed(group.id)
    return tuple(places)


def _count(value: int | None, field: str, maximum: int, *, allow_none: bool) -> int | None:
    if value is None and allow_none:
        return None
    if value is None or not 0 <= value <= maximum:
        raise DomainError(_("Enter a whole number from 0 to %(max)d.", max=maximum), field=field)
    return value


def update(
    actor: User,
    group: Group,
    membership: Membership | None,
    *,
    premoderation: str,
    premoderation_first_posts: int | None,
    personal_details_mode: str,
    auto_slowdown: bool,
    new_member_max_links: int | None,
    new_member_max_mentions: int | None,
    report_hide_threshold: int | None,
) -> list[str]:
    """Apply the settings; returns the names of what changed (audited as ``group.moderation_settings_changed``)."""
    _check(actor, group, membership)
    if premoderation not in PREMODERATION_MODES:
        raise DomainError(_("Choose a pre-moderation mode from the list."), field="premoderation")
    if personal_details_mode not in PERSONAL_DETAILS_MODES:
        raise DomainError(_("Choose what happens with personal details."), field="personal_details_mode")
    first_posts = _count(premoderation_first_posts, "premoderation_first_posts", FIRST_POSTS_MAX, allow_none=False)
    links = _count(new_member_max_links, "new_member_max_links", LIMIT_MAX, allow_none=True)
    mentions = _count(new_member_max_mentions, "new_member_max_mentions", LIMIT_MAX, allow_none=True)
    if report_hide_threshold is not None and not REPORT_THRESHOLD_MIN <= report_hide_threshold <= REPORT_THRESHOLD_MAX:
        raise DomainError(
            _("Enter a whole number from %(min)d to %(max)d, or leave it empty for the default.",
              min=REPORT_THRESHOLD_MIN, max=REPORT_THRESHOLD_MAX),
            field="report_hide_threshold",
        )  # fmt: skip
    row = db.session.get(GroupModerationSettings, group.id)
    if row is None:
        row = GroupModerationSettings(group_id=group.id, personal_details_mode="warn")
        db.session.add(row)
    wanted = {
        "premoderation": (group, premoderation),
        "premoderation_first_posts": (group, first_posts),
        "auto_slowdown": (group, bool(auto_slowdown)),
        "personal_details_mode": (row, personal_details_mode),
        "new_member_max_links": (row, links),
        "new_member_max_mentions": (row, mentions),
        "report_hide_threshold": (row, report_hide_threshold),
    }
    changed = {}
    for name, (target, value) in wanted.items():
        if getattr(target, name, None) != value:
            changed[name] = value
            setattr(target, name, value)
    if not changed:
        if row in db.session.new:
            db.session.expunge(row)  # nothing to keep: the defaults stay the defaults
        return []
    row.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "group.moderation_settings_changed",
        actor_id=actor.id,
        target_type="group",
        target_id=group.id,
        group_id=group.id,
        details=changed,
    )
    return sorted(changed)
