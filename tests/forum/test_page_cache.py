"""The topic page's cache (forum.topic_view, forum.page_cache) never shows stale or someone else's content.

The shared part of a page of posts is kept per topic version; every change that shows on the posts bumps the
version in the same transaction. Each reader's own bits (CSRF token, own reactions, "Edit" on own posts, muted
writers, warnings kept collapsed) are laid over it per request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, update

from community.extensions import db
from community.forum import writing
from community.forum.models import Post, Topic
from community.forum.page_cache import page_cache, touch_topics
from community.groups.services import open_group
from community.moderation import safety
from tests.factories import add_to_group, csrf_token, make_group, make_user, post_form, sign_in


@dataclass(frozen=True)
class World:
    slug: str
    other_slug: str
    topic_id: int
    opening_id: int
    reply_id: int
    other_topic_id: int
    noor_id: int

    @property
    def path(self) -> str:
        return f"/g/{self.slug}/t/{self.topic_id}"


@pytest.fixture
def world(db_app: Flask) -> World:
    """ "Parents": sam, noor, moderator mona; sam's topic with noor's reply (a "loss" warning). otto: "Others"."""
    with db_app.app_context():
        admin = make_user("boss", admin=True)
        group, other = make_group(admin, "Parents"), make_group(admin, "Others")
        people = {name: make_user(name) for name in ("sam", "noor", "mona", "otto")}
        for name in ("sam", "noor"):
            add_to_group(admin, group, people[name])
        add_to_group(admin, group, people["mona"], role="moderator")
        add_to_group(admin, other, people["otto"])
        sam, noor = people["sam"], people["noor"]
        topic = writing.create_topic(sam, open_group(sam, group.slug), title="Night shifts", body="How do you cope?")
        reply = writing.reply(noor, open_group(noor, group.slug), topic.topic.id, body="Slowly, with tea.",
                              content_warning="loss")  # fmt: skip
        elsewhere = writing.create_topic(people["otto"], open_group(people["otto"], other.slug), title="Elsewhere",
                                         body="Only for Others")  # fmt: skip
        db.session.commit()
        return World(group.slug, other.slug, topic.topic.id, topic.post.id, reply.post.id, elsewhere.topic.id,
                     noor.id)  # fmt: skip


def client_for(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, name)
    return client


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_html(html: str, post_id: int) -> str:
    """The <li> of one post on a page."""
    match = re.search(rf'<li class="post[^"]*" id="post-{post_id}".*?</article>\s*</li>', html, re.S)
    assert match, f"post {post_id} not on the page"
    return match.group(0)


def test_an_edit_shows_at_once_on_a_cached_page(db_app: Flask, world: World) -> None:
    sam, noor = client_for(db_app, "sam"), client_for(db_app, "noor")
    assert "Slowly, with tea." in page(sam, world.path)
    assert "Slowly, with tea." in page(sam, world.path)  # now from the cache
    assert len(page_cache(db_app)) >= 1
    edit = f"/g/{world.slug}/posts/{world.reply_id}/edit"
    answer = post_form(noor, edit, {"body": "Slowly, with a lot of tea.", "content_warning": "loss"})
    assert answer.status_code == 303
    html = page(sam, world.path)
    assert "Slowly, with a lot of tea." in html
    assert "Slowly, with tea." not in html


def test_a_new_reply_and_a_removal_or_hold_show_at_once(db_app: Flask, world: World) -> None:
    sam, noor = client_for(db_app, "sam"), client_for(db_app, "noor")
    page(sam, world.path)
    assert post_form(noor, f"{world.path}/reply", {"body": "One more thing."}, form_page=world.path).status_code == 303
    assert "One more thing." in page(sam, world.path)
    with db_app.app_context():  # what moderation does: change the post's state through the ORM
        db.session.get(Post, world.reply_id).state = "removed"
        db.session.commit()
    assert "Slowly, with tea." not in page(sam, world.path)
    with db_app.app_context():
        db.session.get(Post, world.reply_id).state = "held"
        db.session.commit()
    assert "Slowly, with tea." not in page(sam, world.path)  # held: not for other members
    assert "Waiting for a moderator" in post_html(page(noor, world.path), world.reply_id)  # but for its writer
    mona = client_for(db_app, "mona")
    assert "Waiting for a moderator" in post_html(page(mona, world.path), world.reply_id)


def test_a_bulk_change_is_seen_once_the_topic_is_touched(db_app: Flask, world: World) -> None:
    sam = client_for(db_app, "sam")
    page(sam, world.path)
    with db_app.app_context():
        before = db.session.scalar(select(Topic.version).where(Topic.id == world.topic_id))
        db.session.execute(update(Post).where(Post.id == world.reply_id).values(body_html="<p>Rewritten</p>"))
        touch_topics(db.session, post_ids=[world.reply_id])
        db.session.commit()
        assert db.session.scalar(select(Topic.version).where(Topic.id == world.topic_id)) == before + 1
    assert "Rewritten" in page(sam, world.path)


def test_reactions_counts_are_shared_but_pressed_buttons_are_each_readers_own(db_app: Flask, world: World) -> None:
    sam, noor = client_for(db_app, "sam"), client_for(db_app, "noor")
    page(sam, world.path)
    token = csrf_token(noor, world.path)
    answer = noor.post(f"/g/{world.slug}/posts/{world.opening_id}/react",
                       data={"kind": "hug", "on": "1", "csrf_token": token})  # fmt: skip
    assert answer.status_code == 303
    pressed = re.compile(r'aria-pressed="true" data-kind="hug"')
    noor_post, sam_post = post_html(page(noor, world.path), world.opening_id), post_html(page(sam, world.path),
                                                                                      world.opening_id)  # fmt: skip
    assert pressed.search(noor_post) and 'name="on" value="0"' in noor_post
    assert not pressed.search(sam_post) and 'name="on" value="0"' not in sam_post
    assert re.search(r'data-kind="hug"><span class="reaction__label">Hug</span> <span class="reaction__count" '
                     r"data-reaction-count>1</span>", sam_post)  # fmt: skip
    # Taking it back (a bulk DELETE in reactions.set_reaction) shows too.
    noor.post(f"/g/{world.slug}/posts/{world.opening_id}/react", data={"kind": "hug", "on": "0", "csrf_token": token})
    assert not pressed.search(post_html(page(noor, world.path), world.opening_id))
    assert "Noor" not in post_html(page(sam, world.path), world.opening_id).split("Who reacted")[-1]


def test_pressed_reactions_are_the_readers_own_on_every_page_of_a_long_topic(db_app: Flask, world: World) -> None:
    """The topic page reads the reader's reactions with the topic, for the page's posts: on page two they are
    page two's, and a reaction in another topic or by someone else never shows as pressed."""
    with db_app.app_context():
        from community.auth.models import User

        noor = db.session.scalar(select(User).where(User.username == "noor"))
        access = open_group(noor, world.slug)
        replies = [writing.reply(noor, access, world.topic_id, body=f"Reply {n}").post.id for n in range(24)]
        db.session.commit()
    sam, noor_client = client_for(db_app, "sam"), client_for(db_app, "noor")
    token = csrf_token(sam, world.path)
    on_first_page, on_second_page = replies[3], replies[22]  # page one: the opening post, the reply, 18 more
    for post_id, kind in ((on_first_page, "hug"), (on_second_page, "thank_you"), (on_second_page, "strength")):
        answer = sam.post(f"/g/{world.slug}/posts/{post_id}/react", data={"kind": kind, "on": "1", "csrf_token": token})
        assert answer.status_code == 303
    noor_token = csrf_token(noor_client, world.path)
    noor_client.post(
        f"/g/{world.slug}/posts/{replies[4]}/react", data={"kind": "hug", "on": "1", "csrf_token": noor_token}
    )

    def pressed(html: str) -> set[tuple[int, str]]:
        found = set()
        for post_id in (pid for pid in replies if f'id="post-{pid}"' in html):
            for kind in re.findall(r'aria-pressed="true" data-kind="(\w+)"', post_html(html, post_id)):
                found.add((post_id, kind))
        return found

    first = page(sam, world.path)
    second = page(sam, f"{world.path}?after={replies[17]}")
    assert pressed(first) == {(on_first_page, "hug")}
    assert pressed(second) == {(on_second_page, "thank_you"), (on_second_page, "strength")}
    assert pressed(page(noor_client, world.path)) == {(replies[4], "hug")}


