"""The moderators' queue: what waits, in which order, and who is handling it.

Urgent first, then oldest. Two moderators never both act on one item: taking an item (claim) and closing it
(resolve) are single conditional UPDATEs, ``WHERE resolved_at IS NULL AND (claimed_by_id IS NULL OR
claimed_by_id = me)``; whoever's UPDATE changes no row was too late and is told so.
Every change is sent to ``moderation:<group_id>`` after the commit, so every open queue page updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, or_, select, tuple_, update

from community.auth.models import User
from community.core.errors import DomainError, NotFound
from community.core.realtime import queue_event
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import MODERATING_ROLES
from community.moderation import policy, signals
from community.moderation.models import QueueItem

PER_PAGE = 50
ITEM_EVENT = "moderation:item"
ITEM_NOT_FOUND = _l("We could not find that item. It may have been dealt with already.")
TAKEN = _l("Another moderator is handling this item. It will leave your queue when they are done.")
DONE = _l("This item has been dealt with already.")


def queue_room(group_id: int) -> str:
    """The sockets of moderators who have a queue page of this group open."""
    return f"moderation:{group_id}"


def announce(item: QueueItem, status: str) -> None:
    """Tell every open queue page of the item's group (after the commit): new, claimed, released or resolved."""
    queue_event(
        ITEM_EVENT,
        {"item_id": item.id, "group_id": item.group_id, "kind": item.kind, "priority": item.priority,
         "status": status},
        room=queue_room(item.group_id),
    )  # fmt: skip


@event.listens_for(QueueItem, "after_insert")
def _announce_new(mapper, connection, target: QueueItem) -> None:
    # Items are added by the pipeline, safeguarding, reports and appeals alike: all are announced from here.
    announce(target, "new")


def moderated_groups(actor: User) -> list[Group]:
    """The groups whose queue the actor works: all groups for an admin, else those they moderate (by name)."""
    if actor.is_admin and actor.state == "active":
        return list(db.session.scalars(select(Group).order_by(Group.name).limit(500)))
    rows = db.session.execute(
        select(Group, Membership)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == actor.id, Membership.role.in_(MODERATING_ROLES), Membership.state == "active")
        .order_by(Group.name)
    ).all()
    return [group for group, membership in rows if policy.can_moderate(actor, group, membership)]


def moderates_any(actor: User) -> bool:
    """An active moderator of some group (from ``actor.memberships``, loaded with the session on a page)."""
    return any(m.role in MODERATING_ROLES and m.state == "active" for m in actor.memberships)


def membership_of(user_id: int, group_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.user_id == user_id, Membership.group_id == group_id))


def moderated_group(actor: User, group_id: int) -> Group:
    group = db.session.get(Group, group_id) if 0 < group_id < 2**31 else None
    if group is None or not policy.can_moderate(actor, group, membership_of(actor.id, group.id)):
        raise NotFound(_l("We could not find that group."))
    return group


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    groups: dict[int, Group]
    people: dict[int, User]
    next_cursor: str | None


def _cursor(item: QueueItem) -> str:
    return f"{item.priority}_{item.created_at.isoformat()}_{item.id}"


def _parse_cursor(raw: str | None) -> tuple[int, datetime, int] | None:
    try:
        priority, moment, item_id = (raw or "").split("_")
        return int(priority), datetime.fromisoformat(moment), int(item_id)
    except (ValueError, TypeError):
        return None


