"""What chat tells the notifications feature: a private message, an "@Name" in a room's message, a reply to
someone's message; and that a member has read a private conversation.

Called once a message is published: by ``chat.sending.send``, and for a held message when a moderator approves
it (``chat.moderated.set_message_state``). Only people who can read the conversation now hear of it; whom a
recipient muted or blocked is filtered by ``notifications.notify`` itself. Chat calls
``notifications.services``; notifications never reads chat (the inbox links come from ``chat.wiring``).

In a private conversation its participants hear of every message through "private_message", told once until
they read the conversation: a mention or a reply there adds nothing, so those two are for group rooms.
"""

from __future__ import annotations

from sqlalchemy import select

from community.chat.models import Conversation, ConversationParticipant, Message
from community.extensions import db
from community.groups.mentions import link_mentions
from community.groups.models import Membership
from community.groups.policy import READING_STATES
from community.notifications import services as notifications

MENTION_LIMIT = 10  # people told about one message (as in the forum: a list of names is not a message)
PRIVATE_KINDS = ("private_message",)  # what reading a private conversation clears


def message_published(conversation: Conversation, message: Message) -> None:
    """A message became visible: tell whoever it concerns (never its writer)."""
    if message.state != "published":
        return
    if conversation.kind == "private":
        _private_message(conversation, message)
    else:
        _room_message(conversation, message)


def _private_message(conversation: Conversation, message: Message) -> None:
    partners = set(
        db.session.scalars(
            select(ConversationParticipant.user_id)
            .join(
                Membership,
                (Membership.user_id == ConversationParticipant.user_id)
                & (Membership.group_id == conversation.group_id),
            )
            .where(
                ConversationParticipant.conversation_id == conversation.id,
                ConversationParticipant.left_at.is_(None),
                Membership.state.in_(READING_STATES),
            )
        )
    ) - {message.author_id}
    notifications.notify(
        sorted(partners), kind="private_message", actor_id=message.author_id, group_id=conversation.group_id,
        target_type="conversation", target_id=conversation.id,
    )  # fmt: skip


def _room_message(conversation: Conversation, message: Message) -> None:
    # The room's readers are the group's readers: link_mentions finds only them.
    _html, mentioned = link_mentions(conversation.group_id, message.body_html)
    mentioned = [user_id for user_id in mentioned if user_id != message.author_id][:MENTION_LIMIT]
    told = notifications.already_notified("chat_mention", "message", message.id)
    notifications.notify(
        [user_id for user_id in mentioned if user_id not in told], kind="chat_mention", actor_id=message.author_id,
        group_id=conversation.group_id, target_type="message", target_id=message.id,
    )  # fmt: skip
    if message.reply_to_id is None:
        return
    replied_author = db.session.scalar(select(Message.author_id).where(Message.id == message.reply_to_id))
    if replied_author is None or replied_author == message.author_id or replied_author in mentioned:
        return  # one notice per message: a mention says more than a reply
    if replied_author in notifications.already_notified("reply", "message", message.id):
        return
    reads = db.session.scalar(
        select(Membership.id).where(
            Membership.group_id == conversation.group_id,
            Membership.user_id == replied_author,
            Membership.state.in_(READING_STATES),
        )
    )
    if reads is None:
        return  # left the group, or was removed: they can no longer read the room
    notifications.notify(
        [replied_author], kind="reply", actor_id=message.author_id, group_id=conversation.group_id,
        target_type="message", target_id=message.id,
    )  # fmt: skip


def conversation_read(user_id: int, conversation_id: int) -> int:
    """The member read (or wrote in) a private conversation: its unread notices are read, and their pages'
    counts update after the commit. Returns how many changed."""
    return notifications.mark_target_read(user_id, PRIVATE_KINDS, "conversation", conversation_id)
