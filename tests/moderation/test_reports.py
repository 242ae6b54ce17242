"""Member reports through the report page: a reason from the list, one per member per item, the queue item,
automatic hiding after reports from distinct members, and what may not be reported."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.chat.models import Conversation, Message
from community.extensions import db
from community.forum.models import Post
from community.moderation.models import PRIORITY_HIGH, QueueItem, Report
from tests.factories import post_form
from tests.moderation.test_queue_world import World, build_world


@pytest.fixture
def world(db_app) -> World:
    return build_world(db_app, premoderation="none")


def _report(world: World, who: str, target: str, reason: str = "unkind", note: str = ""):
    return post_form(world.client(who), f"/moderation/report/{target}", {"reason": reason, "note": note})


def _reports(world: World) -> int:
    with world.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report))


def test_a_member_reports_a_post_once_and_it_goes_to_the_queue(world):
    topic_id, _opening = world.topic("noah")
    post_id = world.reply("mia", topic_id, body="You are all stupid")
    form = world.client("lena").get(f"/moderation/report/post/{post_id}").get_data(as_text=True)
    assert "Why are you reporting this?" in form and "Someone may be in danger" in form
    response = _report(world, "lena", f"post/{post_id}", note="Aimed at Noah")
    assert response.status_code == 200 and "Thank you for reporting" in response.get_data(as_text=True)
    [item] = world.open_items("post", post_id)
    assert item.kind == "report"
    again = _report(world, "lena", f"post/{post_id}")
    assert again.status_code == 400 and "You have reported this already" in again.get_data(as_text=True)
    assert _reports(world) == 1
    # The moderator sees the reason and the note on the item.
    text = world.client("mona").get(f"/moderation/items/{item.id}").get_data(as_text=True)
    assert "It is unkind, hurtful or a personal attack" in text and "Aimed at Noah" in text


def test_bad_reports_store_nothing(world):
    topic_id, _opening = world.topic("noah")
    post_id = world.reply("mia", topic_id)
    assert _report(world, "lena", f"post/{post_id}", reason="").status_code == 400
    assert _report(world, "lena", f"post/{post_id}", reason="because").status_code == 400
    assert _report(world, "lena", f"post/{post_id}", note="x" * 1001).status_code == 400
    assert _report(world, "mia", f"post/{post_id}").status_code == 400  # one's own post
    assert world.client("otto").get(f"/moderation/report/post/{post_id}").status_code == 404  # not in the group
    assert world.client("lena").get("/moderation/report/post/999999").status_code == 404
    assert _reports(world) == 0 and world.open_items("post", post_id) == []


def test_reports_from_three_distinct_members_hide_the_post_until_a_moderator_looks(world):
    topic_id, _opening = world.topic("noah")
    post_id = world.reply("mia", topic_id)
    for who in ("lena", "noah"):
        _report(world, who, f"post/{post_id}")
    with world.app.app_context():
        assert db.session.get(Post, post_id).state == "published"
    _report(world, "max", f"post/{post_id}", reason="unsafe")
    with world.app.app_context():
        assert db.session.get(Post, post_id).state == "hidden"
    [item] = world.open_items("post", post_id)
    assert item.priority == PRIORITY_HIGH  # "someone may be in danger" raises the item
    # Unfounded: the moderator dismisses the reports and the post is back.
    assert world.act("mona", item.id, "dismiss").status_code == 303
    with world.app.app_context():
        assert db.session.get(Post, post_id).state == "published"
    [entry] = world.audit("moderation.dismiss")
    assert entry.target_id == post_id


def test_a_chat_message_and_a_profile_can_be_reported(world):
    message_id = world.message("mia", "Go away")
    assert _report(world, "lena", f"message/{message_id}").status_code == 200
    [message_item] = world.open_items("message", message_id)
    assert message_item.kind == "report"
    with world.app.app_context():
        conversation = db.session.get(Conversation, db.session.get(Message, message_id).conversation_id)
        assert conversation.reported is True
    assert _report(world, "lena", f"user/{world.ids['mia']}", reason="other", note="Odd profile").status_code == 200
    [profile_item] = world.open_items("user", world.ids["mia"])
    assert profile_item.kind == "report"
    # Someone who shares no group with the reporter cannot be reported.
    assert world.client("lena").get(f"/moderation/report/user/{world.ids['otto']}").status_code == 404
    # A profile report is closed by acting on the member.
    assert world.act("mona", profile_item.id, "warn", reason="Please change your profile text").status_code == 303
    assert world.open_items("user", world.ids["mia"]) == []
    with world.app.app_context():
        assert db.session.get(QueueItem, profile_item.id).resolution == "warn"


def test_a_group_can_set_its_own_number_of_reports_that_hides(world):
    from community.moderation.filter_models import GroupModerationSettings

    with world.app.app_context():
        db.session.add(GroupModerationSettings(group_id=world.group_id, report_hide_threshold=1))
        db.session.commit()
    topic_id, _opening = world.topic("noah")
    post_id = world.reply("mia", topic_id)
    _report(world, "lena", f"post/{post_id}")
    with world.app.app_context():
        assert db.session.get(Post, post_id).state == "hidden"
        db.session.get(GroupModerationSettings, world.group_id).report_hide_threshold = 0  # never
        db.session.commit()
    other = world.reply("lena", topic_id)
    for who in ("mia", "noah", "max"):
        _report(world, who, f"post/{other}")
    with world.app.app_context():
        assert db.session.get(Post, other).state == "published"
