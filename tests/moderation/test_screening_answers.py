"""Moderation reads no forum or chat tables: the forum and chat answer its signals and register their places
at start-up. These tests check the answers arrive through moderation's own public functions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.chat import services as chat_services
from community.core.errors import NotFound
from community.extensions import db
from community.forum import services as forum_services
from community.forum.models import Post
from community.moderation import conflict, limits, safety, signals, targets
from community.moderation.safeguarding import queries as safeguarding_queries
from community.moderation.safeguarding import services as safeguarding
from community.moderation.safeguarding.models import SafeguardingCase
from tests.moderation.test_pipeline_world import world_fixture  # noqa: F401 (the "world" fixture)


def test_the_forum_and_chat_count_a_members_published_posts_and_messages(world):
    topic_id = world.topic("sam")
    world.reply("sam", topic_id)
    world.message("sam", "Hello all", "c-1")
    with world.app.app_context():
        sam, group = world.user("sam"), world.group()
        assert limits.published_count(sam, group, 10) == 3  # two posts and a message
        assert limits.published_count(sam, group, 10, ("post",)) == 2
        assert limits.published_count(sam, group, 10, ("message",)) == 1
        assert limits.published_count(sam, group, 1) <= 2  # each kind counts no further than the limit
        assert limits.published_count(world.user("noor"), group, 10) == 0


def test_topics_and_rooms_are_registered_as_conflict_places(world):
    assert {"topic", "conversation"} <= {kind.name for kind in targets.places()}
    topic_id = world.topic("sam")
    with world.app.app_context():
        assert conflict.current_slow_mode(("topic", topic_id)) == 0
        assert conflict.current_slow_mode(("conversation", world.room_id())) == 0


def test_a_safeguarding_case_page_gets_its_subjects_recent_posts_from_the_forum(world):
    topic_id = world.topic("sam", body="First")
    world.reply("sam", topic_id, body="Second")
    with world.app.app_context():
        about = forum_services.concern_about_post(
            db.session.scalar(select(Post.id).where(Post.topic_id == topic_id).order_by(Post.id.desc()).limit(1))
        )
        case = safeguarding.raise_concern(world.user("noor"), about).case
        recent = safeguarding_queries.subject_recent_posts(case)
        assert [post.body_source for post in recent] == ["Second", "First"]
        assert recent[0].author_id == world.ids["sam"]
        db.session.rollback()


def test_a_worry_is_about_a_post_or_message_the_owning_feature_found(world):
    topic_id = world.topic("sam")
    message_id = world.message("sam", "Hello all", "c-2")
    with world.app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic_id))
        about = forum_services.concern_about_post(post_id, group_id=world.group_id)
        assert (about.target_type, about.target_id, about.group.id, about.subject.id) == (
            "post", post_id, world.group_id, world.ids["sam"])  # fmt: skip
        with pytest.raises(NotFound):
            forum_services.concern_about_post(post_id, group_id=world.group_id + 1000)
        with pytest.raises(NotFound):  # otto is not in the group: chat's read rules say no
            chat_services.concern_about_message(world.user("otto"), message_id)
        raised = safeguarding.raise_concern(
            world.user("noor"), chat_services.concern_about_message(world.user("noor"), message_id)
        )
        db.session.commit()
        case = db.session.get(SafeguardingCase, raised.case.id)
        assert (case.target_type, case.target_id, case.subject_id) == ("message", message_id, world.ids["sam"])


def test_chat_adds_private_conversations_to_the_people_one_meets(world):
    assert signals.shares_place.receivers, "chat connects its answer at start-up"
    with world.app.app_context():
        sam = world.user("sam")
        query = select(User.id).where(User.id == world.ids["otto"], safety.shares_place_with(sam.id, User.id))
        assert db.session.scalar(query) is None  # no group or conversation shared
        query = select(User.id).where(User.id == world.ids["noor"], safety.shares_place_with(sam.id, User.id))
        assert db.session.scalar(query) == world.ids["noor"]
