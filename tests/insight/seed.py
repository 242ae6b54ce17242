"""A seeded group with known answers. Posts, topics and messages are written through the real services and then
moved to fixed times; rows of other features (queue items, reports, professional questions, safeguarding cases)
are inserted as those features store them, by table, so this file does not depend on their services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import update

from community.auth.models import User
from community.chat import sending
from community.chat import services as chat
from community.chat.models import Message
from community.core import audit
from community.extensions import db
from community.forum import writing
from community.forum.models import Post, Topic
from community.groups import invitation_staff
from community.groups.models import Group, Invitation, Membership
from community.groups.services import open_group
from community.moderation.models import QueueItem, Report
from tests.factories import add_to_group, make_group, make_user, sign_in

T0 = datetime(2026, 1, 5)  # a Monday; the group "starts" here
START, END = "2026-01-05", "2026-01-18"  # the period asked for: two weeks


def at(day: int, hour: int = 0) -> datetime:
    """January ``day``, 2026, at ``hour``."""
    return datetime(2026, 1, day, hour)


@dataclass
class Seed:
    app: Flask
    slug: str
    small_slug: str
    other_slug: str
    ids: dict[str, int] = field(default_factory=dict)

    def http(self, name: str):
        client = self.app.test_client()
        sign_in(client, name)
        return client


def _user(name: str) -> User:
    return db.session.query(User).filter_by(username=name).one()


def _topic(group: Group, by: str, when: datetime, title: str) -> int:
    actor = _user(by)
    result = writing.create_topic(actor, open_group(actor, group.slug), title=title, body="Opening post")
    db.session.flush()
    db.session.execute(update(Topic).where(Topic.id == result.topic.id).values(created_at=when))
    db.session.execute(update(Post).where(Post.id == result.post.id).values(created_at=when))
    db.session.commit()
    return result.topic.id


def _reply(group: Group, by: str, topic_id: int, when: datetime) -> None:
    actor = _user(by)
    result = writing.reply(actor, open_group(actor, group.slug), topic_id, body="A reply")
    db.session.execute(update(Post).where(Post.id == result.post.id).values(created_at=when))
    db.session.commit()


def _message(group: Group, by: str, when: datetime, client_id: str) -> None:
    actor = _user(by)
    room = chat.group_room_conversation(group.id)
    sent = sending.send(chat.open_conversation(actor, room.id), client_id=client_id, body="Hi all")
    db.session.execute(update(Message).where(Message.id == sent.message.id).values(created_at=when))
    db.session.commit()


def build_seed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Seed:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group, small, other = make_group(admin, "Pilot"), make_group(admin, "Small"), make_group(admin, "Other")
        ids = {"boss": admin.id}
        for name in ("member1", "member2", "member3", "member4", "member5", "member6"):
            ids[name] = make_user(name).id
            add_to_group(admin, group, _user(name))
        ids["ingrid"] = make_user("ingrid").id
        add_to_group(admin, group, _user("ingrid"), role="moderator")
        ids["oscar"] = make_user("oscar").id
        add_to_group(admin, other, _user("oscar"), role="moderator")
        for name in ("small1", "small2", "small3"):
            ids[name] = make_user(name).id
            add_to_group(admin, small, _user(name))
        db.session.execute(update(Group).where(Group.id == group.id).values(created_at=T0))
        db.session.execute(
            update(Membership).where(Membership.group_id == group.id, Membership.user_id != ids["member6"])
            .values(joined_at=T0)
        )  # fmt: skip
        db.session.execute(
            update(Membership).where(Membership.group_id == group.id, Membership.user_id == ids["member6"])
            .values(joined_at=at(6))
        )  # fmt: skip
        db.session.commit()

        t1 = _topic(group, "member1", at(5, 10), "Topic 1")
        _reply(group, "member2", t1, at(5, 12))  # 2 h: answered within a day
        _reply(group, "ingrid", t1, at(5, 14))
        t2 = _topic(group, "member2", at(6, 10), "Topic 2")
        _reply(group, "member3", t2, at(8, 10))  # 48 h: not within a day
        _topic(group, "member3", at(7, 10), "Topic 3")  # never answered
        t4 = _topic(group, "member4", at(8, 10), "Topic 4")
        _reply(group, "member4", t4, at(8, 11))  # the writer's own reply does not count as an answer
        t5 = _topic(group, "member5", at(12, 10), "Topic 5")
        _reply(group, "ingrid", t5, at(12, 16))
        _topic(group, "member1", at(20, 10), "outside")  # after the period
        _message(group, "member6", at(9, 9), "c1")
        _message(group, "member6", at(9, 10), "c2")
        _message(group, "member2", datetime(2026, 2, 15), "c3")  # after 4 weeks: m2 is still writing
        _topic(group, "member1", datetime(2026, 2, 10), "later")  # so is m1
        for name in ("small1", "small2", "small3"):
            _topic(small, name, at(6, 9), f"small {name}")

        # Moderation (the moderation feature's rows): held, refused, still waiting at the end of the period.
        def item(kind, created, claimed=None, resolved=None, resolution=""):
            db.session.add(QueueItem(group_id=group.id, kind=kind, target_type="post", target_id=1, created_at=created,
                                     claimed_at=claimed, claimed_by_id=ids["ingrid"] if claimed else None,
                                     resolved_at=resolved, resolved_by_id=ids["ingrid"] if resolved else None,
                                     resolution=resolution))  # fmt: skip

        item("held", at(6, 9), at(6, 10), at(6, 11), "approve")
        item("held", at(7, 9), at(7, 10), at(7, 12), "refuse")
        item("report", at(17, 12))
        item("held", at(10), None, at(20), "approve")
        for reporter, when in (("member1", at(6)), ("member2", at(7)), ("member3", at(25))):
            db.session.add(Report(reporter_id=ids[reporter], group_id=group.id, target_type="post", target_id=1,
                                  reason="unkind", created_at=when))  # fmt: skip
        # Professional questions, answered after 1 to 5 hours (median 3).
        questions = db.metadata.tables["professional_questions"]
        for hours in (1, 2, 3, 4, 5):
            db.session.execute(questions.insert().values(
                group_id=group.id, member_id=ids["member1"], client_token=f"q{hours}", body_source="?", body_html="?",
                state="published", status="answered", email_me=False, answer_source="!", answer_html="!",
                created_at=at(6, 8), answered_at=at(6, 8 + hours)))  # fmt: skip
        # Safeguarding cases: five opened, first responses after 1, 1, 2, 3 and 10 hours (median 2).
        cases = db.metadata.tables["safeguarding_cases"]
        for index, hours in enumerate((1, 1, 2, 3, 10)):
            db.session.execute(cases.insert().values(
                group_id=group.id, subject_id=ids["member1"], source="detected", severity="concern",
                status="closed",
                opened_at=at(9 + index, 8), due_at=at(9 + index, 9), taken_at=at(9 + index, 8 + hours),
                taken_by_id=ids["ingrid"], phrase_ids=[], raised_note="", category="", outcome="",
                outcome_note=""))  # fmt: skip
        db.session.commit()

        # Invitations: 6 made in the period; 5 accepted in it (the audit log's "invitation.accepted").
        for _ in range(6):
            made = invitation_staff.create_code_invitation(admin, group, role="member")
            db.session.flush()
            db.session.execute(update(Invitation).where(Invitation.id == made.invitation.id).values(created_at=at(5)))
        db.session.commit()
        monkeypatch.setattr("community.core.audit.utcnow", lambda: at(7))
        for index in range(5):
            audit.record("invitation.accepted", actor_id=ids[f"member{index + 1}"], target_type="invitation",
                         group_id=group.id)  # fmt: skip
        db.session.commit()
        monkeypatch.undo()
        return Seed(app, group.slug, small.slug, other.slug, ids)
