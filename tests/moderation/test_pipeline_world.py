"""A small world for the pipeline-rule tests (no tests here): one group with a moderator (mia), two members
(sam, noor), an admin (ada) and an outsider (otto) in another group. Helpers go through the real services."""

from __future__ import annotations

import pytest
from flask import Flask

from community.auth.models import User
from community.chat import sending
from community.chat import services as chat
from community.extensions import db
from community.forum import writing as forum
from community.groups import services as groups
from community.groups.models import Group, Membership
from community.moderation import services as pipeline
from tests.factories import SignedInGroupWorld, add_to_group, make_group, make_user


class PipelineWorld(SignedInGroupWorld):
    """See tests.factories.SignedInGroupWorld; helpers for this module's tests."""

    def user(self, name: str) -> User:
        return db.session.get(User, self.ids[name])

    def group(self) -> Group:
        return db.session.get(Group, self.group_id)

    def membership(self, name: str) -> Membership:
        return db.session.scalar(
            db.select(Membership).where(Membership.user_id == self.ids[name], Membership.group_id == self.group_id)
        )

    def screen(self, name: str, text: str, kind: str = "reply", **kw) -> pipeline.Screening:
        """Call the pipeline as the forum does (inside an app context)."""
        return pipeline.screen(self.user(name), self.group(), self.membership(name), text, kind=kind, **kw)

    def topic(self, author: str, body: str = "How do you sleep?", title: str = "Sleeping in hospital") -> int:
        with self.app.app_context():
            user = self.user(author)
            result = forum.create_topic(user, groups.open_group(user, self.slug), title=title, body=body)
            db.session.commit()
            return result.topic.id

    def reply(self, author: str, topic_id: int, body: str = "Earplugs help me.") -> forum.WriteResult:
        with self.app.app_context():
            user = self.user(author)
            result = forum.reply(user, groups.open_group(user, self.slug), topic_id, body=body)
            db.session.commit()
            return result

    def message(self, author: str, body: str, client_id: str, reply_to_id: int | None = None) -> int:
        with self.app.app_context():
            user = self.user(author)
            room = chat.group_room_conversation(self.group_id)
            result = sending.send(
                chat.open_conversation(user, room.id), client_id=client_id, body=body, reply_to_id=reply_to_id
            )
            db.session.commit()
            return result.message.id

    def room_id(self) -> int:
        with self.app.app_context():
            return chat.group_room_conversation(self.group_id).id


def build_world(app: Flask) -> PipelineWorld:
    with app.app_context():
        ada = make_user("ada", admin=True)
        group = make_group(ada, name="Parents of teens")
        other = make_group(ada, name="Elsewhere")
        ids = {"ada": ada.id}
        for name, role, where in (
            ("mia", "moderator", group),
            ("sam", "member", group),
            ("noor", "member", group),
            ("otto", "member", other),
        ):
            user = make_user(name)
            add_to_group(ada, where, user, role=role)
            ids[name] = user.id
        return PipelineWorld(app, group.id, group.slug, ids)


@pytest.fixture(name="world")
def world_fixture(db_app: Flask) -> PipelineWorld:
    return build_world(db_app)


def add_matrix_filters(people: dict, group: Group) -> dict[str, int]:
    """For the authorization matrix: an instance-wide filter and one of ``group`` (ids by placeholder name)."""
    from community.moderation.filter_models import KeywordFilter

    instance_rule = KeywordFilter(pattern="casino", match="word", action="hold", created_by_id=people["admin"].id)
    group_rule = KeywordFilter(pattern="loser", match="word", action="refuse", group_id=group.id)
    db.session.add_all([instance_rule, group_rule])
    db.session.flush()
    return {"filter": instance_rule.id, "group_filter": group_rule.id}
