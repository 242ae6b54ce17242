"""The chat service stores before it broadcasts, numbers messages per room, and makes resends harmless."""

from __future__ import annotations

from sqlalchemy import select

from community.chat import sending
from community.chat import services as chat
from community.chat.models import Message
from community.core.errors import DomainError
from community.extensions import db
from community.groups import services as groups
from tests.factories import add_to_group, make_group, make_user


def _room(app):
    admin = make_user("boss", admin=True)
    group = make_group(admin, "Young people")
    sam = make_user("sam")
    add_to_group(admin, group, sam)
    return sam, groups.open_group(sam, group.slug), chat.group_room_conversation(group.id)


def test_messages_get_increasing_seq_without_gaps_and_a_resend_is_the_same_message(db_app):
    with db_app.app_context():
        sam, access, room = _room(db_app)
        first = sending.send_message(sam, access, room, client_id="c-1", body="hello")
        second = sending.send_message(sam, access, room, client_id="c-2", body="again")
        resent = sending.send_message(sam, access, room, client_id="c-1", body="hello")
        db.session.commit()
        assert (first.message.seq, second.message.seq) == (1, 2)
        assert resent.duplicate and resent.message.id == first.message.id
        assert [m.seq for m in db.session.scalars(select(Message).order_by(Message.seq))] == [1, 2]


def test_empty_or_oversized_messages_store_nothing(app):
    with app.app_context():
        sam, access, room = _room(app)
        for body in ("", "   ", "x" * (sending.MESSAGE_MAX + 1)):
            try:
                sending.send_message(sam, access, room, client_id=f"c-{len(body)}", body=body)
            except DomainError as error:
                assert error.message
            else:
                raise AssertionError(f"accepted {body[:10]!r}")
        db.session.rollback()
        assert db.session.scalars(select(Message)).all() == []
