"""A small group for the forum writing tests: sam and noor are members, ravi moderates, otto is elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from community.auth.models import User
from community.extensions import db
from community.forum import writing
from community.forum.models import Post, PostRevision, Topic
from community.forum.read_models import TopicRead
from community.groups import services as groups
from community.groups.models import Group
from community.moderation.models import QueueItem
from tests.factories import add_to_group, make_group, make_user, sign_in


@dataclass
class World:
    app: Flask
    slug: str
    other_slug: str
    group_id: int
    ids: dict[str, int]

    def client(self, username: str) -> FlaskClient:
        client = self.app.test_client()
        sign_in(client, username)
        return client

    def topic(self, username: str, title: str = "Sleeping in hospital", body: str = "How do you sleep?", **kw) -> int:
        """A published topic written through the service; returns its id."""
        with self.app.app_context():
            user = db.session.get(User, self.ids[username])
            result = writing.create_topic(user, groups.open_group(user, self.slug), title=title, body=body, **kw)
            db.session.commit()
            return result.topic.id

    def reply(self, username: str, topic_id: int, body: str = "Earplugs help me.") -> int:
        with self.app.app_context():
            user = db.session.get(User, self.ids[username])
            result = writing.reply(user, groups.open_group(user, self.slug), topic_id, body=body)
            db.session.commit()
            return result.post.id

    def counts(self) -> dict[str, int]:
        """How many rows of each kind writing can create: to check that a refusal stored nothing."""
        with self.app.app_context():
            return {
                model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Topic, Post, PostRevision, QueueItem, TopicRead)
            }

    def set_group(self, **values: object) -> None:
        with self.app.app_context():
            group = db.session.get(Group, self.group_id)
            for key, value in values.items():
                setattr(group, key, value)
            db.session.commit()


def build_world(app: Flask) -> World:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Young people")
        other = make_group(admin, "Parents")
        ids = {"boss": admin.id}
        for username, target, role in (
            ("sam", group, "member"),
            ("noor", group, "member"),
            ("ravi", group, "moderator"),
            ("otto", other, "member"),
        ):
            user = make_user(username, display_name=username.capitalize())
            add_to_group(admin, target, user, role=role)
            ids[username] = user.id
        return World(app, group.slug, other.slug, group.id, ids)