def open_items(actor: User, *, group: Group | None = None, kind: str = "", after: str | None = None) -> QueuePage:
    """Open items of one group (or all the actor's groups), urgent first, then oldest; a page at a time."""
    groups = [group] if group is not None else moderated_groups(actor)
    by_id = {g.id: g for g in groups}
    if not by_id:
        return QueuePage([], {}, {}, None)
    query = select(QueueItem).where(QueueItem.resolved_at.is_(None), QueueItem.group_id.in_(by_id))
    if kind:
        query = query.where(QueueItem.kind == kind)
    cursor = _parse_cursor(after)
    if cursor is not None:
        query = query.where(tuple_(QueueItem.priority, QueueItem.created_at, QueueItem.id) > cursor)
    rows = list(
        db.session.scalars(query.order_by(QueueItem.priority, QueueItem.created_at, QueueItem.id).limit(PER_PAGE + 1))
    )
    items = rows[:PER_PAGE]
    people_ids = {item.claimed_by_id for item in items if item.claimed_by_id}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(people_ids)))} if people_ids else {}
    return QueuePage(items, by_id, people, _cursor(items[-1]) if len(rows) > PER_PAGE else None)


def open_item(actor: User, item_id: int) -> tuple[QueueItem, Group]:
    """An item of a group the actor moderates (404 otherwise, also for someone else's group)."""
    item = db.session.get(QueueItem, item_id) if 0 < item_id < 2**31 else None
    if item is None:
        raise NotFound(ITEM_NOT_FOUND)
    group = db.session.get(Group, item.group_id)
    if group is None or not policy.can_moderate(actor, group, membership_of(actor.id, group.id)):
        raise NotFound(ITEM_NOT_FOUND)
    return item, group


def _free_for(actor_id: int):
    return QueueItem.resolved_at.is_(None), or_(QueueItem.claimed_by_id.is_(None), QueueItem.claimed_by_id == actor_id)


def _why_not(item_id: int) -> DomainError:
    db.session.expire_all()
    item = db.session.get(QueueItem, item_id)
    return DomainError(DONE if item is None or item.resolved_at is not None else TAKEN)


def claim(actor: User, item_id: int) -> QueueItem:
    """Take an item ("I'm on it"): nobody else can act on it until it is released or resolved."""
    item, _group = open_item(actor, item_id)
    now = utcnow()
    result = db.session.execute(
        update(QueueItem)
        .where(QueueItem.id == item.id, *_free_for(actor.id))
        .values(claimed_by_id=actor.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _why_not(item.id)
    db.session.refresh(item)
    announce(item, "claimed")
    return item


def release(actor: User, item_id: int) -> QueueItem:
    """Give a claimed item back to the queue (only the moderator who holds it)."""
    item, _group = open_item(actor, item_id)
    result = db.session.execute(
        update(QueueItem)
        .where(QueueItem.id == item.id, QueueItem.resolved_at.is_(None), QueueItem.claimed_by_id == actor.id)
        .values(claimed_by_id=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _why_not(item.id)
    db.session.refresh(item)
    announce(item, "released")
    return item


def resolve(actor: User, item: QueueItem, resolution: str) -> None:
    """Close an item for good, atomically; raises if another moderator holds it or it is closed already.

    ``claimed_at`` keeps the first time someone took it (the figures' "time to first action")."""
    now = utcnow()
    result = db.session.execute(
        update(QueueItem)
        .where(QueueItem.id == item.id, *_free_for(actor.id))
        .values(
            resolved_at=now,
            resolved_by_id=actor.id,
            resolution=resolution,
            claimed_by_id=actor.id,
            claimed_at=item.claimed_at or now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _why_not(item.id)
    db.session.refresh(item)
    announce(item, "resolved")
    if item.kind == "report":
        signals.matter_closed.send("report", item=item)  # an erasure waiting on this report can finish


def hold_open_item(actor: User, item: QueueItem) -> None:
    """Claim an item for a member action that leaves it open (the content decision is still to come)."""
    if item.claimed_by_id != actor.id:
        claim(actor, item.id)


def open_items_on(target_type: str, target_id: int) -> list[QueueItem]:
    """Other open items about the same thing (a held post that was also reported, say). Bounded."""
    return list(
        db.session.scalars(
            select(QueueItem)
            .where(
                QueueItem.target_type == target_type,
                QueueItem.target_id == target_id,
                QueueItem.resolved_at.is_(None),
                QueueItem.kind.in_(("held", "report", "conflict")),
            )
            .order_by(QueueItem.id)
            .limit(20)
        )
    )
