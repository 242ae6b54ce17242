"""Member reports on a post, a chat message or a profile: a reason from a fixed list and an optional note.

One report per member per item (a unique constraint decides). Each reported item has one open "report" item in
the queue; once reports from the group's threshold of distinct members are in (``GroupModerationSettings.
report_hide_threshold``, else ``Config.REPORT_HIDE_THRESHOLD``, 3), published content is hidden until a moderator
looks at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.auth.models import User
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership
from community.moderation import conflict, policy, targets
from community.moderation.filter_models import GroupModerationSettings
from community.moderation.models import PRIORITY_HIGH, PRIORITY_NORMAL, QueueItem, Report

REASONS = (
    ("unkind", _l("It is unkind, hurtful or a personal attack")),
    ("unsafe", _l("Someone may be in danger")),
    ("personal_details", _l("It shares someone's personal details")),
    ("spam", _l("It is spam or advertising")),
    ("inappropriate", _l("It is not suitable for this group")),
    ("other", _l("Something else")),
)
REASON_CODES = tuple(code for code, _label in REASONS)
NOTE_MAX = 1000
AUTO_HIDDEN = "Hidden after several members reported it, until a moderator looks."


@dataclass(frozen=True)
class Reportable:
    target_type: str
    target_id: int
    group: Group
    author: User | None


def reportable(actor: User, target_type: str, target_id: int, group_id: int | None = None) -> Reportable:
    """What the actor may report: a post or message they can see, or the profile of someone in a group they
    share (``group_id`` picks the group; otherwise the first shared one). 404 for anything else."""
    if target_type in ("post", "message"):
        target = targets.load(target_type, target_id)
        group = db.session.get(Group, target.group_id)
        membership = _membership(actor.id, target.group_id)
        if group is None or not policy.can_report(actor, group, membership) or not _sees(actor, membership, target):
            raise NotFound(targets.NOT_FOUND)
        if target.author is not None and target.author.id == actor.id:
            raise DomainError(_l("This is your own; you can edit or delete it instead."))
        return Reportable(target_type, target_id, group, target.author)
    if target_type == "user":
        other = db.session.get(User, target_id) if 0 < target_id < 2**31 else None
        shared = _shared_groups(actor.id, target_id) if other is not None and other.id != actor.id else []
        chosen = [g for g in shared if group_id is None or g.id == group_id]
        if not chosen:
            raise NotFound(_l("We could not find that person."))
        return Reportable("user", target_id, chosen[0], other)
    raise NotFound(targets.NOT_FOUND)


def _membership(user_id: int, group_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.user_id == user_id, Membership.group_id == group_id))


def _sees(actor: User, membership: Membership | None, target: targets.Target) -> bool:
    """Can the member see it where it is (the feature that owns it decides)?"""
    sees = targets.kind_of(target.target_type).sees
    return sees is not None and sees(actor, membership, target)


def _shared_groups(first_id: int, second_id: int) -> list[Group]:
    mine = select(Membership.group_id).where(Membership.user_id == first_id, Membership.state.in_(("active", "muted")))
    return list(
        db.session.scalars(
            select(Group)
            .join(Membership, Membership.group_id == Group.id)
            .where(Membership.user_id == second_id, Membership.state != "removed", Group.id.in_(mine))
            .order_by(Group.id)
            .limit(50)
        )
    )


def submit(actor: User, item: Reportable, reason: str, note: str = "") -> Report:
    """Store the report and put the item in the queue (once). Reporting the same item again is refused."""
    if reason not in REASON_CODES:
        raise DomainError(_l("Choose a reason from the list."), field="reason")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_l("Keep the note under %(count)d characters.", count=NOTE_MAX), field="note")
    exists = db.session.scalar(
        select(Report.id).where(
            Report.reporter_id == actor.id, Report.target_type == item.target_type, Report.target_id == item.target_id
        )
    )
    if exists is not None:
        raise DomainError(_l("You have reported this already. Thank you: a moderator will look at it."))
    report = Report(
        reporter_id=actor.id, group_id=item.group.id, target_type=item.target_type, target_id=item.target_id,
        reason=reason, note=note, created_at=utcnow(),
    )  # fmt: skip
    db.session.add(report)
    db.session.flush()
    priority = PRIORITY_HIGH if reason == "unsafe" else PRIORITY_NORMAL
    open_item = db.session.scalar(
        select(QueueItem).where(
            QueueItem.kind == "report", QueueItem.target_type == item.target_type,
            QueueItem.target_id == item.target_id, QueueItem.resolved_at.is_(None),
        )
    )  # fmt: skip
    if open_item is None:
        db.session.add(
            QueueItem(
                group_id=item.group.id, kind="report", priority=priority, target_type=item.target_type,
                target_id=item.target_id, reason=reason, created_at=utcnow(),
            )
        )  # fmt: skip
    elif priority < open_item.priority:
        open_item.priority = priority
    if item.target_type != "user":
        reported = targets.kind_of(item.target_type).reported
        if reported is not None:  # a reported message: the group's moderators may now read its conversation
            reported(targets.load(item.target_type, item.target_id))
    db.session.flush()
    _hide_when_many(item)
    conflict.after_report(item.group, item.target_type, item.target_id)
    return report


def report_count(target_type: str, target_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(func.distinct(Report.reporter_id))).where(
                Report.target_type == target_type, Report.target_id == target_id
            )
        )
        or 0
    )


def hide_threshold(group_id: int) -> int:
    """The group's own number of distinct reporters that hides content, else the instance's (default 3)."""
    own = db.session.scalar(
        select(GroupModerationSettings.report_hide_threshold).where(GroupModerationSettings.group_id == group_id)
    )
    return int(own) if own is not None else int(current_app.config.get("REPORT_HIDE_THRESHOLD", 3))


def _hide_when_many(item: Reportable) -> None:
    if item.target_type not in ("post", "message"):
        return
    threshold = hide_threshold(item.group.id)
    if threshold <= 0 or report_count(item.target_type, item.target_id) < threshold:
        return
    target = targets.load(item.target_type, item.target_id)
    if target.state == "published":
        targets.set_state(target, "hidden", AUTO_HIDDEN)


def reports_on(target_type: str, target_id: int, *, limit: int = 50) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.target_type == target_type, Report.target_id == target_id)
            .order_by(Report.id)
            .limit(limit)
        )
    )
