"""Loading what a queue item or an action is about, and changing a post's or message's state with everything
that hangs on it (the topic's state and reply count, live updates, mentions). Used by actions and appeals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.chat.models import Conversation, Message
from community.chat.payloads import message_payload, moderator_ids
from community.core.errors import NotFound
from community.core.realtime import conversation_room, group_room, queue_event
from community.core.time import utcnow
from community.extensions import db
from community.forum import mentions
from community.forum.models import Post, Topic
from community.notifications import forum_events

NOT_FOUND = _l("We could not find that post or message. It may have been deleted.")
GONE = ("removed", "deleted")
PLACES = ("topic", "conversation")  # what a conflict alert is about
# A question to a group's professionals or a request to talk with one, held by the screening
# (community/professionals queues them). Moderators approve or refuse them; nothing else applies.
PRO_TYPES = ("pro_question", "pro_request")
PRO_ACTIONS = ("approve", "refuse", "dismiss")


@dataclass(frozen=True)
class Target:
    """A post (with its topic), a message (with its conversation) or a member's profile, in one group."""

    target_type: str
    target_id: int
    group_id: int
    author: User | None
    post: Post | None = None
    topic: Topic | None = None
    message: Message | None = None
    conversation: Conversation | None = None
    pro: Any = None  # a ProfessionalQuestion or ProfessionalRequest

    @property
    def state(self) -> str:
        if self.post is not None:
            return self.post.state
        if self.message is not None:
            return self.message.state
        if self.pro is not None:
            return pro_state(self.target_type, self.pro)
        return "published"

    @property
    def is_content(self) -> bool:
        return self.target_type in ("post", "message", *PRO_TYPES)


def pro_state(target_type: str, pro: Any) -> str:
    """A held question keeps the screening's state; an open request is "held" until a moderator decides."""
    if target_type == "pro_question":
        return pro.state
    return {"open": "held", "declined": "refused"}.get(pro.state, "published")


def load(target_type: str, target_id: int) -> Target:
    if not 0 < target_id < 2**31:
        raise NotFound(NOT_FOUND)
    if target_type == "post":
        post = db.session.get(Post, target_id)
        if post is None:
            raise NotFound(NOT_FOUND)
        return Target(
            "post", post.id, post.group_id, post.author, post=post, topic=db.session.get(Topic, post.topic_id)
        )
    if target_type == "message":
        message = db.session.get(Message, target_id)
        if message is None:
            raise NotFound(NOT_FOUND)
        conversation = db.session.get(Conversation, message.conversation_id)
        return Target("message", message.id, conversation.group_id, message.author, message=message,
                      conversation=conversation)  # fmt: skip
    if target_type in PRO_TYPES:
        from community.professionals.models import ProfessionalQuestion, ProfessionalRequest

        model = ProfessionalQuestion if target_type == "pro_question" else ProfessionalRequest
        pro = db.session.get(model, target_id)
        if pro is None:
            raise NotFound(NOT_FOUND)
        return Target(target_type, pro.id, pro.group_id, pro.member, pro=pro)
    raise NotFound(NOT_FOUND)


def is_opening_post(post: Post) -> bool:
    first = db.session.scalar(select(Post.id).where(Post.topic_id == post.topic_id).order_by(Post.id).limit(1))
    return first == post.id


def set_post_state(post: Post, topic: Topic, state: str, reason: str = "") -> None:
    """Move a post to ``state`` and keep its topic in step: the opening post carries the topic with it; a reply
    changes the reply count. Becoming published tells the topic's readers and the people it mentions."""
    before = post.state
    if before == state:
        return
    post.state, post.state_reason = state, reason
    if is_opening_post(post):
        topic.state = "held" if state == "rephrase" else state
        if state == "published":
            topic.last_activity_at = max(topic.last_activity_at, post.created_at)
    else:
        if before == "published":
            topic.reply_count = max(topic.reply_count - 1, 0)
        if state == "published":
            topic.reply_count += 1
            topic.last_activity_at = utcnow()
    db.session.flush()
    if state == "published":
        queue_event("forum:post", {"topic_id": topic.id, "post_id": post.id}, room=group_room(post.group_id))
        mentions.notify_on_publish(post)
        forum_events.post_published(post)  # replies notify the topic's writers once a moderator lets them through


def set_message_state(message: Message, conversation: Conversation, state: str, reason: str = "") -> None:
    """Move a chat message to ``state``: published is broadcast as new; anything else disappears live."""
    before = message.state
    if before == state:
        return
    message.state, message.state_reason = state, reason
    db.session.flush()
    room = conversation_room(message.conversation_id)
    if state == "published":
        is_moderator = message.author_id in moderator_ids(conversation.group_id, {message.author_id or 0})
        queue_event("chat:message", {"message": message_payload(message, author_is_moderator=is_moderator)}, room=room)
    elif before == "published":
        queue_event(
            "chat:message_removed",
            {"conversation_id": message.conversation_id, "message_id": message.id, "seq": message.seq},
            room=room,
        )


def set_pro_state(target: Target, state: str, reason: str = "") -> None:
    """Approve or refuse a held question or request. Held ones already reached the professionals (their own
    lists show them), so approving marks the question published and leaves an open request open for the
    professional to answer. Refusing takes a question off the team's list and declines a request; the member
    reads the reason on the request page and in the decision notice."""
    pro = target.pro
    if target.target_type == "pro_question":
        if state == "refused" and pro.status != "answered":
            pro.status, pro.claimed_by_id = "closed", None  # out of the team's waiting list
        elif state == "published" and pro.status == "closed":
            pro.status = "waiting"  # a refusal undone on appeal: back on the team's list
        pro.state = state
    elif state == "refused" and pro.state == "open":
        pro.state, pro.decided_at, pro.decline_note = "declined", utcnow(), reason
    elif state == "published" and pro.state == "declined" and not _open_request_exists(pro):
        pro.state, pro.decided_at, pro.decline_note = "open", None, ""  # a refusal undone on appeal
    db.session.flush()


def _open_request_exists(pro: Any) -> bool:
    """Another open request from the same member to the same professional (at most one may be open)."""
    model = type(pro)
    return (
        db.session.scalar(
            select(model.id).where(
                model.member_id == pro.member_id,
                model.professional_id == pro.professional_id,
                model.state == "open",
                model.id != pro.id,
            )
        )
        is not None
    )


def set_state(target: Target, state: str, reason: str = "") -> None:
    if target.post is not None and target.topic is not None:
        set_post_state(target.post, target.topic, state, reason)
    elif target.message is not None and target.conversation is not None:
        set_message_state(target.message, target.conversation, state, reason)
    elif target.pro is not None:
        set_pro_state(target, state, reason)
