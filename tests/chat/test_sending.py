"""Joining a room, sending, resending, and catching up, through the Socket.IO events a browser uses."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from community.chat import message_history, sending
from community.chat import services as chat
from community.chat.models import Message
from community.extensions import db
from community.groups import services as groups
from tests.chat.helpers import build_world, events, send, stored_messages
from tests.conftest import _fresh_schema, build_app


@pytest.fixture
def world(db_app):
    """On SQLite and PostgreSQL: for what storage decides (numbering, resends, catch-up)."""
    world = build_world(db_app)
    yield world
    world.close()


@pytest.fixture
def sqlite_world(app):
    """On SQLite only: for the shape of answers and rooms."""
    world = build_world(app)
    yield world
    world.close()


def test_joining_the_room_answers_its_details_and_latest_messages_oldest_first(sqlite_world):
    sam = sqlite_world.socket("sam")
    for number in range(3):
        assert send(sam, sqlite_world, f"hello {number}", f"c-{number}")["ok"]
    noor = sqlite_world.socket("noor")
    ack = noor.emit("chat:join", {"conversation_id": sqlite_world.room_id}, callback=True)
    assert ack["ok"] is True
    assert ack["conversation"] == {
        "id": sqlite_world.room_id, "kind": "group", "group_id": sqlite_world.group_id, "title": "Young people",
        "last_seq": 3, "slow_mode_seconds": 0, "can_write": True, "care": False, "request_pending": False,
    }  # fmt: skip
    assert [m["seq"] for m in ack["messages"]] == [1, 2, 3]
    assert ack["has_more"] is False
    first = ack["messages"][0]
    assert first["author"] == {"id": sqlite_world.ids["sam"], "display_name": "Sam", "is_moderator": False}
    assert first["body_html"] == "<p>hello 0</p>\n"
    assert first["state"] == "published" and first["reply_to"] is None and first["reactions"] == {}
    assert first["created_at"].endswith("Z") and first["edited_at"] is None
    assert "client_id" not in first, "a client id is the writer's own bookkeeping"


def test_a_sent_message_is_stored_before_the_ack_and_reaches_everyone_in_the_room(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    for socket in (sam, noor):
        socket.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    ack = send(sam, world, "Is anyone **here**?", "first-message")
    assert ack["ok"] is True and ack["duplicate"] is False
    assert ack["message"]["client_id"] == "first-message"
    assert [(m.seq, m.client_id, m.body_source) for m in stored_messages(world.app)] == [
        (1, "first-message", "Is anyone **here**?")
    ]
    [broadcast] = events(noor, "chat:message")
    assert broadcast["message"]["id"] == ack["message"]["id"]
    assert broadcast["message"]["body_html"] == "<p>Is anyone <strong>here</strong>?</p>\n"
    assert "client_id" not in broadcast["message"]


def test_a_resend_with_the_same_client_id_stores_and_broadcasts_nothing_new(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    noor.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    first = send(sam, world, "hello", "resend-me")
    again = send(sam, world, "hello", "resend-me")
    assert again["ok"] is True and again["duplicate"] is True
    assert again["message"]["id"] == first["message"]["id"] and again["message"]["client_id"] == "resend-me"
    assert len(stored_messages(world.app)) == 1
    assert len(events(noor, "chat:message")) == 1


def test_catch_up_returns_exactly_the_missed_messages_in_order(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    noor.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    send(sam, world, "one", "c1")
    noor.disconnect()  # noor's connection drops; sam goes on
    for number in (2, 3, 4):
        send(sam, world, f"message {number}", f"c{number}")
    noor = world.socket("noor")
    ack = noor.emit("chat:catch_up", {"conversation_id": world.room_id, "after_seq": 1}, callback=True)
    assert ack["ok"] is True and ack["has_more"] is False
    assert [(m["seq"], m["body_html"]) for m in ack["messages"]] == [
        (2, "<p>message 2</p>\n"), (3, "<p>message 3</p>\n"), (4, "<p>message 4</p>\n"),
    ]  # fmt: skip
    nothing = noor.emit("chat:catch_up", {"conversation_id": world.room_id, "after_seq": 4}, callback=True)
    assert nothing == {"ok": True, "messages": [], "has_more": False}


def _age_every_change(app, hours: int = 2) -> None:
    """Make every change so far older than the catch-up overlap, as if the client had synced long after."""
    from datetime import timedelta

    from sqlalchemy import update

    from community.core.time import utcnow

    with app.app_context():
        db.session.execute(update(Message).values(changed_at=utcnow() - timedelta(hours=hours)))
        db.session.commit()


def test_catch_up_replays_edits_removals_and_reactions_made_while_away(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    sent = [send(sam, world, f"message {number}", f"c{number}")["message"] for number in range(4)]
    _age_every_change(world.app)
    joined = noor.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    synced_at = joined["synced_at"]
    assert synced_at.endswith("Z")
    noor.disconnect()  # while noor is away: one edit, one deletion, one reaction; message 3 stays as it was
    assert sam.emit("chat:edit", {"message_id": sent[0]["id"], "body": "message 0, corrected"}, callback=True)["ok"]
    assert sam.emit("chat:delete", {"message_id": sent[1]["id"]}, callback=True)["ok"]
    assert world.socket("youthworker").emit(
        "chat:react", {"message_id": sent[2]["id"], "kind": "hug", "on": True}, callback=True
    )["ok"]
    fresh = send(sam, world, "a new one", "c-new")["message"]

    noor = world.socket("noor")
    ack = noor.emit(
        "chat:catch_up",
        {"conversation_id": world.room_id, "after_seq": sent[-1]["seq"], "changed_since": synced_at},
        callback=True,
    )
    assert ack["ok"] is True
    assert [m["id"] for m in ack["messages"]] == [fresh["id"]], "new messages as before"
    updated = {m["id"]: m for m in ack["changes"]["updated"]}
    assert set(updated) == {sent[0]["id"], sent[2]["id"]}, "only what changed, and nothing newer than after_seq"
    assert updated[sent[0]["id"]]["body_html"] == "<p>message 0, corrected</p>\n"
    assert updated[sent[2]["id"]]["reactions"] == {"hug": 1}
    assert ack["changes"]["removed"] == [sent[1]["id"]]
    assert ack["synced_at"].endswith("Z")


def test_catch_up_without_changed_since_answers_as_before(world):
    sam = world.socket("sam")
    send(sam, world, "one", "c1")
    ack = world.socket("noor").emit("chat:catch_up", {"conversation_id": world.room_id, "after_seq": 0}, callback=True)
    assert "changes" not in ack and [m["seq"] for m in ack["messages"]] == [1]


def test_catch_up_is_bounded_and_says_when_there_is_more(world):
    sam = world.socket("sam")
    for number in range(5):
        send(sam, world, f"m{number}", f"c{number}")
    with world.app.app_context():
        sam_user = db.session.get(groups.User, world.ids["sam"])
        access = chat.open_conversation(sam_user, world.room_id)
        page = message_history.catch_up(access, 1, limit=3)
        assert [m.seq for m in page.messages] == [2, 3, 4] and page.has_more is True


def test_history_pages_back_through_older_messages(sqlite_world):
    sam = sqlite_world.socket("sam")
    for number in range(6):
        send(sam, sqlite_world, f"m{number}", f"c{number}")
    ack = sam.emit(
        "chat:history", {"conversation_id": sqlite_world.room_id, "before_seq": 5, "limit": 2}, callback=True
    )
    assert [m["seq"] for m in ack["messages"]] == [3, 4] and ack["has_more"] is True
    ack = sam.emit("chat:history", {"conversation_id": sqlite_world.room_id, "before_seq": 3}, callback=True)
    assert [m["seq"] for m in ack["messages"]] == [1, 2] and ack["has_more"] is False


def test_a_reply_carries_who_and_what_it_answers(sqlite_world):
    sam, noor = sqlite_world.socket("sam"), sqlite_world.socket("noor")
    first = send(sam, sqlite_world, "Does anyone else   sleep badly\nbefore a check-up?", "q")
    ack = send(noor, sqlite_world, "Me too", "a", reply_to_id=first["message"]["id"])
    excerpt = "Does anyone else sleep badly before a check-up?"
    assert ack["message"]["reply_to"] == {"id": first["message"]["id"], "author_name": "Sam", "excerpt": excerpt}
    missing = send(noor, sqlite_world, "Me too", "b", reply_to_id=999999)
    assert missing["ok"] is False and missing["code"] == "not_found"


def test_messages_in_one_room_get_gapless_increasing_numbers(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    for number in range(3):
        send(sam, world, f"s{number}", f"s{number}")
        send(noor, world, f"n{number}", f"n{number}")
    assert [m.seq for m in stored_messages(world.app)] == [1, 2, 3, 4, 5, 6]


@pytest.fixture
def postgres_app(postgres_url):
    yield from _fresh_schema(build_app(postgres_url))


def test_two_threads_sending_into_one_room_on_postgresql_get_distinct_gapless_numbers(postgres_app):
    app = postgres_app
    world = build_world(app)
    per_thread, errors = 25, []

    def sender(username: str) -> None:
        try:
            with app.app_context():
                user = db.session.get(groups.User, world.ids[username])
                for number in range(per_thread):
                    access = chat.open_conversation(user, world.room_id)
                    sending.send(access, client_id=f"{username}-{number}", body=f"{username} {number}")
                    db.session.commit()
        except Exception as error:  # noqa: BLE001 (reported below, from the main thread)
            errors.append(repr(error))

    app.config["RATELIMIT_ENABLED"] = False
    from community.extensions import limiter

    limiter.enabled = False
    try:
        threads = [threading.Thread(target=sender, args=(name,)) for name in ("sam", "noor")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        limiter.enabled = True
    assert errors == []
    with app.app_context():
        seqs = list(db.session.scalars(select(Message.seq).order_by(Message.seq)))
    assert seqs == list(range(1, 2 * per_thread + 1))


def test_after_leaving_a_room_its_messages_no_longer_arrive(sqlite_world):
    sam, noor = sqlite_world.socket("sam"), sqlite_world.socket("noor")
    noor.emit("chat:join", {"conversation_id": sqlite_world.room_id}, callback=True)
    assert noor.emit("chat:leave", {"conversation_id": sqlite_world.room_id}, callback=True) == {"ok": True}
    noor.get_received()
    send(sam, sqlite_world, "anyone?", "c1")
    assert events(noor, "chat:message") == []
