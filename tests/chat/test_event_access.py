"""Every event checks who is asking and what they sent: outsiders and removed members get "not_found", a bad
payload gets "invalid" (or "too_large"), and nothing ever crashes the connection."""

from __future__ import annotations

import logging

import pytest

from community.auth.sessions import end_all_sessions
from community.chat import sending
from community.extensions import db
from community.groups import services as groups
from tests.chat.helpers import build_world, events, send, set_membership, stored_messages


@pytest.fixture
def world(app):
    world = build_world(app)
    yield world
    world.close()


def _payloads(world, message_id: int) -> dict[str, dict]:
    room = world.room_id
    return {
        "chat:join": {"conversation_id": room},
        "chat:history": {"conversation_id": room, "before_seq": 5},
        "chat:catch_up": {"conversation_id": room, "after_seq": 0},
        "chat:send": {"conversation_id": room, "client_id": "x-1", "body": "hi"},
        "chat:edit": {"message_id": message_id, "body": "changed"},
        "chat:delete": {"message_id": message_id},
        "chat:react": {"message_id": message_id, "kind": "hug", "on": True},
        "chat:typing": {"conversation_id": room},
        "chat:read": {"conversation_id": room, "seq": 1},
    }


def test_someone_outside_the_group_gets_not_found_on_every_event(world):
    message = send(world.socket("sam"), world, "for the group only", "c1")["message"]
    otto = world.socket("otto")
    for name, payload in _payloads(world, message["id"]).items():
        ack = otto.emit(name, payload, callback=True)
        assert (ack["ok"], ack["code"]) == (False, "not_found"), name
    assert otto.get_received() == [] or all(e["name"] == "presence:update" for e in otto.get_received())
    assert len(stored_messages(world.app)) == 1


def test_a_conversation_that_does_not_exist_is_not_found(world):
    sam = world.socket("sam")
    ack = sam.emit("chat:join", {"conversation_id": 424242}, callback=True)
    assert ack["code"] == "not_found" and ack["error"] == "We could not find that conversation."


def test_a_member_removed_mid_session_gets_not_found_at_the_next_event(world):
    sam = world.socket("sam")
    assert sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)["ok"]
    # As another server process would see it: the row changed, this socket was not told.
    set_membership(world.app, world, "sam", state="removed")
    for name, payload in _payloads(world, 1).items():
        ack = sam.emit(name, payload, callback=True)
        assert ack["code"] == "not_found", name
    assert stored_messages(world.app) == []


def test_removing_a_member_takes_their_sockets_out_of_the_groups_rooms_at_once(world):
    sam, noor = world.socket("sam"), world.socket("noor")
    for socket in (sam, noor):
        socket.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    with world.app.app_context():
        admin = db.session.get(groups.User, world.ids["admin"])
        group = db.session.get(groups.Group, world.group_id)
        sam_user = db.session.get(groups.User, world.ids["sam"])
        groups.remove_member(admin, group, sam_user, "Repeatedly hurtful")
        db.session.commit()
    assert not sam.is_connected(), "the removed member's socket is closed"
    send(noor, world, "still here?", "n1")
    assert events(noor, "chat:message")


def test_leave_group_rooms_takes_a_socket_out_of_the_group_room_and_its_conversations(world):
    from community.core.realtime import conversation_room, group_room, leave_group_rooms
    from community.extensions import socketio

    sam = world.socket("sam")
    sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    manager = socketio.server.manager

    def rooms_of_sam():
        with world.app.app_context():
            sids = [sid for sid, _ in manager.get_participants("/", f"user:{world.ids['sam']}")]
            return {room for sid in sids for room in manager.get_rooms(sid, "/")}

    assert {group_room(world.group_id), conversation_room(world.room_id)} <= rooms_of_sam()
    with world.app.app_context():
        leave_group_rooms(world.ids["sam"], world.group_id)
    left = rooms_of_sam()
    assert group_room(world.group_id) not in left and conversation_room(world.room_id) not in left
    assert f"user:{world.ids['sam']}" in left, "the socket itself stays connected"


