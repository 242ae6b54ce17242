"""The rooms chat holds inside a group (its conversations), for ``core.realtime.leave_group_rooms``: a member
who leaves a group also leaves the group's room and their private conversations there. Registered with
``core.realtime`` by chat's wiring."""

from __future__ import annotations

from sqlalchemy import select

from community.chat.models import Conversation, ConversationParticipant
from community.core.realtime import conversation_room
from community.extensions import db

_PREFIX = "conversation:"


class ConversationRooms:
    """Both run in the session's after-commit hook, where the session may not emit SQL: their own connection."""

    def rooms_in_group(self, group_id: int, rooms: set[str]) -> set[str]:
        candidates = sorted(int(name.removeprefix(_PREFIX)) for name in rooms if name.startswith(_PREFIX))
        if not candidates:
            return set()
        query = select(Conversation.id).where(Conversation.group_id == group_id, Conversation.id.in_(candidates))
        with db.engine.connect() as connection:
            return {conversation_room(cid) for cid in connection.execute(query).scalars()}

    def joinable_rooms(self, user_id: int, group_id: int) -> set[str]:
        mine = select(ConversationParticipant.conversation_id).where(ConversationParticipant.user_id == user_id)
        query = select(Conversation.id).where(
            Conversation.group_id == group_id,
            (Conversation.kind == "group") | Conversation.id.in_(mine),
        )
        with db.engine.connect() as connection:
            return {conversation_room(cid) for cid in connection.execute(query).scalars()}


conversation_rooms = ConversationRooms()
