"""A small chat world for the tests: one group with its room, two members, a moderator, and an outsider, each
able to open a Socket.IO test client signed in through the real HTTP sign-in."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select

from community.chat import services as chat
from community.chat.models import Message
from community.core.audit import AuditEntry
from community.extensions import db, socketio
from community.groups.models import Membership
from tests.factories import add_to_group, make_group, make_user, sign_in


@dataclass
class World:
    app: Flask
    group_id: int
    slug: str
    room_id: int
    other_group_id: int
    ids: dict[str, int] = field(default_factory=dict)
    sockets: list = field(default_factory=list)

    def socket(self, username: str):
        """A connected Socket.IO test client for ``username``, signed in over HTTP like a browser."""
        client = self.app.test_client()
        sign_in(client, username)
        socket = socketio.test_client(self.app, flask_test_client=client)
        assert socket.is_connected(), f"{username} could not connect"
        self.sockets.append(socket)
        return socket

    def http(self, username: str):
        client = self.app.test_client()
        sign_in(client, username)
        return client

    def close(self) -> None:
        for socket in self.sockets:
            if socket.is_connected():
                socket.disconnect()


def build_world(app: Flask, *, premoderation: str = "none", slow_mode: int = 0) -> World:
    with app.app_context():
        admin = make_user("admin", admin=True)
        group = make_group(admin, "Young people")
        other = make_group(admin, "Elsewhere")
        ids = {"admin": admin.id}
        for username, target, role in (
            ("sam", group, "member"),
            ("noor", group, "member"),
            ("youthworker", group, "moderator"),
            ("otto", other, "member"),
        ):
            user = make_user(username)
            add_to_group(admin, target, user, role=role)
            ids[username] = user.id
        group.premoderation, group.slow_mode_seconds = premoderation, slow_mode
        room = chat.group_room_conversation(group.id)
        db.session.commit()
        return World(app, group.id, group.slug, room.id, other.id, ids)


def set_membership(app: Flask, world: World, username: str, **values: object) -> None:
    with app.app_context():
        db.session.execute(
            Membership.__table__.update()
            .where(Membership.user_id == world.ids[username], Membership.group_id == world.group_id)
            .values(**values)
        )
        db.session.commit()


def events(socket, name: str) -> list[dict]:
    """The payloads of one kind of event this client has received since the last call (others are dropped)."""
    return [item["args"][0] for item in socket.get_received() if item["name"] == name]


def send(socket, world: World, body: str, client_id: str, **extra: object) -> dict:
    payload = {"conversation_id": world.room_id, "client_id": client_id, "body": body, **extra}
    return socket.emit("chat:send", payload, callback=True)


def stored_messages(app: Flask) -> list[Message]:
    with app.app_context():
        rows = db.session.scalars(select(Message).order_by(Message.conversation_id, Message.seq)).all()
        db.session.expunge_all()
        return list(rows)


def audit_actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