def test_a_socket_whose_session_has_ended_is_refused_per_event(world):
    sam = world.socket("sam")
    with world.app.app_context():
        end_all_sessions(world.ids["sam"])
        db.session.commit()
    ack = send(sam, world, "hello?", "c1")
    assert ack["ok"] is False and ack["code"] == "forbidden"
    assert stored_messages(world.app) == []


BAD_PAYLOADS = [
    ("chat:join", None, "invalid"),
    ("chat:join", "not an object", "invalid"),
    ("chat:join", [1], "invalid"),
    ("chat:join", {}, "invalid"),
    ("chat:join", {"conversation_id": "1"}, "invalid"),
    ("chat:join", {"conversation_id": 1.0}, "invalid"),
    ("chat:join", {"conversation_id": True}, "invalid"),
    ("chat:join", {"conversation_id": -1}, "invalid"),
    ("chat:join", {"conversation_id": 2**40}, "invalid"),
    ("chat:leave", {"conversation_id": None}, "invalid"),
    ("chat:history", {"conversation_id": "{room}"}, "invalid"),
    ("chat:history", {"conversation_id": "{room}", "before_seq": 5, "limit": 51}, "invalid"),
    ("chat:history", {"conversation_id": "{room}", "before_seq": 5, "limit": 0}, "invalid"),
    ("chat:catch_up", {"conversation_id": "{room}", "after_seq": -1}, "invalid"),
    ("chat:catch_up", {"conversation_id": "{room}", "after_seq": "3"}, "invalid"),
    ("chat:catch_up", {"conversation_id": "{room}", "after_seq": 0, "changed_since": "yesterday"}, "invalid"),
    ("chat:catch_up", {"conversation_id": "{room}", "after_seq": 0, "changed_since": 1700000000}, "invalid"),
    ("chat:catch_up", {"conversation_id": "{room}", "after_seq": 0, "changed_since": "2026-" + "1" * 40}, "invalid"),
    ("chat:send", {"conversation_id": "{room}", "body": "hi"}, "invalid"),
    ("chat:send", {"conversation_id": "{room}", "client_id": "", "body": "hi"}, "invalid"),
    ("chat:send", {"conversation_id": "{room}", "client_id": "x" * 65, "body": "hi"}, "invalid"),
    ("chat:send", {"conversation_id": "{room}", "client_id": "has space", "body": "hi"}, "invalid"),
    ("chat:send", {"conversation_id": "{room}", "client_id": 12, "body": "hi"}, "invalid"),
    ("chat:send", {"conversation_id": "{room}", "client_id": "c", "body": 5}, "invalid"),
    ("chat:send", {"conversation_id": "{room}", "client_id": "c", "body": ""}, "invalid"),
    ("chat:send", {"conversation_id": "{room}", "client_id": "c", "body": "   \n "}, "invalid"),
    ("chat:send", {"conversation_id": "{room}", "client_id": "c", "body": "x" * 4001}, "too_large"),
    ("chat:send", {"conversation_id": "{room}", "client_id": "c", "body": "hi", "reply_to_id": "1"}, "invalid"),
    ("chat:edit", {"message_id": "1", "body": "x"}, "invalid"),
    ("chat:edit", {"message_id": 1, "body": None}, "invalid"),
    ("chat:delete", {"message_id": 1, "reason": "r" * 501}, "too_large"),
    ("chat:react", {"message_id": 1, "kind": "like", "on": True}, "invalid"),
    ("chat:react", {"message_id": 1, "kind": "hug", "on": "yes"}, "invalid"),
    ("chat:react", {"message_id": 1, "kind": "hug"}, "invalid"),
    ("chat:typing", {"conversation_id": "{room}x"}, "invalid"),
    ("chat:read", {"conversation_id": "{room}", "seq": "all"}, "invalid"),
]


