"""The group page's topic list: pinned topics first, then by last activity, a page at a time.

Pages are keyset-paginated: the "Older topics" and "Newer topics" links carry the sort key of the last or
first topic shown, so walking the pages lists every topic once, in order, and a page does not shift when
topics above it get new replies.
"""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from community.auth.models import User
from community.extensions import db
from community.forum import writing
from community.forum.models import Topic
from community.forum.services import TOPICS_PER_PAGE
from community.groups.services import open_group
from tests.factories import add_to_group, make_group, make_user, sign_in

TOPICS = 2 * TOPICS_PER_PAGE + 5  # three pages


@pytest.fixture
def forum(db_app: Flask) -> tuple[Flask, str]:
    """A group with 55 topics ("Topic 00" is the oldest); "Topic 10" is pinned, "Topic 03" got a late reply."""
    with db_app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents together")
        sam = make_user("sam")
        add_to_group(admin, group, sam)
        access = open_group(sam, group.slug)
        ids = [
            writing.create_topic(sam, access, title=f"Topic {number:02d}", body="Hello").topic.id
            for number in range(TOPICS)
        ]
        db.session.get(Topic, ids[10]).pinned = True
        writing.reply(sam, access, ids[3], body="Still here")
        db.session.commit()
        return db_app, group.slug


def expected_order() -> list[str]:
    rest = [number for number in reversed(range(TOPICS)) if number not in (10, 3)]
    return [f"Topic {number:02d}" for number in (10, 3, *rest)]


def titles(page: str) -> list[str]:
    return re.findall(r"Topic \d\d", page)


def link(page: str, name: str) -> str | None:
    """The href of the "Older topics" or "Newer topics" link, if the page has one."""
    match = re.search(rf'href="([^"]*[?&]{name}=[^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


def visit(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def walk(client: FlaskClient, start: str, direction: str) -> list[list[str]]:
    pages, path = [], start
    while path:
        page = visit(client, path)
        pages.append(titles(page))
        path = link(page, direction)
        assert len(pages) <= 5, "the links go round in circles"
    return pages


def test_pinned_topics_come_first_then_the_most_recently_active(forum) -> None:
    app, slug = forum
    client = app.test_client()
    sign_in(client, "sam")
    first = titles(visit(client, f"/g/{slug}"))
    assert first == expected_order()[:TOPICS_PER_PAGE]


def test_walking_older_pages_lists_every_topic_once_in_order_and_newer_pages_walk_back(forum) -> None:
    app, slug = forum
    client = app.test_client()
    sign_in(client, "sam")
    older_pages = walk(client, f"/g/{slug}", "older")
    assert [len(page) for page in older_pages] == [TOPICS_PER_PAGE, TOPICS_PER_PAGE, 5]
    assert [title for page in older_pages for title in page] == expected_order()
    assert link(visit(client, f"/g/{slug}"), "newer") is None

    last_page_path = f"/g/{slug}"
    for _ in range(2):
        last_page_path = link(visit(client, last_page_path), "older")
    newer_pages = walk(client, link(visit(client, last_page_path), "newer"), "newer")
    assert newer_pages == older_pages[-2::-1]


def test_the_next_page_repeats_nothing_when_an_old_topic_jumps_to_the_top_meanwhile(forum) -> None:
    app, slug = forum
    client = app.test_client()
    sign_in(client, "sam")
    first_page = visit(client, f"/g/{slug}")
    second_page_path = link(first_page, "older")
    second_page_before = titles(visit(client, second_page_path))
    with app.app_context():
        sam = db.session.scalar(db.select(User).where(User.username == "sam"))
        topic_id = db.session.scalar(db.select(Topic.id).where(Topic.title == "Topic 02"))  # on the third page
        writing.reply(sam, open_group(sam, slug), topic_id, body="Bumped")
        db.session.commit()
    assert titles(visit(client, f"/g/{slug}"))[1] == "Topic 02"
    # Offset paging would now start page 2 with the last topic of the page already read.
    assert titles(visit(client, second_page_path)) == second_page_before


@pytest.mark.parametrize(
    "query", ["?older=nonsense", "?newer=2.1.1", "?older=0.9999999999999999999.1", "?older=0.1.x", "?page=3"]
)
def test_a_mangled_or_old_style_page_link_shows_the_first_page(forum, query: str) -> None:
    app, slug = forum
    client = app.test_client()
    sign_in(client, "sam")
    assert titles(visit(client, f"/g/{slug}{query}")) == expected_order()[:TOPICS_PER_PAGE]
