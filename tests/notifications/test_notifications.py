"""The member's notifications: a page newest first, marking read, and the unread count in the navigation.

Notifications are made by mentions today. What a notification says is put together when the page is shown,
so one about a group the member has left, or a post that is no longer shown, never gives anything away.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from community.auth.models import User
from community.extensions import db, socketio
from community.forum import writing
from community.forum.models import Post, Topic
from community.groups.models import Group, Membership
from community.groups.services import open_group
from community.notifications import services
from community.notifications.models import Notification
from tests.factories import add_to_group, csrf_token, make_group, make_user, sign_in


@pytest.fixture
def slug(db_app: Flask) -> str:
    """ "Parents" with Sam and Noor; Otto is only in "Others"."""
    with db_app.app_context():
        admin = make_user("boss", admin=True)
        parents, others = make_group(admin, "Parents"), make_group(admin, "Others")
        add_to_group(admin, parents, make_user("sam", display_name="Sam"))
        add_to_group(admin, parents, make_user("noor", display_name="Noor"))
        add_to_group(admin, others, make_user("otto", display_name="Otto"))
        return parents.slug


def mention(app: Flask, slug: str, title: str, by: str = "sam", body: str = "Hello @Noor") -> int:
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.username == by))
        post_id = writing.create_topic(actor, open_group(actor, slug), title=title, body=body).post.id
        db.session.commit()
        return post_id


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def nav_label(page: str) -> str:
    """The navigation link's text as a person reads it, e.g. "Notifications (2)"."""
    match = re.search(r'<a href="/notifications"[^>]*>(.*?)</a>', page, re.S)
    assert match, "no Notifications link"
    text = re.sub(r"<span[^>]*hidden[^>]*>.*?</span>", "", match.group(1))
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def unread(app: Flask, username: str) -> int:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        return services.unread_count(user_id)


def test_the_navigation_shows_the_unread_count_in_words_and_numbers(db_app, slug):
    noor = signed_in(db_app, "noor")
    assert nav_label(noor.get("/").get_data(as_text=True)) == "Notifications"
    mention(db_app, slug, "First")
    mention(db_app, slug, "Second")
    assert nav_label(noor.get("/").get_data(as_text=True)) == "Notifications (2)"
    assert nav_label(signed_in(db_app, "sam").get("/").get_data(as_text=True)) == "Notifications"


def test_the_page_lists_notifications_newest_first_with_who_and_where(db_app, slug):
    mention(db_app, slug, "First")
    mention(db_app, slug, "Second")
    page = signed_in(db_app, "noor").get("/notifications").get_data(as_text=True)
    sentence = r"<bdi>Sam</bdi> mentioned you in “<bdi>(\w+)</bdi>” in <bdi>Parents</bdi>"  # names and titles: <bdi>
    assert re.findall(sentence, page) == ["Second", "First"]
    assert "You have 2 unread notifications." in page


