"""Every moderator action through the pages (queue item and where the content is) and the chat socket: the state
change, the member's notification, the audit row, and bad input that changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.chat.models import Message
from community.extensions import db, socketio
from community.forum.models import Post, PostRevision, Topic
from community.moderation.models import ModerationAction
from community.notifications.models import Notification
from tests.factories import post_form
from tests.moderation.test_queue_world import World, build_world


@pytest.fixture
def world(db_app) -> World:
    return build_world(db_app)


def _post(world: World, post_id: int) -> tuple[Post, Topic]:
    with world.app.app_context():
        post = db.session.get(Post, post_id)
        return post, db.session.get(Topic, post.topic_id)


def _told(world: World, name: str) -> list[Notification]:
    with world.app.app_context():
        return list(
            db.session.scalars(
                select(Notification).where(
                    Notification.user_id == world.ids[name],
                    Notification.kind.in_(("moderation_outcome", "appeal_outcome")),
                )
            )
        )


def _one_audit(world: World, action: str, target_id: int):
    rows = world.audit(f"moderation.{action}")
    assert len(rows) == 1, rows
    entry = rows[0]
    assert entry.actor_id is not None and entry.target_id == target_id and entry.group_id == world.group_id
    return entry


def test_approving_a_held_topic_publishes_it_tells_the_writer_and_is_audited(world):
    topic_id, post_id = world.topic("mia")
    item_id = world.item_id("post", post_id)
    response = world.act("mona", item_id, "approve")
    assert response.status_code == 303
    post, topic = _post(world, post_id)
    assert post.state == "published" and topic.state == "published"
    assert world.open_items("post", post_id) == []
    entry = _one_audit(world, "approve", post_id)
    assert entry.actor_id == world.ids["mona"] and entry.details["queue_item_id"] == item_id
    [note] = _told(world, "mia")
    assert note.kind == "moderation_outcome" and note.target_type == "moderation_action"
    page = world.client("mia").get(f"/moderation/decisions/{note.target_id}").get_data(as_text=True)
    assert "approved" in page
    assert world.client("mia").get(f"/g/{world.slug}/t/{topic_id}").status_code == 200


def test_refusing_needs_a_reason_which_the_writer_reads_with_how_to_appeal(world):
    _topic_id, post_id = world.topic("mia")
    item_id = world.item_id("post", post_id)
    response = world.act("mona", item_id, "refuse", reason="   ")
    assert response.status_code == 400
    assert "Write a short reason" in response.get_data(as_text=True)
    assert _post(world, post_id)[0].state == "held" and world.open_items("post", post_id)
    assert world.audit("moderation.refuse") == [] and _told(world, "mia") == []

    assert world.act("mona", item_id, "refuse", reason="Please do not share your school's name.").status_code == 303
    post, topic = _post(world, post_id)
    assert post.state == "refused" and topic.state == "refused"
    entry = _one_audit(world, "refuse", post_id)
    assert entry.reason == "Please do not share your school's name."
    [note] = _told(world, "mia")
    page = world.client("mia").get(f"/moderation/decisions/{note.target_id}").get_data(as_text=True)
    assert "Please do not share your school&#39;s name." in page and "Ask for another look" in page
    # Someone else's decision is not found.
    assert world.client("noah").get(f"/moderation/decisions/{note.target_id}").status_code == 404


def test_asking_to_rephrase_sends_the_text_back_and_the_rewrite_returns_to_the_queue(world):
    _topic_id, post_id = world.topic("mia", body="My teacher Mr Jansen at the Oak school")
    item_id = world.item_id("post", post_id)
    assert world.act("mona", item_id, "rephrase", reason="Leave out names, please.").status_code == 303
    assert _post(world, post_id)[0].state == "rephrase"
    assert world.open_items("post", post_id) == []
    [note] = _told(world, "mia")
    url = f"/moderation/decisions/{note.target_id}"
    page = world.client("mia").get(url).get_data(as_text=True)
    assert "Leave out names, please." in page and "My teacher Mr Jansen" in page  # the text comes back to edit
    empty = post_form(world.client("mia"), url, {"which": "rephrase", "rephrase-body": "  "})
    assert empty.status_code == 400 and _post(world, post_id)[0].state == "rephrase"
    done = post_form(world.client("mia"), url, {"which": "rephrase", "rephrase-body": "My teacher at school"})
    assert done.status_code == 303
    post, _topic = _post(world, post_id)
    assert post.state == "held" and post.body_source == "My teacher at school"
    assert world.open_items("post", post_id), "the rewrite waits for a moderator again"
    with world.app.app_context():
        [revision] = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post_id)).all()
        assert revision.body_source == "My teacher Mr Jansen at the Oak school"
    _one_audit(world, "rephrase", post_id)
    # Only once: the form is gone and a second try is refused.
    again = post_form(world.client("mia"), url, {"which": "rephrase", "rephrase-body": "Again"})
    assert again.status_code == 400


def test_edit_and_approve_publishes_the_moderators_text_keeps_the_old_one_and_tells_the_writer(world):
    _topic_id, post_id = world.topic("mia", body="Meet me at the station at nine")
    item_id = world.item_id("post", post_id)
    empty = world.act("mona", item_id, "edit_approve", body="")
    assert empty.status_code == 400 and _post(world, post_id)[0].state == "held"
    assert world.act("mona", item_id, "edit_approve", body="Meet (place removed by a moderator)").status_code == 303
    post, _topic = _post(world, post_id)
    assert post.state == "published" and "place removed" in post.body_html
    with world.app.app_context():
        assert db.session.scalar(select(PostRevision.body_source).where(PostRevision.post_id == post_id)) == (
            "Meet me at the station at nine"
        )
    _one_audit(world, "edit_approve", post_id)
    assert [n.kind for n in _told(world, "mia")] == ["moderation_outcome"]


def test_hide_and_delete_from_the_topic_page_keep_the_reply_count_right(db_app):
    world = build_world(db_app, premoderation="none")
    topic_id, _opening = world.topic("noah")
    first = world.reply("mia", topic_id, body="First reply")
    second = world.reply("lena", topic_id, body="Second reply")
    assert _post(world, first)[1].reply_count == 2
    page = world.client("mona").get(f"/moderation/content/post/{first}")
    assert page.status_code == 200 and "First reply" in page.get_data(as_text=True)
    assert world.client("mia").get(f"/moderation/content/post/{first}").status_code == 404
    url = f"/moderation/content/post/{first}"
    assert post_form(world.client("mona"), url, {"action": "hide", "reason": "Off topic"}).status_code == 303
    assert _post(world, first)[0].state == "hidden" and _post(world, first)[1].reply_count == 1
    url = f"/moderation/content/post/{second}"
    assert post_form(world.client("max"), url, {"action": "delete", "reason": "Hurtful"}).status_code == 303
    assert _post(world, second)[0].state == "removed" and _post(world, second)[1].reply_count == 0
    _one_audit(world, "hide", first)
    _one_audit(world, "delete", second)
    assert len(_told(world, "mia")) == 1 and len(_told(world, "lena")) == 1
    # Deleting what is deleted already is refused with a clear message.
    again = post_form(world.client("max"), url, {"action": "delete", "reason": "Again"})
    assert again.status_code == 400 and "cannot be done to it any more" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("action", "days", "state", "has_until"),
    [("warn", None, "active", False), ("mute", "3", "muted", True), ("suspend", "0", "suspended", False),
     ("suspend", "7", "suspended", True), ("remove", None, "removed", False)],
)  # fmt: skip
def test_member_actions_change_the_membership_tell_the_member_and_are_audited(world, action, days, state, has_until):
    _topic_id, post_id = world.topic("mia")
    item_id = world.item_id("post", post_id)
    data = {"reason": "Repeated unkind posts"} | ({"days": days} if days else {})
    assert world.act("mona", item_id, action, **data).status_code == 303
    membership = world.membership("mia")
    assert membership.state == state
    assert (membership.state_until is not None) == has_until
    entry = _one_audit(world, action, post_id)
    assert entry.details["subject_id"] == world.ids["mia"] and entry.reason == "Repeated unkind posts"
    if days:
        assert entry.details["days"] == int(days)
    [note] = _told(world, "mia")
    page = world.client("mia").get(f"/moderation/decisions/{note.target_id}")
    assert page.status_code == 200 and "Repeated unkind posts" in page.get_data(as_text=True)
    # The content decision is still to come: the item stays open, taken by the moderator who acted.
    [item] = world.open_items("post", post_id)
    assert item.claimed_by_id == world.ids["mona"]


def test_member_actions_refuse_bad_durations_moderators_and_oneself(db_app):
    world = build_world(db_app, premoderation="none")
    topic_id, post_id = world.topic("max")  # a moderator's post
    mia_post = world.reply("mia", topic_id)
    bad = post_form(world.client("mona"), f"/moderation/content/post/{mia_post}",
                    {"action": "mute", "reason": "x", "days": "999"})  # fmt: skip
    assert bad.status_code == 400 and "Choose how long" in bad.get_data(as_text=True)
    assert world.membership("mia").state == "active"
    on_moderator = post_form(world.client("mona"), f"/moderation/content/post/{post_id}",
                             {"action": "warn", "reason": "x"})  # fmt: skip
    assert on_moderator.status_code == 403
    unknown = post_form(world.client("mona"), f"/moderation/content/post/{mia_post}", {"action": "explode"})
    assert unknown.status_code == 400
    with world.app.app_context():
        assert db.session.scalars(select(ModerationAction)).all() == []
    assert world.audit("moderation.warn") == [] and world.audit("moderation.mute") == []


def test_a_held_chat_message_is_approved_live_and_a_moderator_removes_one_from_the_room(db_app):
    world = build_world(db_app, premoderation="none")
    with world.app.app_context():
        from community.moderation import services as pipeline

        message_id = world.message("mia", "Hello all")
        message = db.session.get(Message, message_id)
        message.state = "held"
        from community.groups.models import Group

        pipeline.enqueue_held(db.session.get(Group, world.group_id), target_type="message", target_id=message_id,
                              screening=pipeline.Screening(pipeline.HOLD, "check"))  # fmt: skip
        db.session.commit()
        conversation_id = message.conversation_id
    noah = socketio.test_client(world.app, flask_test_client=world.client("noah"))
    assert noah.emit("chat:join", {"conversation_id": conversation_id}, callback=True)["ok"]
    noah.get_received()
    assert world.act("mona", world.item_id("message", message_id), "approve").status_code == 303
    events = [e for e in noah.get_received() if e["name"] == "chat:message"]
    assert events and events[0]["args"][0]["message"]["id"] == message_id

    mona = socketio.test_client(world.app, flask_test_client=world.client("mona"))
    as_member = socketio.test_client(world.app, flask_test_client=world.client("lena"))
    refused = as_member.emit("moderation:act", {"message_id": message_id, "action": "delete", "reason": "x"},
                             callback=True)  # fmt: skip
    assert refused["ok"] is False
    no_reason = mona.emit("moderation:act", {"message_id": message_id, "action": "delete"}, callback=True)
    assert no_reason["ok"] is False and "reason" in no_reason["error"]
    ack = mona.emit("moderation:act", {"message_id": message_id, "action": "delete", "reason": "Not here"},
                    callback=True)  # fmt: skip
    assert ack["ok"] is True
    removed = [e for e in noah.get_received() if e["name"] == "chat:message_removed"]
    assert removed and removed[0]["args"][0]["message_id"] == message_id
    with world.app.app_context():
        assert db.session.get(Message, message_id).state == "removed"
    _one_audit(world, "delete", message_id)
    for sock in (noah, mona, as_member):
        sock.disconnect()


def test_a_mute_for_a_period_ends_by_itself_and_the_member_is_told(world):
    from datetime import timedelta

    from community.core.time import utcnow

    _topic_id, post_id = world.topic("mia")
    world.act("mona", world.item_id("post", post_id), "mute", reason="Cool down", days="1")
    assert world.membership("mia").state == "muted"
    result = world.app.test_cli_runner().invoke(args=["moderation", "lift-expired"])
    assert result.exit_code == 0 and "0 mutes" in result.output  # not yet
    with world.app.app_context():
        from community.groups.models import Membership

        db.session.execute(
            Membership.__table__.update()
            .where(Membership.user_id == world.ids["mia"])
            .values(state_until=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    result = world.app.test_cli_runner().invoke(args=["moderation", "lift-expired"])
    assert result.exit_code == 0 and "1 mutes" in result.output
    membership = world.membership("mia")
    assert membership.state == "active" and membership.state_until is None
    [entry] = world.audit("moderation.sanction_ended")
    assert entry.actor_id is None and entry.target_id == world.ids["mia"] and entry.details["previous_state"] == "muted"
    assert len(_told(world, "mia")) == 2