def test_each_reader_gets_their_own_csrf_token_and_edit_links(db_app: Flask, world: World) -> None:
    sam, noor = client_for(db_app, "sam"), client_for(db_app, "noor")
    sam_html, noor_html = page(sam, world.path), page(noor, world.path)
    sam_tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', sam_html))
    noor_tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', noor_html))
    assert len(sam_tokens) == 1 and len(noor_tokens) == 1 and sam_tokens != noor_tokens
    edit_opening = f"/g/{world.slug}/posts/{world.opening_id}/edit"
    edit_reply = f"/g/{world.slug}/posts/{world.reply_id}/edit"
    assert edit_opening in sam_html and edit_reply not in sam_html
    assert edit_reply in noor_html and edit_opening not in noor_html
    # "Report" is on the others' posts only.
    report_reply = f"/moderation/report/post/{world.reply_id}"
    assert report_reply in sam_html and report_reply not in noor_html


def test_moderators_see_moderator_controls_and_members_do_not(db_app: Flask, world: World) -> None:
    sam, mona = client_for(db_app, "sam"), client_for(db_app, "mona")
    post_form(client_for(db_app, "noor"), f"/g/{world.slug}/posts/{world.reply_id}/edit",
              {"body": "Changed.", "content_warning": ""})  # fmt: skip
    sam_html, mona_html = page(sam, world.path), page(mona, world.path)
    pin = f"/g/{world.slug}/t/{world.topic_id}/pin"
    revisions = f"/g/{world.slug}/posts/{world.reply_id}/revisions"
    assert pin in mona_html and revisions in mona_html
    assert f"/g/{world.slug}/posts/{world.reply_id}/edit" in mona_html  # moderators may edit any post
    assert pin not in sam_html and revisions not in sam_html
    # and again, now that both kinds of page are cached
    assert pin not in page(sam, world.path) and pin in page(mona, world.path)


