"""Heated threads: notice when a topic or a group's chat room turns hostile, alert its moderators, slow it down.

A place (``("topic", id)`` or ``("conversation", id)``) is heated when, within ``CONFLICT_WINDOW_MINUTES``:
* reports on its posts/messages plus filter hits on text written there reach ``CONFLICT_SIGNALS``, or
* its last ``CONFLICT_BACK_AND_FORTH`` published posts/messages alternate between the same two members.

Then one open queue item of kind "conflict" is added (no second while it is open), every moderator of the group
gets ``moderation:conflict`` in their ``user:<id>`` room, and when the group allows it (``groups.auto_slowdown``)
the place enters slow mode (``CONFLICT_SLOW_MODE_SECONDS``) until a moderator lifts it. The automatic slow mode
is audited with no actor (the system). Filter hits are counted in the rate-limit storage (Redis with
``REDIS_URL``), not in a table, so a refused text (whose transaction rolls back) still counts. Reports leave a
mark there too: the check after every post or message counts those marks, where a statement per message would
cost the chat a tenth of its speed; the check after a report counts the ``reports`` rows themselves.
"""

from __future__ import annotations

import functools
import itertools
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from limits import RateLimitItemPerSecond
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import DateTime, Integer, Select, bindparam, func, select
from sqlalchemy.orm import aliased

from community.auth.models import User
from community.chat.models import Conversation, Message
from community.core import audit
from community.core.counters import counter_storage
from community.core.errors import DomainError, NotFound
from community.core.realtime import conversation_room, group_room, queue_event, user_room
from community.core.time import utcnow
from community.extensions import db
from community.forum.models import Post, Topic
from community.groups.models import Group, Membership
from community.moderation import filters_policy
from community.moderation.filter_models import TopicSlowMode
from community.moderation.models import PRIORITY_HIGH, QueueItem, Report

KEY_PREFIX = "kring-conflict"
HITS_CEILING = 10_000
MODERATORS_MAX = 200
SLOW_MODE_MAX = 3600
PLACE_TYPES = ("topic", "conversation")


# --- counting filter hits (outside the transaction) ---------------------------------------------------------


def _storage() -> Storage:
    return counter_storage("conflict")


def _hits_item() -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(HITS_CEILING, current_app.config["CONFLICT_WINDOW_MINUTES"] * 60)


def _note(what: str, place: tuple[str, int]) -> None:
    MovingWindowRateLimiter(_storage()).hit(_hits_item(), KEY_PREFIX, what, place[0], str(place[1]))


def _count(what: str, place: tuple[str, int]) -> int:
    limiter_ = MovingWindowRateLimiter(_storage())
    return HITS_CEILING - limiter_.get_window_stats(_hits_item(), KEY_PREFIX, what, place[0], str(place[1])).remaining


def note_filter_hit(group: Group, place: tuple[str, int]) -> None:
    _note("filter", place)


def filter_hits(place: tuple[str, int]) -> int:
    return _count("filter", place)


# --- detection ----------------------------------------------------------------------------------------------


def _since():
    return utcnow() - timedelta(minutes=current_app.config["CONFLICT_WINDOW_MINUTES"])


def _reports(place: tuple[str, int]) -> int:
    place_type, place_id = place
    if place_type == "topic":
        joined = select(Report.id).join(Post, (Report.target_type == "post") & (Post.id == Report.target_id))
        query = joined.where(Post.topic_id == place_id)
    else:
        joined = select(Report.id).join(Message, (Report.target_type == "message") & (Message.id == Report.target_id))
        query = joined.where(Message.conversation_id == place_id)
    limit = current_app.config["CONFLICT_SIGNALS"]
    return len(db.session.scalars(query.where(Report.created_at >= _since()).limit(limit)).all())


def _recent_topic_authors(topic_id: int, count: int) -> list[int | None]:
    query = select(Post.author_id).where(Post.topic_id == topic_id, Post.state == "published")
    query = query.where(Post.created_at >= _since()).order_by(Post.id.desc())
    return list(db.session.scalars(query.limit(count)))


@functools.cache
def _room_exchange_statement() -> Select:
    """Built once per process, on first use (every chat message runs it, and building it costs more than running
    it; at import time the alias would configure the mappers before every model is defined)."""
    answered = aliased(Message)
    return (
        select(Message.author_id, answered.author_id)
        .outerjoin(answered, answered.id == Message.reply_to_id)
        .where(Message.conversation_id == bindparam("conversation_id", type_=Integer), Message.state == "published")
        .where(Message.created_at >= bindparam("since", type_=DateTime))
        .order_by(Message.seq.desc())
        .limit(bindparam("count", type_=Integer))
    )


