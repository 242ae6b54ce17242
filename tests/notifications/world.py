"""A small notifications world: "Parents" with Sam (writes), Noor (hears, has an email address), Mona (moderator)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import func, select

from community.auth.models import User
from community.chat import private
from community.chat import services as chat
from community.extensions import db, socketio
from community.forum import coach, writing
from community.groups.models import Group
from community.groups.services import open_group
from community.moderation.models import QueueItem
from community.notifications import preferences, services
from community.notifications.models import Notification
from tests.factories import add_to_group, csrf_token, make_group, make_user, post_form, sign_in

NOOR_EMAIL = "noor@example.org"
SECRET_WORDS = "my-secret-diagnosis"  # member content that must never reach an email


@dataclass
class World:
    app: Flask
    slug: str
    group_id: int
    ids: dict[str, int] = field(default_factory=dict)

    def user(self, name: str) -> User:
        return db.session.get(User, self.ids[name])

    def http(self, name: str):
        client = self.app.test_client()
        sign_in(client, name)
        return client

    def socket(self, name: str):
        client = self.http(name)
        live = socketio.test_client(self.app, flask_test_client=client)
        assert live.is_connected()
        live.get_received()
        return live

    def topic(self, by: str, title: str, body: str = "Hello") -> writing.WriteResult:
        actor = self.user(by)
        result = writing.create_topic(actor, open_group(actor, self.slug), title=title, body=body)
        db.session.commit()
        return result

    def reply(self, by: str, topic_id: int, body: str) -> writing.WriteResult:
        actor = self.user(by)
        result = writing.reply(actor, open_group(actor, self.slug), topic_id, body=body)
        db.session.commit()
        return result

    def announce(self, title: str, body: str):
        actor = self.user("mona")
        made = coach.create_announcement(actor, open_group(actor, self.slug), title=title, body=body)
        db.session.commit()
        return made

    def room_id(self) -> int:
        with self.app.app_context():
            return chat.group_room_conversation(self.group_id).id

    def private(self, by: str, to: str) -> int:
        """A private conversation between two members (the chat's own service, as its page's form does)."""
        with self.app.app_context():
            db.session.get(Group, self.group_id).member_messages_allowed = True  # off by default
            for name in (by, to):
                self.user(name).year_of_birth = self.user(name).year_of_birth or 1990  # two adults
            actor = self.user(by)
            started = private.start_private_conversation(actor, open_group(actor, self.slug), self.ids[to])
            db.session.commit()
            return started.conversation.id

    def say(self, live, conversation_id: int, body: str, **extra) -> dict:
        """Send a chat message over Socket.IO (``live``: a socket of the writer); returns the ack."""
        self._sent = getattr(self, "_sent", 0) + 1
        payload = {"conversation_id": conversation_id, "client_id": f"c{self._sent}", "body": body, **extra}
        ack = live.emit("chat:send", payload, callback=True)
        assert ack.get("ok"), ack
        return ack

    def unread(self, name: str) -> int:
        with self.app.app_context():
            return services.unread_count(self.ids[name])

    def mute(self, who: str, whom: str, kind: str = "mute") -> None:
        """``who`` mutes (or blocks) ``whom`` through the safety form on the profile."""
        client = self.http(who)
        token = csrf_token(client, "/moderation/safety")
        response = client.post(
            f"/moderation/safety/{self.ids[whom]}", data={"kind": kind, "on": "1", "csrf_token": token}
        )
        assert response.status_code == 303

    def prefer(self, name: str, kind: str, *, in_app: bool = True, email: str = "immediately") -> None:
        preferences.save_kind_preferences(self.user(name), [(kind, in_app, email)])
        db.session.commit()


def build_world(app: Flask) -> World:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        ids = {"boss": admin.id}
        for name, role, email in (("sam", "member", "sam@example.org"), ("noor", "member", NOOR_EMAIL),
                                  ("mona", "moderator", "mona@example.org")):  # fmt: skip
            user = make_user(name, display_name=name.capitalize(), email=email)
            add_to_group(admin, group, user, role=role)
            ids[name] = user.id
        return World(app, group.slug, group.id, ids)


def notifications_of(live) -> list[dict]:
    return [item["args"][0] for item in live.get_received() if item["name"] == "notification:new"]


def noor_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == "noor"))


def set_premoderation(world: World, mode: str) -> None:
    with world.app.app_context():
        db.session.get(Group, world.group_id).premoderation = mode
        db.session.commit()


def approve(world: World, target_type: str, target_id: int, moderator: str = "mona") -> None:
    """A moderator approves a held item on its queue page (the real form)."""
    with world.app.app_context():
        item_id = db.session.scalar(
            select(QueueItem.id).where(QueueItem.target_type == target_type, QueueItem.target_id == target_id)
        )
    client = world.http(moderator)
    page = f"/moderation/items/{item_id}"
    response = post_form(client, f"{page}/act", {"action": "approve"}, form_page=page)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]


def rows_of(app: Flask, kind: str, user_id: int) -> int:
    """How many notifications of ``kind`` the member has (read or not, shown or email-only)."""
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == kind, Notification.user_id == user_id)
        )


def page_text(page: str) -> str:
    """A page's words without its markup (names and titles sit in <bdi>)."""
    return " ".join(re.sub(r"<[^>]+>", "", page).split())
