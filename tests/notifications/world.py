"""A small notifications world: "Parents" with Sam (writes), Noor (hears, has an email address), Mona (moderator)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select

from community.auth.models import User
from community.extensions import db, socketio
from community.forum import coach, writing
from community.groups.services import open_group
from community.notifications import preferences
from tests.factories import add_to_group, make_group, make_user, sign_in

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