def _recent_room_exchange(conversation_id: int, count: int) -> tuple[list[int | None], int]:
    """The authors of the room's last ``count`` messages in the window, and how many of those messages answer
    (``reply_to``) a message of the other person among the two. One statement: every message sent asks."""
    rows = db.session.execute(
        _room_exchange_statement(), {"conversation_id": conversation_id, "since": _since(), "count": count}
    ).all()
    authors = [author_id for author_id, _answered in rows]
    answers = sum(
        1
        for author_id, answered_author in rows
        if answered_author is not None and answered_author != author_id and answered_author in authors
    )
    return authors, answers


def _alternating(authors: list[int | None], count: int) -> bool:
    if count < 2 or len(authors) < count or None in authors or len(set(authors)) != 2:
        return False
    return all(first != second for first, second in itertools.pairwise(authors))


def back_and_forth(place: tuple[str, int]) -> bool:
    """The last N published posts/messages in the window alternate between the same two members.

    In a chat room, where two people taking turns is ordinary conversation, at least half of those messages
    must also be replies to the other person's messages (a direct exchange, not a chat)."""
    count = current_app.config["CONFLICT_BACK_AND_FORTH"]
    if place[0] == "topic":
        return _alternating(_recent_topic_authors(place[1], count), count)
    authors, answers = _recent_room_exchange(place[1], count)
    return _alternating(authors, count) and 2 * answers >= count


def heat(place: tuple[str, int], *, reports_from_database: bool = True) -> str | None:
    """Why this place is heated ("back_and_forth", "signals"), or None.

    ``reports_from_database`` False (after every post or message): reports are counted from the marks
    :func:`after_report` leaves in the rate-limit storage instead of by a statement; a report filed through
    ``moderation.reports`` always leaves one."""
    if back_and_forth(place):
        return "back_and_forth"
    reports = _reports(place) if reports_from_database else _count("report", place)
    if filter_hits(place) + reports >= current_app.config["CONFLICT_SIGNALS"]:
        return "signals"
    return None


def _open_alert(place: tuple[str, int]) -> QueueItem | None:
    return db.session.scalar(
        select(QueueItem)
        .where(
            QueueItem.kind == "conflict",
            QueueItem.target_type == place[0],
            QueueItem.target_id == place[1],
            QueueItem.resolved_at.is_(None),
        )
        .limit(1)
    )


def _moderator_ids(group: Group) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .where(Membership.group_id == group.id, Membership.role == "moderator", Membership.state == "active")
            .limit(MODERATORS_MAX)
        )
    )


def check_place(group: Group, place: tuple[str, int], *, reports_from_database: bool = True) -> QueueItem | None:
    """Raise a conflict alert for a heated place (once while one is open). Returns the new queue item."""
    if place[0] not in PLACE_TYPES:
        return None
    if place[0] == "conversation":
        conversation = db.session.get(Conversation, place[1])
        if conversation is None or conversation.kind != "group":
            return None  # two people in a private conversation are expected to take turns
    why = heat(place, reports_from_database=reports_from_database)
    if why is None or _open_alert(place) is not None:  # the usual answer, "not heated", needs no alert lookup
        return None
    reason = (
        _("Heated: two members are going back and forth quickly.")
        if why == "back_and_forth"
        else _("Heated: several reports or filter hits in a short time.")
    )
    item = QueueItem(
        group_id=group.id,
        kind="conflict",
        priority=PRIORITY_HIGH,
        target_type=place[0],
        target_id=place[1],
        reason=reason,
        created_at=utcnow(),
    )
    db.session.add(item)
    db.session.flush()
    slowed = _auto_slow_mode(group, place, why) if group.auto_slowdown else 0
    alert = {
        "queue_item_id": item.id,
        "group_id": group.id,
        "place_type": place[0],
        "place_id": place[1],
        "why": why,
        "slow_mode_seconds": slowed,
        "group": group.name,  # the group's name only: an alert carries no member text
        "url": f"/moderation/items/{item.id}",
    }
    for moderator_id in _moderator_ids(group):
        queue_event("moderation:conflict", alert, room=user_room(moderator_id))
    return item


def after_write(group: Group, place: tuple[str, int]) -> None:
    """Called by the forum and chat after a post or message was stored (reports: from the storage marks)."""
    check_place(group, place, reports_from_database=False)


def after_report(group: Group, target_type: str, target_id: int) -> None:
    """For the reports feature: a report on a post or message may make its topic or room heated. Leaves a
    mark in the rate-limit storage too, which the check after every post or message counts."""
    place: tuple[str, int] | None = None
    if target_type == "post":
        post = db.session.get(Post, target_id)
        place = ("topic", post.topic_id) if post is not None else None
    elif target_type == "message":
        message = db.session.get(Message, target_id)
        place = ("conversation", message.conversation_id) if message is not None else None
    if place is not None:
        _note("report", place)
        check_place(group, place)


