"""Supportive reactions: one per member per kind per post, counts and who reacted, no likes.

Members react with a button per kind (a form that works without JavaScript); reactions.js sends the same form
and gets JSON back. A group one is not in answers 404; a muted member or an archived group is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from community.auth.models import User
from community.extensions import db, socketio
from community.forum import reactions, writing
from community.forum.models import Post
from community.groups.models import Group, Membership
from community.groups.services import open_group
from community.reactions.models import Reaction
from tests.factories import add_to_group, csrf_token, make_group, make_user, sign_in


@dataclass(frozen=True)
class World:
    slug: str
    other_slug: str
    topic_id: int
    post_id: int
    reply_id: int
    other_post_id: int


@pytest.fixture
def world(db_app: Flask) -> World:
    """ "Parents" with sam, noor and a moderator mona; a topic by sam with a reply by noor. otto is in "Others"."""
    with db_app.app_context():
        admin = make_user("boss", admin=True)
        group, other = make_group(admin, "Parents"), make_group(admin, "Others")
        people = {name: make_user(name) for name in ("sam", "noor", "mona", "otto")}
        for name in ("sam", "noor"):
            add_to_group(admin, group, people[name])
        add_to_group(admin, group, people["mona"], role="moderator")
        add_to_group(admin, other, people["otto"])
        topic = writing.create_topic(people["sam"], open_group(people["sam"], group.slug), title="Night shifts",
                                     body="How do you cope?")  # fmt: skip
        reply = writing.reply(people["noor"], open_group(people["noor"], group.slug), topic.topic.id, body="Slowly.")
        elsewhere = writing.create_topic(people["otto"], open_group(people["otto"], other.slug), title="Elsewhere",
                                         body="Not for Parents")  # fmt: skip
        db.session.commit()
        return World(group.slug, other.slug, topic.topic.id, topic.post.id, reply.post.id, elsewhere.post.id)


def react(client: FlaskClient, world: World, post_id: int, kind: str, on: str = "1", *, slug: str | None = None,
          json: bool = False):  # fmt: skip
    token = csrf_token(client, f"/g/{world.slug}/t/{world.topic_id}")
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        f"/g/{slug or world.slug}/posts/{post_id}/react",
        data={"kind": kind, "on": on, "csrf_token": token},
        headers=headers,
    )


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def stored(app: Flask, post_id: int | None = None) -> list[tuple[str, str]]:
    with app.app_context():
        query = select(User.username, Reaction.kind).join(User, User.id == Reaction.user_id).order_by(Reaction.id)
        if post_id is not None:
            query = query.where(Reaction.post_id == post_id)
        return [tuple(row) for row in db.session.execute(query).all()]


def button(page: str, post_id: int, kind: str) -> str:
    """The reaction button of one kind on one post, as HTML."""
    block = page[page.index(f'data-post-id="{post_id}"') :]
    match = re.search(rf'<button[^>]*data-kind="{kind}"[^>]*>.*?</button>', block, re.S)
    assert match, f"no {kind} button on post {post_id}"
    return match.group(0)


def test_a_member_gives_a_hug_and_the_page_shows_it_pressed_with_its_count(db_app, world):
    sam = signed_in(db_app, "sam")
    response = react(sam, world, world.reply_id, "hug")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/g/{world.slug}/t/{world.topic_id}#post-{world.reply_id}")
    assert stored(db_app) == [("sam", "hug")]
    page = sam.get(f"/g/{world.slug}/t/{world.topic_id}").get_data(as_text=True)
    hug = button(page, world.reply_id, "hug")
    assert 'aria-pressed="true"' in hug and ">Hug<" in hug and re.search(r"data-reaction-count>\s*1\s*<", hug)
    assert 'aria-pressed="false"' in button(page, world.reply_id, "me_too")


def test_every_button_has_a_text_label_not_only_a_symbol(db_app, world):
    page = signed_in(db_app, "noor").get(f"/g/{world.slug}/t/{world.topic_id}").get_data(as_text=True)
    labels = {kind: re.search(r'reaction__label">([^<]+)<', button(page, world.post_id, kind)).group(1)
              for kind in ("hug", "me_too", "thank_you", "strength")}  # fmt: skip
    assert labels == {"hug": "Hug", "me_too": "Me too", "thank_you": "Thank you", "strength": "Strength"}


def test_reacting_twice_keeps_one_reaction_and_taking_it_back_twice_is_harmless(db_app, world):
    sam = signed_in(db_app, "sam")
    react(sam, world, world.reply_id, "hug")
    react(sam, world, world.reply_id, "hug")
    assert stored(db_app) == [("sam", "hug")]
    react(sam, world, world.reply_id, "hug", "0")
    react(sam, world, world.reply_id, "hug", "0")
    assert stored(db_app) == []


def test_the_database_refuses_a_second_identical_reaction(db_app, world):
    with db_app.app_context():
        sam = db.session.scalar(select(User).where(User.username == "sam"))
        db.session.add(Reaction(user_id=sam.id, kind="hug", post_id=world.reply_id))
        db.session.commit()
        db.session.add(Reaction(user_id=sam.id, kind="hug", post_id=world.reply_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_counts_are_per_kind_and_the_page_says_who_reacted(db_app, world):
    react(signed_in(db_app, "sam"), world, world.reply_id, "hug")
    react(signed_in(db_app, "mona"), world, world.reply_id, "hug")
    mona = signed_in(db_app, "mona")
    react(mona, world, world.reply_id, "strength")
    page = signed_in(db_app, "noor").get(f"/g/{world.slug}/t/{world.topic_id}").get_data(as_text=True)
    assert re.search(r"data-reaction-count>\s*2\s*<", button(page, world.reply_id, "hug"))
    assert re.search(r"data-reaction-count>\s*1\s*<", button(page, world.reply_id, "strength"))
    assert 'aria-pressed="false"' in button(page, world.reply_id, "hug")  # noor herself did not react
    who = page[page.index("Who reacted") :]
    who = who[: who.index("</details>")]
    assert re.search(r"Hug:</strong>\s*Sam, Mona", who) and re.search(r"Strength:</strong>\s*Mona", who)


def test_a_post_without_reactions_shows_buttons_but_no_who_reacted_list(db_app, world):
    page = signed_in(db_app, "noor").get(f"/g/{world.slug}/t/{world.topic_id}").get_data(as_text=True)
    assert "Who reacted" not in page
    assert 'aria-pressed="false"' in button(page, world.post_id, "hug")


def test_reactions_js_gets_json_with_the_new_count(db_app, world):
    sam = signed_in(db_app, "sam")
    response = react(sam, world, world.reply_id, "thank_you", json=True)
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "post_id": world.reply_id, "kind": "thank_you", "on": True, "count": 1}
    response = react(sam, world, world.reply_id, "thank_you", "0", json=True)
    assert response.get_json()["on"] is False and response.get_json()["count"] == 0


@pytest.mark.parametrize("kind", ["like", "", "HUG", "<script>", "hug " * 20])
def test_a_kind_outside_the_supportive_set_is_refused_and_nothing_stored(db_app, world, kind):
    sam = signed_in(db_app, "sam")
    response = react(sam, world, world.reply_id, kind)
    assert response.status_code == 400
    assert "Choose one of the reactions shown" in response.get_data(as_text=True)
    assert react(sam, world, world.reply_id, kind, json=True).get_json()["ok"] is False
    assert stored(db_app) == []


@pytest.mark.parametrize("on", ["", "maybe", "2"])
def test_an_unclear_on_or_off_is_refused(db_app, world, on):
    response = react(signed_in(db_app, "sam"), world, world.reply_id, "hug", on)
    assert response.status_code == 400
    assert stored(db_app) == []


def test_someone_not_in_the_group_gets_not_found_and_nothing_is_stored(db_app, world):
    otto = signed_in(db_app, "otto")
    token = csrf_token(otto, f"/g/{world.other_slug}")
    response = otto.post(
        f"/g/{world.slug}/posts/{world.reply_id}/react", data={"kind": "hug", "on": "1", "csrf_token": token}
    )
    assert response.status_code == 404
    assert stored(db_app) == []


def test_a_post_of_another_group_is_not_found_through_this_group(db_app, world):
    response = react(signed_in(db_app, "sam"), world, world.other_post_id, "hug")
    assert response.status_code == 404
    assert react(signed_in(db_app, "sam"), world, 99_999, "hug").status_code == 404
    assert stored(db_app) == []


def test_a_held_post_cannot_be_reacted_to(db_app, world):
    with db_app.app_context():
        db.session.get(Post, world.reply_id).state = "held"
        db.session.commit()
    assert react(signed_in(db_app, "sam"), world, world.reply_id, "hug").status_code == 404
    assert stored(db_app) == []


def test_a_muted_member_reads_but_cannot_react(db_app, world):
    sam = signed_in(db_app, "sam")
    with db_app.app_context():
        sam_id = db.session.scalar(select(User.id).where(User.username == "sam"))
        db.session.query(Membership).filter_by(user_id=sam_id).update({"state": "muted"})
        db.session.commit()
    response = react(sam, world, world.reply_id, "hug")
    assert response.status_code == 403
    assert stored(db_app) == []
    page = sam.get(f"/g/{world.slug}/t/{world.topic_id}").get_data(as_text=True)
    assert "reaction-form" not in page


def test_reactions_stop_when_the_group_is_archived(db_app, world):
    react(signed_in(db_app, "noor"), world, world.reply_id, "hug")
    with db_app.app_context():
        db.session.query(Group).filter_by(slug=world.slug).update({"state": "archived"})
        db.session.commit()
    sam = signed_in(db_app, "sam")
    response = react(sam, world, world.reply_id, "hug")
    assert response.status_code == 403 and "archived" in response.get_data(as_text=True)
    page = sam.get(f"/g/{world.slug}/t/{world.topic_id}").get_data(as_text=True)
    assert "reaction-form" not in page and "Who reacted" in page  # counts stay readable
    assert stored(db_app) == [("noor", "hug")]


def test_a_suspended_member_gets_not_found(db_app, world):
    sam = signed_in(db_app, "sam")
    token = csrf_token(sam, f"/g/{world.slug}/t/{world.topic_id}")
    with db_app.app_context():
        sam_id = db.session.scalar(select(User.id).where(User.username == "sam"))
        db.session.query(Membership).filter_by(user_id=sam_id).update({"state": "suspended"})
        db.session.commit()
    response = sam.post(
        f"/g/{world.slug}/posts/{world.reply_id}/react", data={"kind": "hug", "on": "1", "csrf_token": token}
    )
    assert response.status_code == 404
    assert stored(db_app) == []


def test_others_on_the_topic_hear_the_new_count_but_no_names(db_app, world):
    noor = signed_in(db_app, "noor")
    socket = socketio.test_client(db_app, flask_test_client=noor)
    socket.get_received()
    react(signed_in(db_app, "sam"), world, world.reply_id, "strength")
    events = [item for item in socket.get_received() if item["name"] == "forum:reaction"]
    socket.disconnect()
    assert [item["args"][0] for item in events] == [
        {"post_id": world.reply_id, "topic_id": world.topic_id, "kind": "strength", "count": 1}
    ]


def test_the_summary_for_a_page_of_posts_is_one_query_with_bounded_names(db_app, world):
    with db_app.app_context():
        group = db.session.scalar(select(Group).where(Group.slug == world.slug))
        admin = db.session.scalar(select(User).where(User.username == "boss"))
        many = [make_user(f"fan{number}") for number in range(reactions.NAMES_SHOWN + 5)]
        for user in many:
            add_to_group(admin, group, user)
            db.session.add(Reaction(user_id=user.id, kind="hug", post_id=world.post_id))
        db.session.commit()
        viewer_id = many[-1].id  # beyond the names shown: still "mine"
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            summary = reactions.reaction_summary([world.post_id, world.reply_id, 424242], viewer_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(statements) == 1
        hug = summary[world.post_id].kinds[0]
        assert (hug.kind, hug.count, hug.mine) == ("hug", reactions.NAMES_SHOWN + 5, True)
        assert len(hug.names) == reactions.NAMES_SHOWN and hug.more == 5
        assert summary[world.reply_id].total == 0 and summary[424242].total == 0
        assert db.session.scalar(select(func.count()).select_from(Reaction)) == reactions.NAMES_SHOWN + 5