def test_a_cached_page_never_reaches_another_group(db_app: Flask, world: World) -> None:
    sam, otto = client_for(db_app, "sam"), client_for(db_app, "otto")
    page(sam, world.path)
    assert otto.get(world.path).status_code == 404
    assert otto.get(f"/g/{world.other_slug}/t/{world.topic_id}").status_code == 404
    assert otto.get(f"/g/{world.slug}/t/{world.topic_id}/posts").status_code == 404
    other = page(otto, f"/g/{world.other_slug}/t/{world.other_topic_id}")
    assert "Only for Others" in other and "How do you cope?" not in other


def test_a_muted_writer_is_collapsed_for_the_one_who_muted_only(db_app: Flask, world: World) -> None:
    sam, mona = client_for(db_app, "sam"), client_for(db_app, "mona")
    page(mona, world.path)
    with db_app.app_context():
        from community.auth.models import User

        safety.set_relation(db.session.scalar(select(User).where(User.username == "sam")), world.noor_id, "mute",
                            on=True)  # fmt: skip
        db.session.commit()
    sam_reply = post_html(page(sam, world.path), world.reply_id)
    assert '<details class="post-muted" data-keep-collapsed>' in sam_reply and "whom you muted" in sam_reply
    assert "Slowly, with tea." in sam_reply  # still there to open
    assert "post-muted" not in page(mona, world.path)
    assert "post-muted" not in post_html(page(sam, world.path), world.opening_id)


def test_the_page_uses_fewer_statements_once_cached(db_app: Flask, world: World) -> None:
    sam = client_for(db_app, "sam")
    statements: list[str] = []
    with db_app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page(sam, world.path)
        first = list(statements)
        statements.clear()
        page(sam, world.path)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    # The page of posts with their writers and the reactions with names are read only to fill the cache.
    assert any("row_number()" in s for s in first)
    assert not any("row_number()" in s for s in statements)
    assert len(statements) < len(first)
