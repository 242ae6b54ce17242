"""Retention: exactly what is older than a group's period goes; a dry run only counts; a second run finds
nothing (idempotent); 0 or negative periods are refused with a clear message and nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.chat import sending
from community.chat import services as chat
from community.chat.models import Message
from community.core.errors import DomainError
from community.core.time import utcnow
from community.extensions import db
from community.forum import writing as forum
from community.forum.models import Post, Topic
from community.groups import services as groups
from community.groups.models import Group
from community.groups.signals import retention_due
from community.privacy import retention
from tests.consent.helpers import audit_actions, build_world


@pytest.fixture
def world(db_app):
    world = build_world(db_app)
    now = utcnow()
    with db_app.app_context():
        mia = world.user("mia")
        access = groups.open_group(mia, world.slug)
        old_topic = forum.create_topic(mia, access, title="Old quiet topic", body="Old words.")
        active = forum.create_topic(mia, access, title="Old but active", body="Old opener.")
        old_reply = forum.reply(mia, access, active.topic.id, body="Old reply.")
        new_reply = forum.reply(mia, access, active.topic.id, body="New reply.")
        room = chat.open_group_room(mia, access)
        old_message = sending.send(room, client_id="m-old", body="Old message").message
        new_message = sending.send(room, client_id="m-new", body="New message").message
        ten_days_ago = now - timedelta(days=10)
        db.session.execute(update(Post).where(Post.id.in_([old_topic.post.id, active.post.id, old_reply.post.id]))
                           .values(created_at=ten_days_ago))  # fmt: skip
        db.session.execute(update(Topic).where(Topic.id.in_([old_topic.topic.id, active.topic.id]))
                           .values(created_at=ten_days_ago))  # fmt: skip
        db.session.execute(update(Message).where(Message.id == old_message.id).values(created_at=ten_days_ago))
        db.session.commit()
        world.kept = {"posts": {active.post.id, new_reply.post.id}, "messages": {new_message.id}}
        world.old_topic = old_topic.topic.id
    return world


def contents(app):
    with app.app_context():
        return (set(db.session.scalars(select(Post.id))), set(db.session.scalars(select(Message.id))),
                set(db.session.scalars(select(Topic.id))))  # fmt: skip


def set_periods(app, chat_days, posts_days):
    with app.app_context():
        group = db.session.scalar(select(Group))
        admin = db.session.scalar(select(db.Model.metadata.tables["users"].c.id).where(
            db.Model.metadata.tables["users"].c.is_admin.is_(True)))  # fmt: skip
        from community.auth.models import User

        retention.set_group_retention(db.session.get(User, admin), group, chat_days=chat_days, posts_days=posts_days)
        db.session.commit()


def test_dry_run_counts_and_the_run_removes_exactly_what_is_older(world):
    set_periods(world.app, 7, 7)
    assert "group.retention_changed" in audit_actions(world.app)
    before = contents(world.app)
    runner = world.app.test_cli_runner()
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0
    assert "would delete 1 chat messages, 1 replies, 1 topics" in dry.output
    assert contents(world.app) == before

    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0 and "deleted 1 chat messages, 1 replies, 1 topics" in result.output
    posts, messages, topics = contents(world.app)
    assert posts == world.kept["posts"] and messages == world.kept["messages"]
    assert world.old_topic not in topics
    assert "retention.applied" in audit_actions(world.app)
    again = runner.invoke(args=["retention", "run"])
    assert "deleted 0 chat messages, 0 replies, 0 topics" in again.output
    assert contents(world.app) == (posts, messages, topics)


def test_the_instance_default_applies_when_the_group_has_no_period(world):
    world.app.config["RETENTION_CHAT_DAYS"] = 7
    runner = world.app.test_cli_runner()
    result = runner.invoke(args=["retention", "run"])
    assert "deleted 1 chat messages, 0 replies, 0 topics" in result.output
    assert contents(world.app)[1] == world.kept["messages"]


@pytest.mark.parametrize("days", [0, -5])
def test_zero_or_negative_periods_are_refused_and_nothing_changes(world, days):
    with world.app.app_context():
        group = db.session.scalar(select(Group))
        from community.auth.models import User

        admin = db.session.get(User, world.ids["admin1"])
        with pytest.raises(DomainError, match="at least 1"):
            retention.set_group_retention(admin, group, chat_days=days, posts_days=None)
        db.session.rollback()
        assert db.session.scalar(select(Group)).retention_chat_days is None
    runner = world.app.test_cli_runner()
    result = runner.invoke(args=["retention", "set-group", world.slug, "--chat-days", str(days), "--admin", "admin1"])
    assert result.exit_code != 0 and "at least 1" in result.output
    world.app.config["RETENTION_POSTS_DAYS"] = -1
    before = contents(world.app)
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code != 0 and "RETENTION_POSTS_DAYS" in result.output
    assert contents(world.app) == before


def test_the_features_whose_content_a_period_covers_apply_it(app):
    assert {receiver.__module__ for receiver in retention_due.receivers_for(None)} == {
        "community.chat.retention",
        "community.forum.retention",
    }