@pytest.mark.parametrize(
    ("event", "payload", "code"), BAD_PAYLOADS, ids=[f"{e}-{i}" for i, (e, _p, _c) in enumerate(BAD_PAYLOADS)]
)
def test_a_bad_payload_gets_an_error_ack_and_stores_nothing(world, event, payload, code):
    sam = world.socket("sam")
    if isinstance(payload, dict):
        payload = {k: (world.room_id if v == "{room}" else v) for k, v in payload.items()}
    ack = sam.emit(event, payload, callback=True)
    assert ack["ok"] is False and ack["code"] == code and ack["error"], ack
    assert stored_messages(world.app) == []
    assert sam.emit("chat:join", {"conversation_id": world.room_id}, callback=True)["ok"], "the socket still works"


def test_an_event_without_any_payload_is_invalid(world):
    sam = world.socket("sam")
    assert sam.emit("chat:join", callback=True)["code"] == "invalid"


def test_unknown_fields_are_ignored(world):
    sam = world.socket("sam")
    ack = sam.emit(
        "chat:send", {"conversation_id": world.room_id, "client_id": "c", "body": "hi", "x": 1}, callback=True
    )
    assert ack["ok"] is True


def test_an_unexpected_failure_rolls_back_acks_a_generic_error_and_logs_only_its_type(world, monkeypatch, caplog):
    sam, noor = world.socket("sam"), world.socket("noor")
    noor.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    secret = "my very private words"

    def broken(*_args, **_kwargs):
        raise RuntimeError(f"database exploded near {secret}")

    monkeypatch.setattr(sending, "render_markdown", broken)
    with caplog.at_level(logging.INFO):
        ack = send(sam, world, secret, "c1")
    assert ack["ok"] is False and ack["code"] == "server_error" and ack["error"]
    assert secret not in caplog.text and "RuntimeError" in caplog.text
    assert stored_messages(world.app) == [] and events(noor, "chat:message") == []
    monkeypatch.undo()
    assert send(sam, world, "and now?", "c2")["ok"] is True, "the connection handler survived"


def test_a_message_that_cannot_be_stored_is_neither_acknowledged_nor_broadcast(world, monkeypatch):
    sam, noor = world.socket("sam"), world.socket("noor")
    noor.emit("chat:join", {"conversation_id": world.room_id}, callback=True)
    noor.get_received()
    original_commit = db.session.commit

    def failing_commit():
        raise RuntimeError("disk full")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    ack = send(sam, world, "lost?", "c1")
    monkeypatch.setattr(db.session, "commit", original_commit)
    assert ack["ok"] is False and ack["code"] == "server_error"
    assert events(noor, "chat:message") == [], "nothing is broadcast that was not stored"
    assert stored_messages(world.app) == []
    retry = send(sam, world, "lost?", "c1")
    assert retry["ok"] is True and retry["duplicate"] is False and retry["message"]["seq"] == 1


def test_the_socket_server_allows_only_the_sites_own_origin_and_small_frames(app):
    from community.extensions import socketio

    engine = socketio.server.eio
    assert engine.cors_allowed_origins == [app.config["BASE_URL"]] and "*" not in engine.cors_allowed_origins
    assert engine.max_http_buffer_size == app.config["SOCKETIO_MAX_HTTP_BUFFER_SIZE"] == 64 * 1024


def test_a_proxy_is_never_trusted_with_the_host():
    from werkzeug.middleware.proxy_fix import ProxyFix

    from tests.conftest import build_app

    layer, fixes = build_app(TRUSTED_PROXY_COUNT=1).wsgi_app, []
    while layer is not None:  # Flask-SocketIO wraps the app; ProxyFix is inside
        fixes += [layer] if isinstance(layer, ProxyFix) else []
        layer = getattr(layer, "wsgi_app", None) or getattr(layer, "app", None)
    assert len(fixes) == 1 and fixes[0].x_host == 0 and fixes[0].x_for == 1
