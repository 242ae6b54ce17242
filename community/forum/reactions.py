"""Supportive reactions on posts ("hug", "me too", "thank you", "strength") instead of likes.

One per member per kind per post (a unique constraint). A topic page asks for the reactions of all its posts in
one query: :func:`reaction_summary`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from community.auth.models import User
from community.core.database import savepoint
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.realtime import group_room, queue_event
from community.extensions import db
from community.forum import policy
from community.forum.models import Post, Topic
from community.forum.page_cache import touch_topics
from community.groups.services import GroupAccess
from community.reactions.models import REACTION_KINDS, Reaction

NAMES_SHOWN = 20  # per kind and post: "who reacted" lists at most this many names, then "and N more"
REACTION_EVENT = "forum:reaction"


@dataclass(frozen=True)
class KindSummary:
    kind: str
    count: int
    mine: bool
    names: tuple[str | None, ...]  # None: a former member

    @property
    def more(self) -> int:
        return max(self.count - len(self.names), 0)


@dataclass(frozen=True)
class PostReactions:
    kinds: tuple[KindSummary, ...]  # every kind, in REACTION_KINDS order

    @property
    def total(self) -> int:
        return sum(item.count for item in self.kinds)


EMPTY = PostReactions(tuple(KindSummary(kind, 0, False, ()) for kind in REACTION_KINDS))


def reaction_summary(post_ids: Iterable[int], viewer_id: int | None) -> dict[int, PostReactions]:
    """Counts per kind, whether the viewer reacted, and the first names, for a page of posts in ONE query.

    Every requested post id gets an entry (``EMPTY`` when nobody reacted). Names are bounded per kind and post
    by a window function, so a much-loved post cannot make the page heavy. Precondition: the caller has
    already checked that the viewer may read these posts (this function does not look at groups).
    """
    ids = sorted({int(post_id) for post_id in post_ids})
    if not ids:
        return {}
    partition = (Reaction.post_id, Reaction.kind)
    ranked = (
        select(
            Reaction.post_id,
            Reaction.kind,
            Reaction.user_id,
            User.display_name,
            User.state,
            func.row_number().over(partition_by=partition, order_by=Reaction.id).label("position"),
            func.count().over(partition_by=partition).label("total"),
        )
        .join(User, User.id == Reaction.user_id)
        .where(Reaction.post_id.in_(ids))
        .subquery()
    )
    rows = db.session.execute(
        select(ranked)
        .where(or_(ranked.c.position <= NAMES_SHOWN, ranked.c.user_id == (viewer_id or 0)))
        .order_by(ranked.c.post_id, ranked.c.kind, ranked.c.position)
    ).all()
    found: dict[tuple[int, str], dict] = {}
    for row in rows:
        entry = found.setdefault((row.post_id, row.kind), {"count": row.total, "mine": False, "names": []})
        if row.user_id == viewer_id:
            entry["mine"] = True
        if row.position <= NAMES_SHOWN:
            entry["names"].append(row.display_name if row.state != "deleted" else None)
    summary = {}
    for post_id in ids:
        kinds = []
        for kind in REACTION_KINDS:
            entry = found.get((post_id, kind))
            kinds.append(
                KindSummary(kind, entry["count"], entry["mine"], tuple(entry["names"]))
                if entry
                else KindSummary(kind, 0, False, ())
            )
        summary[post_id] = PostReactions(tuple(kinds))
    return summary


def own_reactions(post_ids: Iterable[int], viewer_id: int | None) -> dict[int, frozenset[str]]:
    """The kinds the viewer gave to each of these posts (posts without any are left out): one small query on
    the (user_id, kind, post_id) unique index, for the per-reader part of a cached topic page."""
    ids = sorted({int(post_id) for post_id in post_ids})
    if not ids or not viewer_id:
        return {}
    found: dict[int, set[str]] = {}
    rows = db.session.execute(
        select(Reaction.post_id, Reaction.kind).where(Reaction.user_id == viewer_id, Reaction.post_id.in_(ids))
    )
    for post_id, kind in rows:
        found.setdefault(post_id, set()).add(kind)
    return {post_id: frozenset(kinds) for post_id, kinds in found.items()}


def own_reactions_column(viewer_id: Any, post_ids: Any) -> Any:
    """``own_reactions`` as one column for another statement: "12:hug,12:me_too,15:thanks" for the posts of a
    subquery (the topic page reads it with the topic; ``parse_own_reactions`` turns it back)."""
    pair = cast(Reaction.post_id, String) + ":" + Reaction.kind
    return (
        select(func.aggregate_strings(pair, ","))
        .where(Reaction.user_id == viewer_id, Reaction.post_id.in_(post_ids))
        .scalar_subquery()
    )


def parse_own_reactions(text: str | None) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = {}
    for pair in (text or "").split(","):
        post_id, _, kind = pair.partition(":")
        if post_id and kind:
            found.setdefault(int(post_id), set()).add(kind)
    return {post_id: frozenset(kinds) for post_id, kinds in found.items()}


@dataclass(frozen=True)
class ReactionResult:
    post_id: int
    topic_id: int
    kind: str
    on: bool
    count: int


def parse_on(value: str | None) -> bool:
    """The form's on/off field: "1"/"on"/"true" or "0"/"off"/"false"; anything else is refused."""
    normalised = (value or "").strip().lower()
    if normalised in ("1", "on", "true"):
        return True
    if normalised in ("0", "off", "false"):
        return False
    raise DomainError(_l("Say whether to add or take back the reaction."), field="on")


