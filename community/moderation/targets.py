"""Loading what a queue item or an action is about, and changing a post's or message's state with everything
that hangs on it (the topic's state and reply count, live updates, mentions). Used by actions and appeals.

``open_target`` is the moderation target lookup every staff page and action goes through: it decides whether
the actor may moderate the content, and for a message of a private conversation whether they may read it at
all (only as a participant, after a report, during a safeguarding case, or to decide a queue item about that
very message), writing the access log when they are not in the conversation. ``load`` is the raw loader for
code that already decided (the writer's own notices, the report threshold, appeals)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.chat import policy as chat_policy
from community.chat.models import Conversation, ConversationParticipant, Message
from community.chat.payloads import message_payload, moderator_ids
from community.core.errors import NotFound
from community.core.realtime import conversation_room, group_room, queue_event
from community.core.time import utcnow
from community.extensions import db
from community.forum import mentions
from community.forum import notices as forum_events
from community.forum.models import Post, Topic
from community.groups.models import Group, Membership
from community.moderation import policy
from community.moderation.models import Appeal, ModerationAction, QueueItem
from community.moderation.safeguarding import queries as safeguarding_queries

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
    # A private message opened by ``open_target``: why the actor may read it ("participant", "report", "case",
    # or "item": a queue item about this very message, which shows the message alone, not the conversation).
    grounds: str = ""

    @property
    def is_private_message(self) -> bool:
        return self.conversation is not None and self.conversation.kind == "private"

    @property
    def words_editable(self) -> bool:
        """Moderators may edit the words ("edit and approve") of posts and group room messages only."""
        return self.pro is None and chat_policy.can_edit_words_as_moderator(self.conversation)

    @property
    def read_by_staff(self) -> bool:
        """A private message read by someone who is not in the conversation: the access log has its lines."""
        return self.is_private_message and self.grounds != "participant"

    @property
    def shows_conversation(self) -> bool:
        """May the messages around it be shown? Not for a private message seen only to decide its queue item."""
        return self.grounds != "item"

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


def open_target(
    actor: User, target_type: str, target_id: int, *, item: QueueItem | None = None
) -> tuple[Group, Target]:
    """The post, message or question, and its group, if the actor may moderate it there; NotFound otherwise.

    A message of a private conversation is reachable by someone who is not in it only on grounds about that
    conversation: a report, an open safeguarding case, or (``item``) an open queue item about that very message
    (held by the screening, reported, appealed). Each such opening writes the access log in the caller's
    transaction (one line per participant); the adapter commits it.
    """
    target = load(target_type, target_id)
    group = db.session.get(Group, target.group_id)
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == actor.id, Membership.group_id == target.group_id)
    )
    if group is None or not policy.can_moderate(actor, group, membership):
        raise NotFound(NOT_FOUND)
    if not target.is_private_message:
        return group, target
    grounds = _private_grounds(actor, target, item)
    if grounds is None:
        raise NotFound(NOT_FOUND)
    target = replace(target, grounds=grounds)
    if target.read_by_staff:
        from community.chat.services import participant_history
        from community.groups.access_log import record_private_conversation_reading

        people = participant_history(target.conversation.id)
        record_private_conversation_reading(actor, target.conversation, people)
    return group, target


def _private_grounds(actor: User, target: Target, item: QueueItem | None) -> str | None:
    conversation = target.conversation
    participant = db.session.scalar(
        select(ConversationParticipant).where(
            ConversationParticipant.conversation_id == conversation.id, ConversationParticipant.user_id == actor.id
        )
    )
    if chat_policy.is_participant(actor, participant):
        return "participant"
    if conversation.reported:
        return "report"
    if conversation.id in safeguarding_queries.conversations_with_open_case([conversation.id]):
        return "case"
    if item is not None and item.resolved_at is None and _about(item, target):
        return "item"
    return None


def _about(item: QueueItem, target: Target) -> bool:
    """Is this queue item about this very post or message (held, reported, or an appeal of a decision on it)?"""
    if item.kind == "appeal":
        original = db.session.scalar(
            select(ModerationAction)
            .join(Appeal, Appeal.action_id == ModerationAction.id)
            .where(Appeal.id == item.target_id)
        )
        return original is not None and (original.target_type, original.target_id) == (
            target.target_type, target.target_id)  # fmt: skip
    return item.kind in ("held", "report") and (item.target_type, item.target_id) == (
        target.target_type, target.target_id)  # fmt: skip


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
