"""Heated threads: back-and-forth between two members, reports and filter hits raise one "conflict" alert for
the group's moderators (a queue item and a live event) and, where the group allows it, slow mode that a
moderator lifts. The automatic slow mode is audited with no actor."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.chat.models import Conversation
from community.core.audit import AuditEntry
from community.core.errors import DomainError
from community.extensions import db, socketio
from community.forum.models import Post
from community.moderation import conflict
from community.moderation.filter_models import KeywordFilter, TopicSlowMode
from community.moderation.models import QueueItem, Report
from tests.factories import add_to_group, make_user, post_form
from tests.moderation.test_pipeline_world import world_fixture  # noqa: F401 (the "world" fixture)


def conflict_items() -> list[QueueItem]:
    return list(db.session.scalars(select(QueueItem).where(QueueItem.kind == "conflict")))


def argue_in_topic(world, replies: int = 7) -> int:
    """noor opens a topic, then sam and noor answer each other ``replies`` times (8 posts in all by default)."""
    topic_id = world.topic("noor", body="I think you are wrong.")
    for number in range(replies):
        world.reply("sam" if number % 2 == 0 else "noor", topic_id, body=f"No, you are. ({number})")
    return topic_id


def test_back_and_forth_in_a_topic_alerts_moderators_and_slows_the_topic(world):
    mia_socket = socketio.test_client(world.app, flask_test_client=world.client("mia"))
    sam_socket = socketio.test_client(world.app, flask_test_client=world.client("sam"))
    mia_socket.get_received()
    sam_socket.get_received()
    topic_id = argue_in_topic(world)
    with world.app.app_context():
        [item] = conflict_items()
        assert (item.target_type, item.target_id, item.group_id) == ("topic", topic_id, world.group_id)
        assert "back and forth" in item.reason
        assert db.session.get(TopicSlowMode, topic_id).seconds == 60
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "slow_mode.auto_enabled"))
        assert (entry.actor_id, entry.target_type, entry.target_id) == (None, "topic", topic_id)
        assert entry.details == {"seconds": 60, "trigger": "back_and_forth"}
    alerts = [event for event in mia_socket.get_received() if event["name"] == "moderation:conflict"]
    assert len(alerts) == 1
    assert alerts[0]["args"][0] == {
        "queue_item_id": item.id,
        "group_id": world.group_id,
        "place_type": "topic",
        "place_id": topic_id,
        "why": "back_and_forth",
        "slow_mode_seconds": 60,
        "group": "Parents of teens",  # for the alert banner (static/js/moderation-alerts.js)
        "url": f"/moderation/items/{item.id}",
    }
    assert not [event for event in sam_socket.get_received() if event["name"] == "moderation:conflict"]
    mia_socket.disconnect()
    sam_socket.disconnect()


def test_slow_mode_stops_a_quick_reply_until_a_moderator_lifts_it_audited(world):
    topic_id = argue_in_topic(world)
    topic_url = f"/g/{world.slug}/t/{topic_id}"
    refused = post_form(world.client("sam"), f"{topic_url}/reply", {"body": "And another thing"}, form_page=topic_url)
    assert refused.status_code == 400 and "slow mode" in refused.get_data(as_text=True)
    assert world.reply("mia", topic_id, body="Let us all take a breath.").state == "published", "moderators exempt"
    assert post_form(world.client("sam"), f"/moderation/g/{world.slug}/slow-mode", {
        "place_type": "topic", "place_id": topic_id, "seconds": 0,
    }, form_page=topic_url).status_code == 404, "members cannot lift it"  # fmt: skip
    lifted = post_form(
        world.client("mia"),
        f"/moderation/g/{world.slug}/slow-mode",
        {"place_type": "topic", "place_id": topic_id, "seconds": 0},
        form_page=topic_url,
    )
    assert lifted.status_code == 303
    with world.app.app_context():
        assert db.session.get(TopicSlowMode, topic_id) is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "slow_mode.lifted"))
        assert (entry.actor_id, entry.target_id, entry.details) == (
            world.ids["mia"],
            topic_id,
            {"seconds": 0, "before": 60},
        )
    again = post_form(world.client("sam"), f"{topic_url}/reply", {"body": "Sorry, all."}, form_page=topic_url)
    assert again.status_code == 303


def test_one_alert_while_it_is_open_and_none_when_a_third_person_joins_in(world):
    with world.app.app_context():
        world.group().auto_slowdown = False  # so the argument can go on
        db.session.commit()
    topic_id = argue_in_topic(world, replies=9)
    with world.app.app_context():
        assert len(conflict_items()) == 1, "no second alert while the first is open"
    calm = world.topic("sam", title="Calm topic", body="Hello")
    for number, name in enumerate(["noor", "sam", "noor", "sam", "mia", "noor", "sam", "noor"]):
        world.reply(name, calm, body=f"Reply {number}")
    with world.app.app_context():
        assert [item.target_id for item in conflict_items()] == [topic_id]


def test_without_automatic_slow_mode_the_moderators_are_still_alerted(world):
    with world.app.app_context():
        world.group().auto_slowdown = False
        db.session.commit()
    topic_id = argue_in_topic(world)
    with world.app.app_context():
        assert len(conflict_items()) == 1
        assert db.session.get(TopicSlowMode, topic_id) is None
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "slow_mode.auto_enabled")) == 0  # fmt: skip


def test_filter_hits_in_a_topic_raise_an_alert(world):
    with world.app.app_context():
        db.session.add(KeywordFilter(pattern="loser", match="word", action="refuse"))
        db.session.commit()
    topic_id = world.topic("noor")
    topic_url = f"/g/{world.slug}/t/{topic_id}"
    for name in ("sam", "sam", "noor"):
        response = post_form(world.client(name), f"{topic_url}/reply", {"body": "loser"}, form_page=topic_url)
        assert response.status_code == 400, "refused, yet counted: the count lives outside the transaction"
    world.reply("sam", topic_id, body="Fine.")
    with world.app.app_context():
        [item] = conflict_items()
        assert item.target_id == topic_id and "reports or filter hits" in item.reason


def test_reports_on_posts_of_a_topic_raise_an_alert(world):
    topic_id = argue_in_topic(world, replies=2)
    with world.app.app_context():
        post_ids = list(db.session.scalars(select(Post.id).where(Post.topic_id == topic_id)))
        for number in range(3):
            reporter = make_user(f"reporter{number}")
            add_to_group(world.user("ada"), world.group(), reporter)
            db.session.add(Report(reporter_id=reporter.id, group_id=world.group_id, target_type="post",
                                  target_id=post_ids[number], reason="hostile"))  # fmt: skip
        db.session.commit()
        conflict.after_report(world.group(), "post", post_ids[0])
        db.session.commit()
        [item] = conflict_items()
        assert (item.target_type, item.target_id) == ("topic", topic_id)


def test_a_chat_room_needs_replies_to_each_other_not_just_turns(world):
    room_id = world.room_id()
    for number in range(8):
        world.message("sam" if number % 2 == 0 else "noor", f"Turn {number}", f"turn-{number}")
    with world.app.app_context():
        assert conflict_items() == [], "taking turns in a chat room is a conversation"
    world.message("mia", "Good to hear you both.", "mia-1")  # a third voice: the turns above no longer count
    last = None
    for number in range(8):
        last = world.message("sam" if number % 2 == 0 else "noor", f"You! {number}", f"fight-{number}", last)
    with world.app.app_context():
        [item] = conflict_items()
        assert (item.target_type, item.target_id) == ("conversation", room_id)
        assert db.session.get(Conversation, room_id).slow_mode_seconds == 60
    sock = socketio.test_client(world.app, flask_test_client=world.client("sam"))
    first = sock.emit("chat:send", {"conversation_id": room_id, "client_id": "x-1", "body": "Again"}, callback=True)
    assert first["ok"] is True, "chat's slow mode counts from the first message sent while it is on"
    ack = sock.emit("chat:send", {"conversation_id": room_id, "client_id": "x-2", "body": "And again"}, callback=True)
    assert ack["ok"] is False and ack["code"] == "slow_mode"
    sock.disconnect()


def test_a_moderator_sets_and_lifts_slow_mode_for_the_room_with_checked_input(world):
    room_id = world.room_id()
    mia = world.client("mia")
    url = f"/moderation/g/{world.slug}/slow-mode"
    room_page = f"/g/{world.slug}/chat"
    bad = post_form(
        mia, url, {"place_type": "conversation", "place_id": room_id, "seconds": 99999}, form_page=room_page
    )
    assert bad.status_code == 400
    missing = post_form(mia, url, {"place_type": "conversation", "place_id": 987654}, form_page=room_page)
    assert missing.status_code == 404
    on = post_form(mia, url, {"place_type": "conversation", "place_id": room_id, "seconds": 30}, form_page=room_page)
    assert on.status_code == 303
    with world.app.app_context():
        assert db.session.get(Conversation, room_id).slow_mode_seconds == 30
        actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("slow_mode.%"))))
        assert actions == ["slow_mode.set"]
        with pytest.raises(DomainError) as refused:
            member = world.user("sam"), world.group(), world.membership("sam")
            conflict.set_slow_mode(*member, ("conversation", room_id), 0)
        assert refused.value.status_code == 404, "a member cannot lift slow mode"


def test_the_settings_page_lists_slowed_places_and_lifts_them(world):
    topic_id = argue_in_topic(world)
    mia = world.client("mia")
    settings_url = f"/moderation/g/{world.slug}/settings"
    page = mia.get(settings_url).get_data(as_text=True)
    assert "Sleeping in hospital" in page and "turned on automatically" in page and "Lift slow mode" in page
    lifted = post_form(
        mia,
        f"/moderation/g/{world.slug}/slow-mode",
        {"place_type": "topic", "place_id": topic_id, "seconds": 0, "back": "settings"},
        form_page=settings_url,
    )
    assert lifted.status_code == 303 and lifted.headers["Location"].endswith(settings_url)
    assert "No topic and not the chat room." in mia.get(settings_url).get_data(as_text=True)


def test_members_reporting_posts_of_a_topic_through_the_page_raise_an_alert(world):
    topic_id = argue_in_topic(world, replies=2)
    with world.app.app_context():
        post_ids = list(db.session.scalars(select(Post.id).where(Post.topic_id == topic_id).order_by(Post.id)))
        for name in ("rea", "ruud"):
            add_to_group(world.user("ada"), world.group(), make_user(name))
    for name, post_id in (("rea", post_ids[0]), ("ruud", post_ids[1]), ("mia", post_ids[2])):
        url = f"/moderation/report/post/{post_id}"
        assert post_form(world.client(name), url, {"reason": "unkind"}).status_code == 200  # the "thank you" page
    with world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 3
        [item] = conflict_items()
        assert (item.target_type, item.target_id) == ("topic", topic_id)
        assert "reports or filter hits" in item.reason


def test_reports_then_a_filter_hit_heat_a_room_at_the_next_message_without_counting_report_rows(world):
    """The check after every message counts reports from the marks the report left (no statement per
    message); two reports filed through the page and one refused message make three signals."""
    room_id = world.room_id()
    first = world.message("sam", "You never listen.", "c-1")
    second = world.message("noor", "Neither do you.", "c-2")
    for name, message_id in (("mia", first), ("sam", second)):
        answer = post_form(world.client(name), f"/moderation/report/message/{message_id}", {"reason": "unkind"})
        assert answer.status_code == 200
    with world.app.app_context():
        assert conflict_items() == [], "two signals are not yet heated"
        db.session.add(KeywordFilter(pattern="idiot", match="word", action="refuse"))
        db.session.commit()
    with pytest.raises(DomainError):
        world.message("sam", "idiot", "c-3")  # refused, yet counted
    world.message("noor", "Let us stop.", "c-4")
    with world.app.app_context():
        [item] = conflict_items()
        assert (item.target_type, item.target_id) == ("conversation", room_id)
        assert "reports or filter hits" in item.reason
