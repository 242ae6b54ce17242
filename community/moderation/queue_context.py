"""What a moderator needs to decide an item: the content in its context (the topic around the post, or the
chat messages around the message), the writer's history in the group, earlier actions on the item, its
reports, and (for an appeal) the appealed decision. Every list is bounded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from community.auth.models import User
from community.core.errors import NotFound
from community.extensions import db
from community.groups import invitation_staff
from community.groups.models import Group, Invitation, Membership
from community.moderation import actions, appeals, queue, reports, targets
from community.moderation.models import ModerationAction, QueueItem, Report
from community.moderation.safeguarding.models import SafeguardingCase

AROUND = 5  # posts or messages before and after the one in question
LATEST = 10  # a conflict alert's latest posts or messages


@dataclass(frozen=True)
class WriterHistory:
    user: User | None
    membership: Membership | None
    posts: int = 0
    messages: int = 0
    actions: list[ModerationAction] = field(default_factory=list)
    joined_with: list[Invitation] = field(default_factory=list)  # still open: removal offers to withdraw it


@dataclass(frozen=True)
class ItemDetail:
    item: QueueItem
    group: Group
    target: targets.Target | None
    opening_post: Any  # the topic's opening post, for a reply
    before: list  # posts or messages just before
    after: list
    writer: WriterHistory
    earlier_actions: list[ModerationAction]
    reports: list[Report]
    appeal: appeals.AppealView | None
    people: dict[int, User]  # names of moderators, reporters and writers shown
    may_decide_appeal: bool = True
    case_id: int | None = None  # the safeguarding case about this item (part B), if one is open
    place: Any = None  # a conflict alert's topic or room


def writer_history(group: Group, user: User | None) -> WriterHistory:
    if user is None:
        return WriterHistory(None, None)
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.group_id == group.id)
    )
    written = {name: _authored(name, group.id, user.id) for name in ("post", "message")}
    history = actions.history_of(group.id, user.id)
    return WriterHistory(user, membership, written["post"], written["message"], history,
                         invitation_staff.used_by(membership))  # fmt: skip


def _authored(target_type: str, group_id: int, user_id: int) -> int:
    kind = targets.find(target_type)
    return kind.authored(group_id, user_id) if kind is not None and kind.authored is not None else 0


def detail(actor: User, item_id: int) -> ItemDetail:
    item, group = queue.open_item(actor, item_id)
    appeal = appeals.appeal_of(item)
    target_type, target_id = item.target_type, item.target_id
    if appeal is not None:
        target_type, target_id = appeal.original.target_type, appeal.original.target_id
    target = None
    opening, before, after = None, [], []
    if target_type in targets.kinds():
        try:  # the moderation target lookup: a private message needs grounds, and its reading is logged
            _group, target = targets.open_target(actor, target_type, target_id, item=item)
        except NotFound:  # deleted, or a private message without grounds: the item shows what is left
            target = None
    place = None
    if item.target_type in targets.PLACES:
        place = targets.load_place(item.target_type, item.target_id)
        if place is not None:  # heat alerts are about topics and group rooms: nothing of a private conversation
            before = targets.place_kind(item.target_type).latest(place, LATEST)
    if target is not None and target.shows_conversation:
        around = targets.kind_of(target.target_type).around
        if around is not None:
            opening, before, after = around(target, AROUND)
    if target is not None:
        writer_user = target.author
    elif target_type == "user":
        writer_user = db.session.get(User, target_id)
    elif appeal is not None and appeal.original.subject_id:
        writer_user = db.session.get(User, appeal.original.subject_id)
    else:
        writer_user = None
    earlier = actions.actions_on(target_type, target_id)
    found_reports = reports.reports_on(target_type, target_id)
    ids = {a.actor_id for a in earlier if a.actor_id} | {r.reporter_id for r in found_reports if r.reporter_id}
    ids |= {p.author_id for p in [*before, *after, *([opening] if opening else [])] if p.author_id}
    if item.claimed_by_id:
        ids.add(item.claimed_by_id)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    history = writer_history(group, writer_user)
    return ItemDetail(
        item=item, group=group, target=target, opening_post=opening, before=before, after=after, writer=history,
        earlier_actions=earlier, reports=found_reports, appeal=appeal, people=people,
        may_decide_appeal=appeals.may_decide(actor, item) if appeal is not None else True,
        case_id=_case_of(item),
        place=place,
    )  # fmt: skip


def _case_of(item: QueueItem) -> int | None:
    return db.session.scalar(
        select(SafeguardingCase.id)
        .where(SafeguardingCase.queue_item_id == item.id)
        .order_by(SafeguardingCase.id.desc())
    )


def target_detail(actor: User, target_type: str, target_id: int) -> tuple[Group, targets.Target, WriterHistory]:
    """For acting where the content is, without a queue item: the content and its writer's history. A private
    message only on grounds about its conversation (``targets.open_target``, which logs the reading)."""
    group, target = targets.open_target(actor, target_type, target_id)
    return group, target, writer_history(group, target.author)
