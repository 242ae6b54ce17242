"""New topics (per group, asked for on the settings page), held items and safeguarding cases for the group's
moderators, and muting: a muted writer or group tells nobody."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from community.extensions import db
from community.forum.models import Post
from community.groups.models import Group, Membership
from community.notifications import preferences
from community.notifications.models import Notification
from tests.factories import csrf_token, post_form
from tests.notifications.world import approve, build_world, page_text, rows_of, set_premoderation


def _topic(world, by: str, title: str, body: str = "Hello") -> tuple[int, int]:
    """(topic id, opening post id) of a topic written through the forum's write path."""
    with world.app.app_context():
        result = world.topic(by, title, body)
        return result.topic.id, result.post.id


def _reply(world, by: str, topic_id: int, body: str) -> None:
    with world.app.app_context():
        world.reply(by, topic_id, body)


def _set_membership(world, name: str, **values) -> None:
    with world.app.app_context():
        db.session.execute(
            Membership.__table__.update()
            .where(Membership.user_id == world.ids[name], Membership.group_id == world.group_id)
            .values(**values)
        )
        db.session.commit()


def _ask_for_new_topics(world, name: str, *, on: bool = True) -> None:
    """The member's own settings form, as the browser sends it (every kind's email choice comes with it)."""
    client = world.http(name)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert f'name="group_new_topics_{world.group_id}"' in page
    data = dict.fromkeys(re.findall(r'<select name="(email_[a-z_]+)"', page), "daily")
    data.update(dict.fromkeys(re.findall(r'name="(in_app_[a-z_]+)" value="1"[^>]* checked', page), "1"))
    if on:
        data[f"group_new_topics_{world.group_id}"] = "1"
    response = post_form(client, "/notifications/settings", data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


# --- new topics ----------------------------------------------------------------------------------------------


def test_new_topics_are_off_by_default_and_on_once_asked_for(app):
    world = build_world(app)
    _topic(world, "sam", "Before asking")
    assert world.unread("noor") == 0

    _ask_for_new_topics(world, "noor")
    page = world.http("noor").get("/notifications/settings").get_data(as_text=True)
    assert re.search(rf'name="group_new_topics_{world.group_id}"[^>]* checked', page)
    _topic(world, "sam", "After asking")
    assert world.unread("noor") == 1
    centre = page_text(world.http("noor").get("/notifications").get_data(as_text=True))
    assert "Sam started a new topic, “After asking”, in Parents." in centre
    assert world.unread("mona") == 0, "nobody who did not ask"

    _ask_for_new_topics(world, "noor", on=False)
    _topic(world, "sam", "After stopping")
    assert world.unread("noor") == 1


def test_a_new_topic_tells_neither_its_writer_nor_a_muted_group_nor_whom_the_writer_is_muted_by(app):
    world = build_world(app)
    for name in ("sam", "noor", "mona"):
        _ask_for_new_topics(world, name)
    world.mute("noor", "sam")
    with app.app_context():
        preferences.set_group_setting(
            world.user("mona"), db.session.get(Group, world.group_id), muted=True, email=None, new_topics=True
        )
        db.session.commit()
    _topic(world, "sam", "Nobody hears")
    assert (world.unread("sam"), world.unread("noor"), world.unread("mona")) == (0, 0, 0)


def test_a_new_topic_mentioning_someone_tells_them_once(app):
    world = build_world(app)
    _ask_for_new_topics(world, "noor")
    _topic(world, "sam", "Hello", "@Noor welcome")
    assert rows_of(app, "mention", world.ids["noor"]) == 1
    assert rows_of(app, "new_topic", world.ids["noor"]) == 0


def test_a_held_topic_tells_on_approval_and_someone_who_left_is_not_told(app):
    world = build_world(app)
    _ask_for_new_topics(world, "noor")
    set_premoderation(world, "all")
    _topic_id, held = _topic(world, "sam", "Held first")
    assert world.unread("noor") == 0
    approve(world, "post", held)
    assert rows_of(app, "new_topic", world.ids["noor"]) == 1

    _set_membership(world, "noor", state="removed")
    _topic_id, other = _topic(world, "sam", "Held second")
    approve(world, "post", other)
    assert rows_of(app, "new_topic", world.ids["noor"]) == 1


# --- held items ----------------------------------------------------------------------------------------------


def test_held_items_are_one_unread_notification_per_group_for_its_moderators(db_app):
    world = build_world(db_app)
    set_premoderation(world, "all")
    for number in range(3):
        _topic(world, "sam", f"Held {number}")
    assert rows_of(db_app, "held_item", world.ids["mona"]) == 1
    assert world.unread("mona") == 1
    assert world.unread("sam") == 0 and world.unread("noor") == 0, "never the writer, nor a member"

    mona = world.http("mona")
    centre = page_text(mona.get("/notifications").get_data(as_text=True))
    assert "Posts or messages are waiting for your review in Parents." in centre
    with db_app.app_context():
        note_id = db.session.scalar(select(Notification.id).where(Notification.kind == "held_item"))
    token = csrf_token(mona, "/notifications")
    opened = mona.post(f"/notifications/{note_id}/read", data={"csrf_token": token, "open": "1"})
    assert opened.headers["Location"].endswith(f"/moderation/g/{world.group_id}")
    assert mona.get(opened.headers["Location"]).status_code == 200

    _topic(world, "sam", "Held after reading")
    assert rows_of(db_app, "held_item", world.ids["mona"]) == 2
    assert world.unread("mona") == 1


def test_opening_the_queue_reads_the_waiting_notice(app):
    world = build_world(app)
    set_premoderation(world, "all")
    _topic(world, "sam", "Held")
    assert world.unread("mona") == 1
    assert world.http("mona").get(f"/moderation/g/{world.group_id}?fragment=1").status_code == 200
    assert world.unread("mona") == 1, "the live list's refresh is not a visit"
    assert world.http("mona").get(f"/moderation/g/{world.group_id}").status_code == 200
    assert world.unread("mona") == 0
    assert world.http("noor").get(f"/moderation/g/{world.group_id}").status_code == 404


def test_muting_the_writer_never_hides_the_queue_from_a_moderator(app):
    world = build_world(app)
    _set_membership(world, "noor", role="moderator")
    world.mute("noor", "sam")
    set_premoderation(world, "all")
    _topic(world, "sam", "Held")
    assert world.unread("noor") == 1 and world.unread("mona") == 1
    _set_membership(world, "noor", role="member")
    _topic(world, "sam", "Held again")
    assert rows_of(app, "held_item", world.ids["noor"]) == 1, "only people who may act on it"


# --- safeguarding cases ----------------------------------------------------------------------------------------


def test_a_new_safeguarding_case_tells_the_moderators_not_the_raiser_nor_the_subject(app):
    world = build_world(app)
    _topic_id, post_id = _topic(world, "sam", "Evenings", "Evenings are hard")
    client = world.http("noor")
    path = f"/g/{world.slug}/posts/{post_id}/worried"
    response = post_form(client, path, {"note": ""})
    assert response.status_code in (200, 302, 303)
    assert rows_of(app, "safeguarding_case", world.ids["mona"]) == 1
    assert world.unread("noor") == 0 and world.unread("sam") == 0
    mona = world.http("mona")
    centre = page_text(mona.get("/notifications").get_data(as_text=True))
    assert "A safeguarding case was opened in Parents. Please look at it soon." in centre
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.kind == "safeguarding_case"))
        case_id = note.target_id
    opened = mona.post(
        f"/notifications/{note.id}/read", data={"csrf_token": csrf_token(mona, "/notifications"), "open": "1"}
    )
    assert opened.headers["Location"].endswith(f"/moderation/safeguarding/{case_id}")
    assert mona.get(opened.headers["Location"]).status_code == 200

    post_form(client, path, {"note": "still worried"})  # a second worry joins the open case: nothing new
    assert rows_of(app, "safeguarding_case", world.ids["mona"]) == 1


# --- muting, across kinds -----------------------------------------------------------------------------------------


def test_a_forum_mention_or_reply_from_someone_muted_tells_nothing(app):
    world = build_world(app)
    topic_id, _post_id = _topic(world, "noor", "My question")
    world.mute("noor", "sam")
    _reply(world, "sam", topic_id, "@Noor an answer")
    assert world.unread("noor") == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == 2  # the reply is there, only unheard
    _reply(world, "mona", topic_id, "Another answer")
    assert world.unread("noor") == 1, "others still reach them"
