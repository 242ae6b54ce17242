"""The coach's tools: posts in the coach's labelled style, pinned topics, and announcements.

Moderators pin and unpin topics and make announcements; each is audited. Every member sees an announcement at
the top of the group page until they dismiss it (for themselves) or a moderator ends it (for everyone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from community.core.audit import AuditEntry
from community.extensions import db
from community.forum import writing
from community.forum.models import Announcement, AnnouncementDismissal, Post, Topic
from community.groups.models import Group
from community.groups.services import open_group
from tests.factories import add_to_group, csrf_token, make_group, make_user, post_form, sign_in


@dataclass(frozen=True)
class World:
    slug: str
    other_slug: str
    first_id: int
    second_id: int


@pytest.fixture
def world(db_app: Flask) -> World:
    """ "Parents": members sam and noor, moderator mona, two topics by sam ("Second" is newer). otto is elsewhere."""
    with db_app.app_context():
        admin = make_user("boss", admin=True)
        group, other = make_group(admin, "Parents"), make_group(admin, "Others")
        people = {name: make_user(name) for name in ("sam", "noor", "mona", "otto")}
        add_to_group(admin, group, people["sam"])
        add_to_group(admin, group, people["noor"])
        add_to_group(admin, group, people["mona"], role="moderator")
        add_to_group(admin, other, people["otto"])
        access = open_group(people["sam"], group.slug)
        first = writing.create_topic(people["sam"], access, title="First topic", body="Hello").topic.id
        second = writing.create_topic(people["sam"], access, title="Second topic", body="Hello again").topic.id
        db.session.commit()
        return World(group.slug, other.slug, first, second)


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def audit_actions(app: Flask) -> list[tuple[str, str, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEntry.action, AuditEntry.target_type, AuditEntry.target_id)
            .where(AuditEntry.action.like("topic.%") | AuditEntry.action.like("announcement.%"))
            .order_by(AuditEntry.id)
        ).all()
        return [tuple(row) for row in rows]


def topic_titles(client: FlaskClient, slug: str) -> list[str]:
    return re.findall(r"(First|Second) topic", client.get(f"/g/{slug}").get_data(as_text=True))


# --- coach posts ------------------------------------------------------------------------------------------------


def reply_as_coach(client: FlaskClient, world: World, body: str):
    page = f"/g/{world.slug}/t/{world.first_id}"
    return post_form(client, f"{page}/reply", {"body": body, "as_coach": "y"}, form_page=page)


def test_a_moderator_replies_as_the_coach_and_the_post_is_labelled_coach_in_text(db_app, world):
    mona = signed_in(db_app, "mona")
    assert reply_as_coach(mona, world, "Take it one night at a time.").status_code == 303
    page = mona.get(f"/g/{world.slug}/t/{world.first_id}").get_data(as_text=True)
    post_html = page[page.index("Take it one night") - 2000 : page.index("Take it one night")]
    assert "post--coach" in post_html and re.search(r'badge--coach">\s*Coach\s*<', post_html)


def test_a_member_cannot_post_as_the_coach_even_by_sending_the_field(db_app, world):
    sam = signed_in(db_app, "sam")
    assert "as_coach" not in sam.get(f"/g/{world.slug}/t/{world.first_id}").get_data(as_text=True)
    assert reply_as_coach(sam, world, "I am not the coach.").status_code == 303
    with db_app.app_context():
        post = db.session.scalar(select(Post).where(Post.body_source == "I am not the coach."))
        assert post.is_coach_post is False


def test_a_moderator_who_does_not_ask_posts_as_themselves(db_app, world):
    mona = signed_in(db_app, "mona")
    page = f"/g/{world.slug}/t/{world.first_id}"
    post_form(mona, f"{page}/reply", {"body": "Speaking as myself."}, form_page=page)
    with db_app.app_context():
        assert db.session.scalar(select(Post.is_coach_post).where(Post.body_source == "Speaking as myself.")) is False


# --- pinning ----------------------------------------------------------------------------------------------------


def pin(client: FlaskClient, world: World, topic_id: int, action: str = "pin"):
    return post_form(client, f"/g/{world.slug}/t/{topic_id}/{action}", {}, form_page=f"/g/{world.slug}/t/{topic_id}")


def test_a_moderator_pins_a_topic_it_lists_first_and_the_pin_is_audited(db_app, world):
    mona = signed_in(db_app, "mona")
    assert topic_titles(mona, world.slug) == ["Second", "First"]
    response = pin(mona, world, world.first_id)
    assert response.status_code == 303
    assert topic_titles(mona, world.slug) == ["First", "Second"]
    assert audit_actions(db_app) == [("topic.pinned", "topic", world.first_id)]
    with db_app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "topic.pinned"))
        group_id = db.session.scalar(select(Group.id).where(Group.slug == world.slug))
        mona_id = db.session.scalar(select(func.min(AuditEntry.actor_id)).where(AuditEntry.action == "topic.pinned"))
        assert (entry.group_id, entry.actor_id) == (group_id, mona_id) and mona_id is not None


def test_a_moderator_unpins_and_that_is_audited_too(db_app, world):
    mona = signed_in(db_app, "mona")
    pin(mona, world, world.first_id)
    page = mona.get(f"/g/{world.slug}/t/{world.first_id}").get_data(as_text=True)
    assert "Unpin this topic" in page
    pin(mona, world, world.first_id, "unpin")
    assert topic_titles(mona, world.slug) == ["Second", "First"]
    assert [action for action, *_ in audit_actions(db_app)] == ["topic.pinned", "topic.unpinned"]


def test_pinning_a_pinned_topic_again_changes_nothing_and_audits_nothing_more(db_app, world):
    mona = signed_in(db_app, "mona")
    pin(mona, world, world.first_id)
    pin(mona, world, world.first_id)
    assert [action for action, *_ in audit_actions(db_app)] == ["topic.pinned"]


def test_only_moderators_see_the_pin_button(db_app, world):
    assert "Pin this topic" in signed_in(db_app, "mona").get(f"/g/{world.slug}/t/{world.first_id}").get_data(
        as_text=True
    )
    assert "Pin this topic" not in signed_in(db_app, "sam").get(f"/g/{world.slug}/t/{world.first_id}").get_data(
        as_text=True
    )


def test_a_member_may_not_pin_and_nothing_changes(db_app, world):
    response = pin(signed_in(db_app, "sam"), world, world.first_id)
    assert response.status_code == 403
    assert topic_titles(signed_in(db_app, "sam"), world.slug) == ["Second", "First"]
    assert audit_actions(db_app) == []


def test_someone_outside_the_group_gets_not_found(db_app, world):
    otto = signed_in(db_app, "otto")
    token = csrf_token(otto, f"/g/{world.other_slug}")
    assert otto.post(f"/g/{world.slug}/t/{world.first_id}/pin", data={"csrf_token": token}).status_code == 404
    assert audit_actions(db_app) == []


def test_an_unknown_topic_is_not_found(db_app, world):
    mona = signed_in(db_app, "mona")
    token = csrf_token(mona, f"/g/{world.slug}")
    assert mona.post(f"/g/{world.slug}/t/99999/pin", data={"csrf_token": token}).status_code == 404


def test_topics_of_an_archived_group_cannot_be_pinned(db_app, world):
    mona = signed_in(db_app, "mona")
    token = csrf_token(mona, f"/g/{world.slug}")
    with db_app.app_context():
        db.session.query(Group).filter_by(slug=world.slug).update({"state": "archived"})
        db.session.commit()
    response = mona.post(f"/g/{world.slug}/t/{world.first_id}/pin", data={"csrf_token": token})
    assert response.status_code == 403 and "archived" in response.get_data(as_text=True)
    with db_app.app_context():
        assert db.session.get(Topic, world.first_id).pinned is False


# --- announcements ----------------------------------------------------------------------------------------------


def announce(client: FlaskClient, world: World, title: str, body: str):
    return post_form(client, f"/g/{world.slug}/announcements", {"title": title, "body": body})


def announcement_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Announcement.id).order_by(Announcement.id)))


def test_every_member_sees_an_announcement_until_they_dismiss_it(db_app, world):
    mona = signed_in(db_app, "mona")
    response = announce(mona, world, "Summer meeting", "We meet on **Saturday** at the clinic.")
    assert response.status_code == 303
    [announcement_id] = announcement_ids(db_app)
    assert audit_actions(db_app) == [("announcement.created", "announcement", announcement_id)]
    sam, noor = signed_in(db_app, "sam"), signed_in(db_app, "noor")
    for client in (sam, noor, mona):
        page = client.get(f"/g/{world.slug}").get_data(as_text=True)
        assert "Summer meeting" in page and "<strong>Saturday</strong>" in page
    response = post_form(
        sam, f"/g/{world.slug}/announcements/{announcement_id}/dismiss", {}, form_page=f"/g/{world.slug}"
    )
    assert response.status_code == 303
    assert "Summer meeting" not in sam.get(f"/g/{world.slug}").get_data(as_text=True)
    assert "Summer meeting" in noor.get(f"/g/{world.slug}").get_data(as_text=True)


def test_dismissing_twice_is_harmless_and_stores_one_row(db_app, world):
    announce(signed_in(db_app, "mona"), world, "Summer meeting", "Saturday.")
    [announcement_id] = announcement_ids(db_app)
    sam = signed_in(db_app, "sam")
    for _ in range(2):
        token = csrf_token(sam, f"/g/{world.slug}")
        assert (
            sam.post(f"/g/{world.slug}/announcements/{announcement_id}/dismiss", data={"csrf_token": token}).status_code
            == 303
        )
    with db_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AnnouncementDismissal)) == 1


def test_a_moderator_ends_an_announcement_for_everyone_and_that_is_audited(db_app, world):
    mona = signed_in(db_app, "mona")
    announce(mona, world, "Summer meeting", "Saturday.")
    [announcement_id] = announcement_ids(db_app)
    response = post_form(
        mona, f"/g/{world.slug}/announcements/{announcement_id}/end", {}, form_page=f"/g/{world.slug}/announcements"
    )
    assert response.status_code == 303
    for name in ("sam", "noor", "mona"):
        assert "Summer meeting" not in signed_in(db_app, name).get(f"/g/{world.slug}").get_data(as_text=True)
    assert [action for action, *_ in audit_actions(db_app)] == ["announcement.created", "announcement.ended"]
    page = mona.get(f"/g/{world.slug}/announcements").get_data(as_text=True)
    assert "Summer meeting" in page and "Ended" in page
    again = post_form(
        mona, f"/g/{world.slug}/announcements/{announcement_id}/end", {}, form_page=f"/g/{world.slug}/announcements"
    )
    assert again.status_code == 400 and "already ended" in again.get_data(as_text=True)


def test_members_may_not_make_or_end_announcements(db_app, world):
    sam = signed_in(db_app, "sam")
    assert sam.get(f"/g/{world.slug}/announcements").status_code == 403
    token = csrf_token(sam, f"/g/{world.slug}")
    response = sam.post(f"/g/{world.slug}/announcements", data={"title": "Me", "body": "Hi", "csrf_token": token})
    assert response.status_code == 403
    announce(signed_in(db_app, "mona"), world, "Summer meeting", "Saturday.")
    [announcement_id] = announcement_ids(db_app)
    assert (
        sam.post(f"/g/{world.slug}/announcements/{announcement_id}/end", data={"csrf_token": token}).status_code == 403
    )
    assert "Summer meeting" in sam.get(f"/g/{world.slug}").get_data(as_text=True)
    assert [action for action, *_ in audit_actions(db_app)] == ["announcement.created"]
    assert "Make or end announcements" not in sam.get(f"/g/{world.slug}").get_data(as_text=True)


def test_someone_outside_the_group_cannot_see_dismiss_or_end_an_announcement(db_app, world):
    announce(signed_in(db_app, "mona"), world, "Summer meeting", "Saturday.")
    [announcement_id] = announcement_ids(db_app)
    otto = signed_in(db_app, "otto")
    token = csrf_token(otto, f"/g/{world.other_slug}")
    assert "Summer meeting" not in otto.get(f"/g/{world.other_slug}").get_data(as_text=True)
    for action in ("dismiss", "end"):
        assert (
            otto.post(
                f"/g/{world.slug}/announcements/{announcement_id}/{action}", data={"csrf_token": token}
            ).status_code
            == 404
        )
    assert otto.get(f"/g/{world.slug}/announcements").status_code == 404


def test_an_announcement_of_another_group_is_not_found_through_this_one(db_app, world):
    with db_app.app_context():
        admin = make_user("boss2", admin=True)
        other = db.session.scalar(select(Group).where(Group.slug == world.other_slug))
        coach = make_user("oscar")
        add_to_group(admin, other, coach, role="moderator")
    oscar = signed_in(db_app, "oscar")
    post_form(oscar, f"/g/{world.other_slug}/announcements", {"title": "Elsewhere", "body": "Not yours."})
    [announcement_id] = announcement_ids(db_app)
    mona = signed_in(db_app, "mona")
    token = csrf_token(mona, f"/g/{world.slug}")
    for action in ("dismiss", "end"):
        assert (
            mona.post(
                f"/g/{world.slug}/announcements/{announcement_id}/{action}", data={"csrf_token": token}
            ).status_code
            == 404
        )


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "Saturday.", "title of 3 to 120 characters"),
        ("  \t ", "Saturday.", "title of 3 to 120 characters"),
        ("x" * 121, "Saturday.", "title of 3 to 120 characters"),
        ("Summer meeting", "   ", "Write what you want to announce"),
        ("Summer meeting", "x" * 5001, "at most 5,000 characters"),
    ],
)
def test_bad_announcements_are_refused_with_the_input_kept_and_nothing_stored(db_app, world, title, body, message):
    response = announce(signed_in(db_app, "mona"), world, title, body)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    if title.strip():
        assert title[:50] in page
    assert announcement_ids(db_app) == [] and audit_actions(db_app) == []


def test_html_and_script_in_an_announcement_come_out_as_harmless_text(db_app, world):
    mona = signed_in(db_app, "mona")
    announce(
        mona, world, "<script>alert(1)</script> news", "<img src=x onerror=alert(1)> [x](javascript:alert(1)) **ok**"
    )
    page = signed_in(db_app, "sam").get(f"/g/{world.slug}").get_data(as_text=True)
    section = page[page.index('class="announcements"') : page.index("</section>", page.index('class="announcements"'))]
    assert "<script" not in section and "<img" not in section and 'href="javascript' not in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt; news" in section and "<strong>ok</strong>" in section


def test_no_announcement_can_be_made_in_an_archived_group_but_one_can_still_be_ended(db_app, world):
    mona = signed_in(db_app, "mona")
    announce(mona, world, "Summer meeting", "Saturday.")
    [announcement_id] = announcement_ids(db_app)
    with db_app.app_context():
        db.session.query(Group).filter_by(slug=world.slug).update({"state": "archived"})
        db.session.commit()
    page = mona.get(f"/g/{world.slug}/announcements")
    assert page.status_code == 200 and "archived" in page.get_data(as_text=True)
    token = csrf_token(mona, f"/g/{world.slug}")
    refused = mona.post(
        f"/g/{world.slug}/announcements", data={"title": "Another one", "body": "x", "csrf_token": token}
    )
    assert refused.status_code == 403
    ended = mona.post(f"/g/{world.slug}/announcements/{announcement_id}/end", data={"csrf_token": token})
    assert ended.status_code == 303
    assert announcement_ids(db_app) == [announcement_id]
