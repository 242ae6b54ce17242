"""Moderation in real time: held messages, removal reaching every screen, mutes, slow mode, rate limits,
and changing one's own messages within the window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.chat import editing
from community.chat.models import Message
from community.core.audit import AuditEntry
from community.core.time import utcnow
from community.extensions import db
from community.moderation.models import QueueItem
from tests.chat.helpers import audit_actions, build_world, events, send, set_membership, stored_messages
from tests.conftest import build_app


@pytest.fixture
def world(app):
    world = build_world(app)
    yield world
    world.close()


def _join(world, *sockets):
    for socket in sockets:
        assert socket.emit("chat:join", {"conversation_id": world.room_id}, callback=True)["ok"]


def test_a_held_message_is_shown_to_its_writer_and_moderators_and_broadcast_to_nobody(db_app):
    world = build_world(db_app, premoderation="all")
    try:
        sam, noor, mod = world.socket("sam"), world.socket("noor"), world.socket("youthworker")
        _join(world, sam, noor, mod)
        ack = send(sam, world, "Please check me first", "held-1")
        assert ack["ok"] is True and ack["message"]["state"] == "held"
        assert events(noor, "chat:message") == [] and events(mod, "chat:message") == []
        with db_app.app_context():
            queued = db.session.scalars(select(QueueItem.target_id).where(QueueItem.target_type == "message")).all()
        assert queued == [ack["message"]["id"]]

        def visible_to(socket):
            joined = socket.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
            return [(m["seq"], m["state"]) for m in joined["messages"]]

        assert visible_to(sam) == [(1, "held")]
        assert visible_to(mod) == [(1, "held")]
        assert visible_to(noor) == []
        caught_up = noor.emit("chat:catch_up", {"conversation_id": world.room_id, "after_seq": 0}, callback=True)
        assert caught_up["messages"] == []
    finally:
        world.close()


def test_a_moderator_removes_a_message_and_every_open_screen_hears_it_at_once(db_app):
    world = build_world(db_app)
    try:
        sam, noor, mod = world.socket("sam"), world.socket("noor"), world.socket("youthworker")
        _join(world, sam, noor, mod)
        message = send(sam, world, "something hurtful", "c1")["message"]
        for socket in (sam, noor, mod):
            socket.get_received()
        ack = mod.emit("chat:delete", {"message_id": message["id"], "reason": "Hurtful"}, callback=True)
        assert ack == {"ok": True}
        expected = {"conversation_id": world.room_id, "message_id": message["id"], "seq": 1}
        assert events(noor, "chat:message_removed") == [expected]
        assert events(sam, "chat:message_removed") == [expected]
        [stored] = stored_messages(db_app)
        assert stored.state == "removed" and stored.state_reason == "Hurtful"
        with db_app.app_context():
            entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "message.removed")).one()
            assert (entry.actor_id, entry.target_id, entry.group_id) == (
                world.ids["youthworker"], message["id"], world.group_id,
            )  # fmt: skip
            assert entry.reason == "Hurtful" and "something" not in str(entry.details)
        again = mod.emit("chat:delete", {"message_id": message["id"]}, callback=True)
        assert again == {"ok": True}, "a resent removal is harmless"
        assert audit_actions(db_app).count("message.removed") == 1
        joined = noor.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
        assert joined["messages"] == []
    finally:
        world.close()


def test_a_member_cannot_remove_someone_elses_message(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    message = send(sam, world, "mine", "c1")["message"]
    ack = noor.emit("chat:delete", {"message_id": message["id"]}, callback=True)
    assert ack["ok"] is False and ack["code"] == "forbidden" and ack["error"]
    assert stored_messages(world.app)[0].state == "published"


def test_a_writer_deletes_their_own_message_within_the_window_and_its_words_are_gone(world, monkeypatch):
    sam, noor = world.socket("sam"), world.socket("noor")
    _join(world, noor)
    first = send(sam, world, "oops, wrong room", "c1")["message"]
    assert sam.emit("chat:delete", {"message_id": first["id"]}, callback=True) == {"ok": True}
    assert events(noor, "chat:message_removed")[0]["message_id"] == first["id"]
    [stored] = stored_messages(world.app)
    assert (stored.state, stored.body_source, stored.body_html) == ("deleted", "", "")
    assert "message.removed" not in audit_actions(world.app), "taking back one's own words is not moderation"

    second = send(sam, world, "older message", "c2")["message"]
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(editing, "utcnow", lambda: later)
    ack = sam.emit("chat:delete", {"message_id": second["id"]}, callback=True)
    assert ack["ok"] is False and ack["code"] == "forbidden"


def test_a_writer_edits_their_message_within_the_window_and_others_see_the_change(world, monkeypatch):
    sam, noor = world.socket("sam"), world.socket("noor")
    _join(world, noor)
    message = send(sam, world, "helo", "c1")["message"]
    ack = sam.emit("chat:edit", {"message_id": message["id"], "body": "hello"}, callback=True)
    assert ack["ok"] is True and ack["message"]["body_html"] == "<p>hello</p>\n" and ack["message"]["edited_at"]
    [update] = events(noor, "chat:message_updated")
    assert update["message"]["id"] == message["id"] and update["message"]["body_html"] == "<p>hello</p>\n"

    not_mine = noor.emit("chat:edit", {"message_id": message["id"], "body": "mine now"}, callback=True)
    assert not_mine["ok"] is False and not_mine["code"] == "forbidden"
    too_long = sam.emit("chat:edit", {"message_id": message["id"], "body": "x" * 4001}, callback=True)
    assert too_long["ok"] is False and too_long["code"] == "too_large"
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(editing, "utcnow", lambda: later)
    late = sam.emit("chat:edit", {"message_id": message["id"], "body": "hello again"}, callback=True)
    assert late["ok"] is False and late["code"] == "forbidden"
    assert stored_messages(world.app)[0].body_source == "hello"


def test_reactions_count_once_per_person_and_kind_and_reach_the_room(world):
    sam, noor, mod = world.socket("sam"), world.socket("noor"), world.socket("youthworker")
    _join(world, sam)
    message = send(sam, world, "Today was hard", "c1")["message"]
    sam.get_received()
    react = {"message_id": message["id"], "kind": "hug", "on": True}
    assert noor.emit("chat:react", react, callback=True) == {"ok": True, "reactions": {"hug": 1}}
    assert noor.emit("chat:react", react, callback=True) == {"ok": True, "reactions": {"hug": 1}}
    assert mod.emit("chat:react", {**react, "kind": "strength"}, callback=True)["reactions"] == {
        "hug": 1, "strength": 1,
    }  # fmt: skip
    assert noor.emit("chat:react", {**react, "on": False}, callback=True)["reactions"] == {"strength": 1}
    updates = events(sam, "chat:message_updated")
    assert [u["message"]["reactions"] for u in updates] == [{"hug": 1}, {"hug": 1, "strength": 1}, {"strength": 1}]
    joined = sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    assert joined["messages"][0]["reactions"] == {"strength": 1}


def test_a_muted_member_reads_and_joins_but_cannot_send(world):
    set_membership(world.app, world, "noor", state="muted")
    sam, noor = world.socket("sam"), world.socket("noor")
    send(sam, world, "hello", "c1")
    joined = noor.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    assert joined["ok"] is True and joined["conversation"]["can_write"] is False
    assert len(joined["messages"]) == 1
    ack = send(noor, world, "let me speak", "n1")
    assert ack["ok"] is False and ack["code"] == "muted" and ack["error"]
    typing = noor.emit("chat:typing", {"conversation_id": world.room_id}, callback=True)
    assert typing["code"] == "muted"
    assert len(stored_messages(world.app)) == 1


def test_slow_mode_makes_a_member_wait_and_says_how_long_but_not_a_moderator():
    app = build_app()
    with app.app_context():
        db.create_all()
    world = build_world(app, slow_mode=30)
    try:
        sam, mod = world.socket("sam"), world.socket("youthworker")
        assert send(sam, world, "one", "c1")["ok"]
        ack = send(sam, world, "two", "c2")
        assert ack["ok"] is False and ack["code"] == "slow_mode"
        assert 1 <= ack["seconds_left"] <= 30 and "slow mode" in ack["error"]
        assert send(sam, world, "one", "c1")["duplicate"] is True, "a resend is never slowed down"
        assert send(mod, world, "calm down, everyone", "m1")["ok"]
        assert send(mod, world, "thank you", "m2")["ok"]
        joined = sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
        assert joined["conversation"]["slow_mode_seconds"] == 30
    finally:
        world.close()
        with app.app_context():
            db.drop_all()


def test_sending_too_fast_is_refused_with_rate_limited():
    app = build_app(CHAT_SEND_RATE="3 per 10 seconds")
    with app.app_context():
        db.create_all()
    world = build_world(app)
    try:
        sam = world.socket("sam")
        acks = [send(sam, world, f"m{n}", f"c{n}") for n in range(4)]
        assert [ack["ok"] for ack in acks] == [True, True, True, False]
        assert acks[-1]["code"] == "rate_limited" and acks[-1]["seconds_left"] >= 1
        assert len(stored_messages(app)) == 3
    finally:
        world.close()
        with app.app_context():
            db.drop_all()


def test_typing_reaches_the_others_in_the_room_at_most_once_every_few_seconds(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    _join(world, sam, noor)
    for _ in range(3):
        assert sam.emit("chat:typing", {"conversation_id": world.room_id}, callback=True) == {"ok": True}
    assert events(noor, "chat:typing") == [
        {"conversation_id": world.room_id, "user": {"id": world.ids["sam"], "display_name": "Sam"}}
    ]
    assert events(sam, "chat:typing") == [], "the typist is not told about themselves"
    with world.app.app_context():
        assert db.session.scalar(select(Message.id)) is None, "typing is never stored"
