"""Member text keeps its own direction inside the page's: an English topic title in the Arabic interface is marked
``dir="auto"`` (an element holding only member text) or put in ``<bdi>`` (member text inside a sentence), so its
punctuation stays where its writer put it ("Night care: how do you get enough sleep?", not "?Night care: ...").
tests/browser/test_phone_pages.py checks the direction the browser then gives it."""

from __future__ import annotations

import re

from flask import Flask

from community.extensions import db
from community.forum import writing
from community.groups.services import open_group
from community.notifications import services as notifications
from tests.factories import add_to_group, make_group, make_user, sign_in

TITLE = "Night care: how do you get enough sleep?"


def _arabic_reader(app: Flask) -> tuple[str, int]:
    """Layla reads Kring in Arabic; Alex wrote an English topic in their group and mentioned her."""
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents", description="Sharing nights and days")
        layla = make_user("layla", display_name="ليلى", language="ar")
        alex = make_user("alex", display_name="Alex")
        add_to_group(admin, group, layla)
        add_to_group(admin, group, alex)
        access = open_group(alex, group.slug)
        topic = writing.create_topic(alex, access, title=TITLE, body="Alarms all night.").topic
        post = writing.reply(alex, access, topic.id, body="And the pump too.").post
        notifications.notify([layla.id], kind="reply", actor_id=alex.id, group_id=group.id, target_type="post",
                             target_id=post.id, topic_id=topic.id)  # fmt: skip
        db.session.commit()
        return group.slug, topic.id


def test_an_english_topic_title_is_isolated_in_the_arabic_topic_list_and_heading(app: Flask) -> None:
    slug, topic_id = _arabic_reader(app)
    client = app.test_client()
    sign_in(client, "layla")

    group_page = client.get(f"/g/{slug}").get_data(as_text=True)
    assert 'dir="rtl"' in group_page and 'lang="ar"' in group_page
    link = re.search(rf'<a href="/g/{slug}/t/{topic_id}"([^>]*)>{re.escape(TITLE)}</a>', group_page)
    assert link, "the topic is not in the list"
    assert 'dir="auto"' in link.group(1)
    assert '<h1 dir="auto">Parents</h1>' in group_page
    assert '<p class="lead" dir="auto">Sharing nights and days</p>' in group_page
    assert "<bdi>Alex</bdi>" in group_page  # "by Alex" in the list, and Alex among the people

    topic_page = client.get(f"/g/{slug}/t/{topic_id}").get_data(as_text=True)
    assert f'<h1 dir="auto">{TITLE}</h1>' in topic_page

    home = client.get("/").get_data(as_text=True)
    assert re.search(rf'<a href="/g/{slug}" dir="auto">Parents</a>', home)


def test_names_and_titles_in_a_notification_line_are_bdi(app: Flask) -> None:
    _arabic_reader(app)
    client = app.test_client()
    sign_in(client, "layla")
    inbox = client.get("/notifications").get_data(as_text=True)
    line = re.search(r'<p class="notification__text">(.*?)<time', inbox, re.S)
    assert line, "no notification on the page"
    assert "<bdi>Alex</bdi>" in line.group(1)
    assert f"<bdi>{TITLE}</bdi>" in line.group(1)
    assert "<bdi>Parents</bdi>" in line.group(1)


def test_member_text_in_bdi_is_still_escaped(app: Flask) -> None:
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        sam = make_user("sam")
        mallory = make_user("mallory", display_name='<img src=x onerror="alert(1)">')
        add_to_group(admin, group, sam)
        add_to_group(admin, group, mallory)
        writing.create_topic(mallory, open_group(mallory, group.slug), title="Hello all", body="Hi")
        db.session.commit()
        slug = group.slug
    client = app.test_client()
    sign_in(client, "sam")
    page = client.get(f"/g/{slug}").get_data(as_text=True)
    assert "<bdi>&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</bdi>" in page
    assert "<img src=x" not in page