def set_reaction(actor: User, access: GroupAccess, post_id: int, kind: str, *, on: bool) -> ReactionResult:
    """Add (``on``) or take back the actor's reaction of this kind on a post. Doing it twice changes nothing.

    Preconditions: ``access`` is the actor's own (from ``open_group``). A post the actor cannot read is "not
    found"; one they can read but not react to (muted, archived group) is refused.
    """
    if kind not in REACTION_KINDS:
        raise DomainError(_l("Choose one of the reactions shown."), field="kind")
    group, membership = access.group, access.membership
    row = db.session.execute(
        select(Post, Topic).join(Topic, Topic.id == Post.topic_id).where(Post.id == post_id)
    ).first()
    if row is None:
        raise NotFound(_l("We could not find that post. It may have been removed."))
    post, topic = row
    if post.state != "published" or not policy.can_read_topic(actor, group, membership, topic):
        raise NotFound(_l("We could not find that post. It may have been removed."))
    if not policy.can_react(actor, group, membership, post):
        if group.state != "active":
            raise Forbidden(_l("This group is archived; you can read it but not react in it."))
        raise Forbidden(_l("You cannot react in this group at the moment."))
    existing = db.session.scalar(
        select(Reaction.id).where(Reaction.user_id == actor.id, Reaction.kind == kind, Reaction.post_id == post.id)
    )
    if on and existing is None:
        try:
            with savepoint():  # a double click racing itself: the unique constraint decides
                db.session.add(Reaction(user_id=actor.id, kind=kind, post_id=post.id))
        except IntegrityError:
            pass  # the same reaction was stored a moment ago: the outcome is the one asked for
    elif not on and existing is not None:
        db.session.execute(delete(Reaction).where(Reaction.id == existing))
        touch_topics(db.session, topic_ids=[topic.id])  # a bulk DELETE: the flush hook does not see it
    count = db.session.scalar(
        select(func.count()).select_from(Reaction).where(Reaction.post_id == post.id, Reaction.kind == kind)
    )
    if on != (existing is not None):
        # Counts only, no names: open pages of the group update their numbers after the commit.
        queue_event(
            REACTION_EVENT,
            {"post_id": post.id, "topic_id": topic.id, "kind": kind, "count": count or 0},
            room=group_room(group.id),
        )
    return ReactionResult(post.id, topic.id, kind, on, count or 0)
