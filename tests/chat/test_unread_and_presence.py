"""Unread counts for the navigation, and who is online in a group."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accessibility.models import MemberPreferences
from community.auth import sessions as auth_sessions
from community.auth.models import User
from community.chat import presence, private, unread
from community.chat.models import ChatRead
from community.core import page_preloads
from community.extensions import db
from community.groups.services import open_group
from tests.chat.helpers import build_world, events, send


@pytest.fixture
def world(db_app):
    world = build_world(db_app)
    yield world
    world.close()


def _unread(world, username: str) -> dict[int, int]:
    """The counts as a page gets them (with the session lookup, core.page_preloads) and as the separate query
    gives them: both must agree."""
    with world.app.app_context():
        token = auth_sessions.start_session(db.session.get(User, world.ids[username]))
        db.session.commit()
    with world.app.test_request_context("/"):
        user = auth_sessions.user_for_token(token, with_memberships=True)
        preloaded = page_preloads.get(user, unread.UNREAD_PRELOAD)
        page_preloads.forget(user, unread.UNREAD_PRELOAD)
        queried = unread.unread_counts(user)
    assert preloaded == queried, "the page's counts differ from the query's"
    return queried


def test_unread_counts_come_in_one_query_and_move_with_chat_read(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    for number in range(3):
        send(noor, world, f"n{number}", f"n{number}")
    send(sam, world, "my own words are never unread", "s1")
    assert _unread(world, "sam") == {world.room_id: 3}
    assert _unread(world, "otto") == {}, "another group's room is not counted"
    sam.get_received()
    assert sam.emit("chat:read", {"conversation_id": world.room_id, "seq": 2}, callback=True) == {"ok": True}
    assert events(sam, "chat:unread") == [{"conversation_id": world.room_id, "unread": 1}]
    assert _unread(world, "sam") == {world.room_id: 1}
    sam.emit("chat:read", {"conversation_id": world.room_id, "seq": 1}, callback=True)
    assert _unread(world, "sam") == {world.room_id: 1}, "reading never goes backwards"
    sam.emit("chat:read", {"conversation_id": world.room_id, "seq": 999}, callback=True)
    assert _unread(world, "sam") == {}
    with world.app.app_context():
        stored = db.session.scalars(select(ChatRead.last_read_seq)).all()
    assert stored == [4], "a read position past the last message is kept at the last message"


def test_unread_counts_are_capped_so_a_never_opened_room_costs_the_same(world, monkeypatch):
    monkeypatch.setattr(unread, "UNREAD_CAP", 2)
    auth_sessions._session_statement.cache_clear()  # the preload reads the cap when the statement is built
    try:
        noor = world.socket("noor")
        for number in range(4):
            send(noor, world, f"n{number}", f"n{number}")
        assert _unread(world, "sam") == {world.room_id: 2}
    finally:
        monkeypatch.undo()
        auth_sessions._session_statement.cache_clear()


def test_a_private_conversation_counts_for_its_participants_only(world):
    with world.app.app_context():
        sam = db.session.get(User, world.ids["sam"])
        started = private.start_private_conversation(sam, open_group(sam, world.slug), world.ids["youthworker"])
        db.session.commit()
        conversation_id = started.conversation.id
    worker = world.socket("youthworker")
    for number in range(2):
        answer = worker.emit(
            "chat:send", {"conversation_id": conversation_id, "client_id": f"p{number}", "body": f"Hi {number}"},
            callback=True,
        )  # fmt: skip
        assert answer["ok"], answer
    assert _unread(world, "sam") == {conversation_id: 2}
    assert _unread(world, "noor") == {}
    assert _unread(world, "youthworker") == {}


def test_presence_lists_connected_members_and_never_those_who_hide(world):
    sam = world.socket("sam")
    assert events(sam, "presence:update")[-1] == {
        "group_id": world.group_id, "online": [{"id": world.ids["sam"], "display_name": "Sam"}],
    }  # fmt: skip
    noor = world.socket("noor")
    online = events(sam, "presence:update")[-1]["online"]
    assert [person["display_name"] for person in online] == ["Noor", "Sam"]
    assert events(noor, "presence:update")[-1]["online"] == online

    with world.app.app_context():
        presence.set_hide_presence(db.session.get(User, world.ids["noor"]), True)
        db.session.commit()
        assert db.session.get(MemberPreferences, world.ids["noor"]).hide_presence is True
    assert [p["display_name"] for p in events(sam, "presence:update")[-1]["online"]] == ["Sam"]

    noor.disconnect()
    assert events(sam, "presence:update") == [], "a hidden member leaving changes nothing anyone saw"
    world.socket("youthworker")
    assert [p["display_name"] for p in events(sam, "presence:update")[-1]["online"]] == ["Sam", "Youthworker"]
    sam2 = world.socket("sam")  # a second tab of sam: sam was online already
    assert events(sam, "presence:update") == []
    sam2.disconnect()
    assert events(sam, "presence:update") == [], "still online in the first tab"


def test_presence_updates_when_someone_goes_offline(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    sam.get_received()
    noor.disconnect()
    assert events(sam, "presence:update") == [
        {"group_id": world.group_id, "online": [{"id": world.ids["sam"], "display_name": "Sam"}]}
    ]