# --- slow mode ----------------------------------------------------------------------------------------------


def _set_slow_mode(group: Group, place: tuple[str, int], seconds: int, actor_id: int | None) -> None:
    if place[0] == "conversation":
        conversation = db.session.get(Conversation, place[1])
        conversation.slow_mode_seconds = seconds
        payload = {"conversation_id": conversation.id, "slow_mode_seconds": seconds}
        queue_event("chat:slow_mode", payload, room=conversation_room(conversation.id))
        return
    row = db.session.get(TopicSlowMode, place[1])
    if seconds == 0:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(
            TopicSlowMode(
                topic_id=place[1], group_id=group.id, seconds=seconds, set_by_id=actor_id, created_at=utcnow()
            )
        )
    else:
        row.seconds, row.set_by_id = seconds, actor_id
    db.session.flush()
    queue_event("forum:slow_mode", {"topic_id": place[1], "slow_mode_seconds": seconds}, room=group_room(group.id))


def current_slow_mode(place: tuple[str, int]) -> int:
    if place[0] == "conversation":
        conversation = db.session.get(Conversation, place[1])
        return conversation.slow_mode_seconds if conversation is not None else 0
    row = db.session.get(TopicSlowMode, place[1])
    return row.seconds if row is not None else 0


def _auto_slow_mode(group: Group, place: tuple[str, int], why: str) -> int:
    seconds = current_app.config["CONFLICT_SLOW_MODE_SECONDS"]
    if seconds <= 0 or current_slow_mode(place) >= seconds:
        return current_slow_mode(place)
    _set_slow_mode(group, place, seconds, None)
    audit.record(
        "slow_mode.auto_enabled",
        actor_id=None,
        target_type=place[0],
        target_id=place[1],
        group_id=group.id,
        details={"seconds": seconds, "trigger": why},
    )
    return seconds


def _place_in_group(group: Group, place: tuple[str, int]) -> None:
    if place[0] == "topic":
        topic = db.session.get(Topic, place[1]) if 0 < place[1] < 2**31 else None
        if topic is None or topic.group_id != group.id:
            raise NotFound(_("We could not find that topic. It may have been removed."))
    elif place[0] == "conversation":
        conversation = db.session.get(Conversation, place[1]) if 0 < place[1] < 2**31 else None
        if conversation is None or conversation.group_id != group.id or conversation.kind != "group":
            raise NotFound(_("We could not find that chat room."))
    else:
        raise NotFound(_("We could not find that page."))


def set_slow_mode(
    actor: User, group: Group, membership: Membership | None, place: tuple[str, int], seconds: int
) -> None:
    """A moderator turns slow mode on (``seconds`` > 0) or lifts it (0) for a topic or the group's room."""
    if not filters_policy.can_lift_slow_mode(actor, group, membership):
        raise NotFound(_("We could not find that page."))
    _place_in_group(group, place)
    if not 0 <= seconds <= SLOW_MODE_MAX:
        raise DomainError(_("Choose a slow mode of 0 to %(max)d seconds.", max=SLOW_MODE_MAX), field="seconds")
    before = current_slow_mode(place)
    if before == seconds:
        return
    _set_slow_mode(group, place, seconds, actor.id)
    audit.record(
        "slow_mode.lifted" if seconds == 0 else "slow_mode.set",
        actor_id=actor.id,
        target_type=place[0],
        target_id=place[1],
        group_id=group.id,
        details={"seconds": seconds, "before": before},
    )


def topic_slow_mode_wait(actor: User, membership: Membership | None, topic_id: int) -> int:
    """Seconds before ``actor`` may reply in this topic again (0: now). Moderators are exempt."""
    row = db.session.get(TopicSlowMode, topic_id)
    if row is None or (membership is not None and membership.role == "moderator"):
        return 0
    last = db.session.scalar(
        select(func.max(Post.created_at)).where(Post.topic_id == topic_id, Post.author_id == actor.id)
    )
    if last is None:
        return 0
    left = row.seconds - int((utcnow() - last).total_seconds())
    return max(left, 0)


def check_topic_slow_mode(actor: User, membership: Membership | None, topic_id: int) -> None:
    wait = topic_slow_mode_wait(actor, membership, topic_id)
    if wait:
        raise DomainError(
            _(
                "This topic is in slow mode for now. You can reply again in %(seconds)d seconds. "
                "Take a breath; your reply will still be welcome.",
                seconds=wait,
            ),
            field="body",
        )
