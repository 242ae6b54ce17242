"""A small world for the queue, action, report and appeal tests: a group where every member's post is held,
two moderators, two members, and helpers that go through the real pages."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from community.chat import sending
from community.chat import services as chat
from community.core.audit import AuditEntry
from community.extensions import db
from community.forum import writing as forum
from community.groups import services as groups
from community.groups.models import Group, Membership
from community.moderation.models import QueueItem
from tests.factories import SignedInGroupWorld, add_to_group, make_group, make_user, post_form


class World(SignedInGroupWorld):
    """See tests.factories.SignedInGroupWorld; helpers for this module's tests."""

    def topic(self, author: str, body: str = "Is anyone else awake?", title: str = "Night thoughts"):
        """A new topic by ``author`` through the service (held for members: the group checks everything)."""
        with self.app.app_context():
            user = db.session.get(groups.User, self.ids[author])
            access = groups.open_group(user, self.slug)
            result = forum.create_topic(user, access, title=title, body=body)
            db.session.commit()
            return result.topic.id, result.post.id

    def reply(self, author: str, topic_id: int, body: str = "Same here."):
        with self.app.app_context():
            user = db.session.get(groups.User, self.ids[author])
            access = groups.open_group(user, self.slug)
            result = forum.reply(user, access, topic_id, body=body)
            db.session.commit()
            return result.post.id

    def message(self, author: str, body: str = "Hello room", client_id: str | None = None) -> int:
        with self.app.app_context():
            user = db.session.get(groups.User, self.ids[author])
            room = chat.group_room_conversation(self.group_id)
            access = chat.open_conversation(user, room.id)
            result = sending.send(access, client_id=client_id or f"c-{author}-{body}", body=body)
            db.session.commit()
            return result.message.id

    def open_items(self, target_type: str, target_id: int) -> list[QueueItem]:
        with self.app.app_context():
            return list(
                db.session.scalars(
                    select(QueueItem).where(
                        QueueItem.target_type == target_type,
                        QueueItem.target_id == target_id,
                        QueueItem.resolved_at.is_(None),
                    )
                )
            )

    def item_id(self, target_type: str, target_id: int, kind: str | None = None) -> int:
        items = [i for i in self.open_items(target_type, target_id) if kind is None or i.kind == kind]
        assert items, f"no open queue item for {target_type} {target_id}"
        return items[0].id

    def audit(self, action: str) -> list[AuditEntry]:
        with self.app.app_context():
            return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))

    def membership(self, name: str) -> Membership:
        with self.app.app_context():
            return db.session.scalar(
                select(Membership).where(Membership.user_id == self.ids[name], Membership.group_id == self.group_id)
            )

    def act(self, moderator: str, item_id: int, action: str, **data):
        return post_form(
            self.client(moderator),
            f"/moderation/items/{item_id}/act",
            {"action": action, **data},
            form_page=f"/moderation/items/{item_id}",
        )


def build_world(app: Flask, *, premoderation: str = "all") -> World:
    with app.app_context():
        admin = make_user("root", admin=True)
        group = make_group(admin, "Night owls")
        other = make_group(admin, "Elsewhere")
        ids = {"root": admin.id}
        for name, role, where in (
            ("mona", "moderator", group),
            ("max", "moderator", group),
            ("mia", "member", group),
            ("noah", "member", group),
            ("lena", "member", group),
            ("otto", "member", other),
            ("oscar", "moderator", other),
        ):
            user = make_user(name)
            add_to_group(admin, where, user, role=role)
            ids[name] = user.id
        db.session.get(Group, group.id).premoderation = premoderation
        db.session.commit()
        return World(app, group.id, group.slug, ids)


def add_matrix_items(people: dict, group: Group, post_id: int) -> dict[str, int]:
    """For the authorization matrix: an open report on the member's post, and a decision about the member."""
    from community.moderation.models import ModerationAction

    item = QueueItem(group_id=group.id, kind="report", priority=2, target_type="post", target_id=post_id, reason="")
    decision = ModerationAction(
        group_id=group.id, actor_id=people["moderator"].id, subject_id=people["member"].id, action="warn",
        target_type="post", target_id=post_id, reason="Be kind",
    )  # fmt: skip
    db.session.add_all([item, decision])
    db.session.flush()
    return {"queue_item": item.id, "decision": decision.id}