def test_marking_one_read_lowers_the_count_and_marking_all_read_clears_it(db_app, slug):
    mention(db_app, slug, "First")
    mention(db_app, slug, "Second")
    noor = signed_in(db_app, "noor")
    with db_app.app_context():
        newest = db.session.scalar(select(func.max(Notification.id)))
    token = csrf_token(noor, "/notifications")
    response = noor.post(f"/notifications/{newest}/read", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/notifications")
    assert unread(db_app, "noor") == 1
    assert nav_label(noor.get("/notifications").get_data(as_text=True)) == "Notifications (1)"
    assert noor.post("/notifications/read-all", data={"csrf_token": token}).status_code == 303
    assert unread(db_app, "noor") == 0
    assert "You have no unread notifications." in noor.get("/notifications").get_data(as_text=True)


def test_open_marks_read_and_goes_to_the_post(db_app, slug):
    post_id = mention(db_app, slug, "First")
    noor = signed_in(db_app, "noor")
    with db_app.app_context():
        note_id = db.session.scalar(select(Notification.id))
        topic_id = db.session.get(Post, post_id).topic_id
    token = csrf_token(noor, "/notifications")
    response = noor.post(f"/notifications/{note_id}/read", data={"csrf_token": token, "open": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/g/{slug}/t/{topic_id}?after={post_id - 1}#post-{post_id}")
    assert unread(db_app, "noor") == 0
    assert noor.get(response.headers["Location"]).status_code == 200


def test_nobody_can_mark_someone_elses_notification(db_app, slug):
    mention(db_app, slug, "First")
    with db_app.app_context():
        note_id = db.session.scalar(select(Notification.id))
    sam = signed_in(db_app, "sam")
    token = csrf_token(sam, "/notifications")
    assert sam.post(f"/notifications/{note_id}/read", data={"csrf_token": token}).status_code == 404
    assert sam.post("/notifications/99999/read", data={"csrf_token": token}).status_code == 404
    assert unread(db_app, "noor") == 1


def test_reading_the_page_changes_nothing(db_app, slug):
    mention(db_app, slug, "First")
    noor = signed_in(db_app, "noor")
    noor.get("/notifications")
    noor.get("/notifications")
    assert unread(db_app, "noor") == 1


def test_the_list_is_paginated_by_id_newest_first(db_app, slug):
    with db_app.app_context():
        sam_id = db.session.scalar(select(User.id).where(User.username == "sam"))
        noor_id = db.session.scalar(select(User.id).where(User.username == "noor"))
        group_id = db.session.scalar(select(Group.id).where(Group.slug == slug))
        post_id = mention(db_app, slug, "Busy topic", body="No mention here")
        for _ in range(services.PER_PAGE + 3):
            services.notify(
                [noor_id], kind="mention", actor_id=sam_id, group_id=group_id, target_type="post", target_id=post_id
            )
        db.session.commit()
    noor = signed_in(db_app, "noor")
    first = noor.get("/notifications").get_data(as_text=True)
    assert first.count("<bdi>Sam</bdi> mentioned you in") == services.PER_PAGE
    older = re.search(r'href="(/notifications\?before=\d+)"', first).group(1)
    second = noor.get(older).get_data(as_text=True)
    assert second.count("<bdi>Sam</bdi> mentioned you in") == 3 and "Older notifications" not in second


def test_a_group_the_member_has_left_disappears_from_the_list_and_the_count(db_app, slug):
    mention(db_app, slug, "Secret title")
    with db_app.app_context():
        noor_id = db.session.scalar(select(User.id).where(User.username == "noor"))
        db.session.query(Membership).filter_by(user_id=noor_id).update({"state": "removed"})
        db.session.commit()
    noor = signed_in(db_app, "noor")
    page = noor.get("/notifications").get_data(as_text=True)
    assert "Secret title" not in page and "Parents" not in page
    assert nav_label(page) == "Notifications"


def test_a_post_no_longer_shown_is_listed_without_its_topic(db_app, slug):
    post_id = mention(db_app, slug, "Removed later")
    with db_app.app_context():
        post = db.session.get(Post, post_id)
        post.state = "removed"
        db.session.get(Topic, post.topic_id).state = "removed"
        db.session.commit()
    page = signed_in(db_app, "noor").get("/notifications").get_data(as_text=True)
    assert "Removed later" not in page and "a post that is no longer shown" in page
    assert "Open the post" not in page


def test_a_former_member_is_named_as_such(db_app, slug):
    mention(db_app, slug, "First")
    with db_app.app_context():
        db.session.query(User).filter_by(username="sam").update({"state": "deleted"})
        db.session.commit()
    page = signed_in(db_app, "noor").get("/notifications").get_data(as_text=True)
    assert "A former member mentioned you in “<bdi>First</bdi>”" in page and "Sam</bdi> mentioned" not in page


def test_an_open_page_hears_the_new_count_after_the_commit(db_app, slug):
    noor = signed_in(db_app, "noor")
    socket = socketio.test_client(db_app, flask_test_client=noor)
    socket.get_received()
    mention(db_app, slug, "First")
    received = [
        (item["name"], item["args"][0]) for item in socket.get_received() if item["name"].startswith("notification:")
    ]
    assert received == [("notification:new", {"count": 1, "kind": "mention"})]
    token = csrf_token(noor, "/notifications")
    noor.post("/notifications/read-all", data={"csrf_token": token})
    received = [
        (item["name"], item["args"][0]) for item in socket.get_received() if item["name"].startswith("notification:")
    ]
    socket.disconnect()
    assert received == [("notification:count", {"count": 0})]


def test_someone_elses_page_hears_nothing(db_app, slug):
    otto = signed_in(db_app, "otto")
    socket = socketio.test_client(db_app, flask_test_client=otto)
    socket.get_received()
    mention(db_app, slug, "First")
    assert [item for item in socket.get_received() if item["name"].startswith("notification:")] == []
    socket.disconnect()


def test_the_unread_count_uses_its_index(app):
    """The count runs on every page for a signed-in member: it must read the index, not the table."""
    with app.app_context():
        plan = " ".join(
            str(row[-1])
            for row in db.session.execute(
                db.text("EXPLAIN QUERY PLAN SELECT count(*) FROM notifications WHERE user_id = 1 AND read_at IS NULL")
            )
        )
        assert "ix_notifications_unread" in plan
