"""Unread markers: reading never writes; the page's POST remembers how far a member read."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from community.extensions import db
from community.forum.models import Post
from community.forum.read_models import TopicRead
from tests.factories import csrf_token
from tests.forum.writing_world import World, build_world


@pytest.fixture
def world(db_app) -> World:
    return build_world(db_app)


def mark_read(client, world: World, topic_id: int, last_post_id: object, **extra):
    token = csrf_token(client, f"/g/{world.slug}/t/{topic_id}")
    data = {"last_post_id": str(last_post_id), "csrf_token": token, **extra}
    return client.post(f"/g/{world.slug}/t/{topic_id}/read", data=data)


def position(world: World, username: str, topic_id: int) -> int | None:
    with world.app.app_context():
        return db.session.scalar(
            select(TopicRead.last_read_post_id).where(
                TopicRead.user_id == world.ids[username], TopicRead.topic_id == topic_id
            )
        )


def marker(text: str, title: str) -> str | None:
    item = re.search(rf">{re.escape(title)}</a>(.*?)</li>", text, re.S)
    assert item, f"{title} is not in the list"
    badge = re.search(r'<span class="badge badge--new">([^<]+)</span>', item.group(1))
    return badge.group(1) if badge else None


def writes_during(world: World, action) -> list[str]:
    """The INSERT/UPDATE/DELETE statements the database saw while ``action`` ran."""
    seen: list[str] = []
    with world.app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_reading_the_topic_list_and_a_topic_writes_nothing(world):
    topic_id = world.topic("noor")
    sam = world.client("sam")
    sam.get(f"/g/{world.slug}")  # the first request of a session may note the session's activity

    def read() -> None:
        for url in (f"/g/{world.slug}", f"/g/{world.slug}/t/{topic_id}", f"/g/{world.slug}/t/{topic_id}/posts"):
            assert sam.get(url).status_code == 200

    assert writes_during(world, read) == []
    assert position(world, "sam", topic_id) is None


def test_the_topic_list_marks_new_topics_and_new_replies(world):
    topic_id = world.topic("noor", title="Night care")
    sam = world.client("sam")
    assert marker(sam.get(f"/g/{world.slug}").get_data(as_text=True), "Night care") == "New"

    first = world.reply("noor", topic_id)
    topic_page = sam.get(f"/g/{world.slug}/t/{topic_id}").get_data(as_text=True)
    assert f'name="last_post_id" value="{first}"' in topic_page and "Mark as read</button>" in topic_page  # no JS
    response = mark_read(sam, world, topic_id, first)
    assert response.status_code == 303
    assert "Marked as read." in sam.get(response.headers["Location"]).get_data(as_text=True)
    assert marker(sam.get(f"/g/{world.slug}").get_data(as_text=True), "Night care") is None

    world.reply("ravi", topic_id, body="A new answer")
    assert marker(sam.get(f"/g/{world.slug}").get_data(as_text=True), "Night care") == "New replies"
    assert marker(world.client("noor").get(f"/g/{world.slug}").get_data(as_text=True), "Night care") == "New"


def test_markers_for_a_whole_page_take_one_query(world):
    from community.auth.models import User
    from community.forum import reading_state

    ids = [world.topic("noor", title=f"Topic {n}") for n in range(6)]
    statements: list[str] = []
    with world.app.app_context():
        sam = db.session.get(User, world.ids["sam"])

        def count(conn, cursor, statement, *rest):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            markers = reading_state.topic_markers(sam, ids)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert markers == dict.fromkeys(ids, "new")
    assert len(statements) == 1


def test_the_topic_page_links_to_the_first_unread_reply(world):
    topic_id = world.topic("noor")
    read_up_to = world.reply("noor", topic_id, body="Read this")
    sam = world.client("sam")
    assert "first unread" not in sam.get(f"/g/{world.slug}/t/{topic_id}").get_data(as_text=True)
    mark_read(sam, world, topic_id, read_up_to)
    assert "first unread" not in sam.get(f"/g/{world.slug}/t/{topic_id}").get_data(as_text=True)
    unread = world.reply("ravi", topic_id, body="Not read yet")
    text = sam.get(f"/g/{world.slug}/t/{topic_id}").get_data(as_text=True)
    assert f'<a href="#post-{unread}">Go to the first unread reply</a>' in text


def test_each_topic_page_uses_the_readers_position_in_that_topic(world):
    """The topic page reads the position in the same statement as the topic: with positions in several
    topics (and other members' positions in this one), each page must use the reader's own, for its topic."""
    first_topic, second_topic = world.topic("noor", title="One"), world.topic("noor", title="Two")
    first_replies = [world.reply("noor", first_topic, body=f"One {n}") for n in range(3)]
    second_replies = [world.reply("noor", second_topic, body=f"Two {n}") for n in range(3)]
    sam, ravi = world.client("sam"), world.client("ravi")
    mark_read(sam, world, first_topic, first_replies[0])
    mark_read(sam, world, second_topic, second_replies[1])
    mark_read(ravi, world, first_topic, first_replies[1])
    first_page = sam.get(f"/g/{world.slug}/t/{first_topic}").get_data(as_text=True)
    second_page = sam.get(f"/g/{world.slug}/t/{second_topic}").get_data(as_text=True)
    assert f'<a href="#post-{first_replies[1]}">Go to the first unread reply</a>' in first_page
    assert f'<a href="#post-{second_replies[2]}">Go to the first unread reply</a>' in second_page
    assert "first unread" not in world.client("noor").get(f"/g/{world.slug}/t/{first_topic}").get_data(as_text=True)


def test_a_first_unread_reply_on_a_later_page_is_linked_with_its_page(world):
    topic_id = world.topic("noor")
    replies = [world.reply("noor", topic_id, body=f"Reply {n}") for n in range(24)]
    sam = world.client("sam")
    mark_read(sam, world, topic_id, replies[21])
    text = sam.get(f"/g/{world.slug}/t/{topic_id}").get_data(as_text=True)
    link = f"/g/{world.slug}/t/{topic_id}?after={replies[22] - 1}#post-{replies[22]}"
    assert f'<a href="{link}">Go to the first unread reply</a>' in text
    assert "Reply 22" in sam.get(link).get_data(as_text=True)


def test_the_reading_position_never_moves_back_and_stays_within_the_topic(world):
    topic_id = world.topic("noor")
    first = world.reply("noor", topic_id)
    second = world.reply("noor", topic_id)
    sam = world.client("sam")
    mark_read(sam, world, topic_id, second)
    mark_read(sam, world, topic_id, first)  # an old tab
    assert position(world, "sam", topic_id) == second
    mark_read(sam, world, topic_id, 10**12)  # beyond the newest post: the newest post
    assert position(world, "sam", topic_id) == second
    with world.app.app_context():
        assert db.session.scalar(select(Post.id).order_by(Post.id.desc()).limit(1)) == second


def test_the_script_sends_a_beacon_and_gets_no_page_back(world):
    topic_id = world.topic("noor")
    post_id = world.reply("noor", topic_id)
    sam = world.client("sam")
    response = mark_read(sam, world, topic_id, post_id, format="beacon")
    assert (response.status_code, response.get_data()) == (204, b"")
    assert position(world, "sam", topic_id) == post_id
    assert mark_read(sam, world, topic_id, "nonsense", format="beacon").status_code == 400


@pytest.mark.parametrize("last_post_id", ["", "nonsense", "-3", "0"])
def test_a_bad_reading_position_is_refused_and_nothing_is_stored(world, last_post_id):
    topic_id = world.topic("noor")
    sam = world.client("sam")
    response = mark_read(sam, world, topic_id, last_post_id)
    assert response.status_code == 303
    assert "Say which post you read up to." in sam.get(response.headers["Location"]).get_data(as_text=True)
    assert position(world, "sam", topic_id) is None


def test_marking_an_unknown_or_foreign_topic_answers_404(world):
    topic_id = world.topic("noor")
    sam, otto = world.client("sam"), world.client("otto")
    token = csrf_token(sam, f"/g/{world.slug}/t/{topic_id}")
    assert (
        sam.post(f"/g/{world.slug}/t/999999/read", data={"last_post_id": "1", "csrf_token": token}).status_code == 404
    )
    token = csrf_token(otto, f"/g/{world.other_slug}")
    response = otto.post(f"/g/{world.slug}/t/{topic_id}/read", data={"last_post_id": "1", "csrf_token": token})
    assert response.status_code == 404
    assert world.counts()["topic_reads"] == 0


def test_the_posts_fragment_has_only_the_newer_posts_and_no_page_around_them(world):
    topic_id = world.topic("noor", body="The opening post")
    seen = world.reply("noor", topic_id, body="Already on the page")
    world.reply("ravi", topic_id, body="Arrived live")
    sam = world.client("sam")
    text = sam.get(f"/g/{world.slug}/t/{topic_id}/posts?after={seen}").get_data(as_text=True)
    assert "Arrived live" in text and "Already on the page" not in text
    assert "<html" not in text and text.strip().startswith("<li")
    assert world.client("otto").get(f"/g/{world.slug}/t/{topic_id}/posts").status_code == 404
