"""Reading the forum costs the same number of SQL statements whatever is on the page.

The group page and the topic page are fetched with 2 and then with 20 topics or posts, written by several
members, with content warnings, coach posts and reactions. The number of statements must not grow with the
number of items (no query per topic, per post or per author), and a GET never writes to the database.
The statements are counted with SQLAlchemy's ``before_cursor_execute`` event, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from community.auth.models import User
from community.extensions import db
from community.forum import reactions, writing
from community.forum.models import Post
from community.groups.services import open_group
from community.reactions.models import REACTION_KINDS
from tests.factories import add_to_group, make_group, make_user, sign_in

WRITES = ("insert", "update", "delete", "replace", "merge")


@contextmanager
def counted_statements(app: Flask) -> Iterator[list[str]]:
    """Every statement sent to the database while the block runs, in order."""
    statements: list[str] = []

    def remember(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def statements_for(app: Flask, client: FlaskClient, path: str) -> list[str]:
    """The statements one GET of ``path`` runs, after a first visit (so nothing first-time is counted)."""
    assert client.get(path).status_code == 200
    with counted_statements(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return statements


def build_group(app: Flask, size: int, reader_name: str) -> tuple[str, int]:
    """A group with ``size`` topics, the newest of which has ``size`` posts; every post has two reactions.

    Four members take turns writing, the moderator writes as the coach, every other post carries a content
    warning. ``reader_name`` (an existing account) joins as a member. Returns the slug and the long topic's id.
    """
    with app.app_context():
        admin = make_user(f"boss{size}", admin=True)
        group = make_group(admin, f"Group of {size}")
        add_to_group(admin, group, db.session.scalar(select(User).where(User.username == reader_name)))
        moderator = make_user(f"kim{size}")
        add_to_group(admin, group, moderator, role="moderator")
        writers = [make_user(f"writer{size}_{number}") for number in range(4)]
        for writer in writers:
            add_to_group(admin, group, writer)
        people = [moderator, *writers]
        for number in range(size - 1):
            author = people[number % len(people)]
            writing.create_topic(author, open_group(author, group.slug), title=f"Topic {number}", body="Hello")
        opener = writers[0]
        topic = writing.create_topic(opener, open_group(opener, group.slug), title="Long topic", body="First").topic
        for number in range(size - 1):
            author = people[number % len(people)]
            writing.reply(
                author,
                open_group(author, group.slug),
                topic.id,
                body=f"Reply **{number}**",
                content_warning="loss" if number % 2 else "",
                as_coach=author is moderator,
            )
        db.session.commit()
        post_ids = db.session.scalars(select(Post.id).where(Post.topic_id == topic.id).order_by(Post.id)).all()
        for post_number, post_id in enumerate(post_ids):
            for reactor in (writers[1], writers[2]):
                kind = REACTION_KINDS[post_number % len(REACTION_KINDS)]
                reactions.set_reaction(reactor, open_group(reactor, group.slug), post_id, kind, on=True)
        db.session.commit()
        return group.slug, topic.id


@pytest.fixture
def two_groups(db_app: Flask) -> tuple[Flask, dict[int, tuple[str, int]]]:
    """A small group (2 topics, 2 posts) and a bigger one (20 and 20), with the same reader in both."""
    with db_app.app_context():
        make_user("reader")
    return db_app, {size: build_group(db_app, size, "reader") for size in (2, 20)}


def test_the_group_page_runs_as_many_statements_for_20_topics_as_for_2(two_groups) -> None:
    app, groups = two_groups
    client = app.test_client()
    sign_in(client, "reader")
    small = statements_for(app, client, f"/g/{groups[2][0]}")
    big = statements_for(app, client, f"/g/{groups[20][0]}")
    assert len(big) == len(small), "\n\n".join(big)


def test_the_topic_page_runs_as_many_statements_for_20_posts_as_for_2(two_groups) -> None:
    app, groups = two_groups
    client = app.test_client()
    sign_in(client, "reader")
    small = statements_for(app, client, f"/g/{groups[2][0]}/t/{groups[2][1]}")
    big = statements_for(app, client, f"/g/{groups[20][0]}/t/{groups[20][1]}")
    assert len(big) == len(small), "\n\n".join(big)


def test_a_moderator_reading_the_topic_page_also_pays_per_page_not_per_post(two_groups) -> None:
    app, groups = two_groups
    small_client, big_client = app.test_client(), app.test_client()
    sign_in(small_client, "kim2")
    sign_in(big_client, "kim20")
    small = statements_for(app, small_client, f"/g/{groups[2][0]}/t/{groups[2][1]}")
    big = statements_for(app, big_client, f"/g/{groups[20][0]}/t/{groups[20][1]}")
    assert len(big) == len(small), "\n\n".join(big)


def test_reading_the_group_page_and_the_topic_page_never_writes(two_groups) -> None:
    app, groups = two_groups
    client = app.test_client()
    sign_in(client, "reader")
    slug, topic_id = groups[20]
    for path in (f"/g/{slug}", f"/g/{slug}/t/{topic_id}"):
        writes = [sql for sql in statements_for(app, client, path) if sql.lstrip().lower().startswith(WRITES)]
        assert writes == [], path
