"""@mentions: "@Display Name" of a group member links to their profile and tells them in-app.

Only members of the group are told (never someone outside it, never the writer), at most MENTION_LIMIT people
per post, and a held post tells nobody until a moderator approves it. The link is added to the sanitizer's
output without ever letting member text become markup.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from community.auth.models import User
from community.extensions import db
from community.forum import mentions, writing
from community.forum.models import Post
from community.groups.models import Group
from community.groups.services import open_group
from community.notifications.models import Notification
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in


@pytest.fixture
def group(db_app: Flask) -> str:
    """ "Parents": Sam, Noor, Noor Jansen, the moderator Mona. Otto is only in "Others"."""
    with db_app.app_context():
        admin = make_user("boss", admin=True)
        parents, others = make_group(admin, "Parents"), make_group(admin, "Others")
        for username, name in (("sam", "Sam"), ("noor", "Noor"), ("noorj", "Noor Jansen"), ("mona", "Mona")):
            add_to_group(
                admin,
                parents,
                make_user(username, display_name=name),
                role="moderator" if username == "mona" else "member",
            )
        add_to_group(admin, others, make_user("otto", display_name="Otto"))
        return parents.slug


def user_id(username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))


def write(app: Flask, slug: str, username: str, body: str) -> Post:
    """A new topic by ``username`` with this body, committed; returns the stored first post."""
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.username == username))
        post_id = writing.create_topic(actor, open_group(actor, slug), title="A topic", body=body).post.id
        db.session.commit()
        return db.session.get(Post, post_id)


def told(app: Flask) -> list[str]:
    """Usernames of everyone notified of a mention, in order."""
    with app.app_context():
        rows = db.session.execute(
            select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == "mention")
            .order_by(Notification.id)
        )
        return list(rows.scalars())


def test_a_mentioned_member_is_told_and_the_mention_links_to_their_profile(db_app, group):
    post = write(db_app, group, "sam", "Thank you @Noor, that helped.")
    assert told(db_app) == ["noor"]
    with db_app.app_context():
        noor = user_id("noor")
        assert (
            f'<a href="/people/{noor}" rel="nofollow noopener noreferrer ugc">@Noor</a>, that helped.' in post.body_html
        )
        note = db.session.scalar(select(Notification))
        assert (note.actor_id, note.target_type, note.target_id) == (user_id("sam"), "post", post.id)
        assert note.group_id == db.session.scalar(select(Group.id).where(Group.slug == group))


def test_the_longest_name_wins_and_case_does_not_matter(db_app, group):
    post = write(db_app, group, "sam", "@noor jansen and @NOOR both know.")
    assert sorted(told(db_app)) == ["noor", "noorj"]
    assert "@noor jansen</a>" in post.body_html and "@NOOR</a>" in post.body_html


def test_someone_outside_the_group_is_not_told_and_stays_plain_text(db_app, group):
    post = write(db_app, group, "sam", "Hi @Otto and @Nobody.")
    assert told(db_app) == []
    assert "<a" not in post.body_html and "@Otto" in post.body_html


def test_the_writer_mentioning_themselves_is_not_told(db_app, group):
    write(db_app, group, "sam", "Note to self, @Sam: rest.")
    assert told(db_app) == []


def test_a_name_inside_a_longer_word_or_an_email_address_is_not_a_mention(db_app, group):
    post = write(db_app, group, "sam", "@Noortje is not here; write to mail@Noor or @Sam_x.")
    assert told(db_app) == [] and "<a" not in post.body_html


def test_mentions_in_code_and_links_are_left_as_written(db_app, group):
    post = write(db_app, group, "sam", "`@Noor` and [ask @Noor](https://example.org/@Noor)\n\n    @Mona in code")
    assert told(db_app) == []
    assert "/people/" not in post.body_html


def test_each_person_is_told_once_however_often_they_are_named(db_app, group):
    write(db_app, group, "sam", "@Noor, @Noor, @noor!")
    assert told(db_app) == ["noor"]


def test_a_shared_display_name_tells_nobody_rather_than_the_wrong_person(db_app, group):
    with db_app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "boss"))
        parents = db.session.scalar(select(Group).where(Group.slug == group))
        add_to_group(admin, parents, make_user("sam2", display_name="Sam"))
    post = write(db_app, group, "noor", "Thanks @Sam!")
    assert told(db_app) == [] and "<a" not in post.body_html


def test_at_most_the_limit_of_people_are_told_about_one_post(db_app, group):
    with db_app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "boss"))
        parents = db.session.scalar(select(Group).where(Group.slug == group))
        for number in range(mentions.MENTION_LIMIT + 3):
            add_to_group(admin, parents, make_user(f"fan{number}", display_name=f"Fan{number}"))
    body = " ".join(f"@Fan{number}" for number in range(mentions.MENTION_LIMIT + 3))
    db_app.config["MODERATION_NEW_MEMBER_MAX_MENTIONS"] = 50  # not about the moderation rule for new members
    write(db_app, group, "sam", body)
    assert told(db_app) == [f"fan{number}" for number in range(mentions.MENTION_LIMIT)]


def test_a_held_post_tells_nobody_until_it_is_approved(db_app, group):
    with db_app.app_context():
        db.session.query(Group).filter_by(slug=group).update({"premoderation": "all"})
        db.session.commit()
    post = write(db_app, group, "sam", "Dear @Noor, are you there?")
    assert post.state == "held" and told(db_app) == []
    with db_app.app_context():
        held = db.session.get(Post, post.id)
        held.state = "published"  # what the moderation issue's approval does, then it calls:
        assert mentions.notify_on_publish(held) == [user_id("noor")]
        db.session.commit()
        assert mentions.notify_on_publish(held) == []  # approving twice does not tell twice
    assert told(db_app) == ["noor"]


def test_approval_tells_only_people_still_in_the_group(db_app, group):
    with db_app.app_context():
        db.session.query(Group).filter_by(slug=group).update({"premoderation": "all"})
        db.session.commit()
    post = write(db_app, group, "sam", "Dear @Noor and @Mona.")
    with db_app.app_context():
        from community.groups.models import Membership

        db.session.query(Membership).filter_by(user_id=user_id("noor")).update({"state": "removed"})
        held = db.session.get(Post, post.id)
        held.state = "published"
        mentions.notify_on_publish(held)
        db.session.commit()
    assert told(db_app) == ["mona"]


def test_an_edit_tells_the_people_newly_mentioned_and_nobody_twice(db_app, group):
    post = write(db_app, group, "sam", "Hello @Noor.")
    sam = db_app.test_client()
    sign_in(sam, "sam")
    edit = f"/g/{group}/posts/{post.id}/edit"
    response = post_form(sam, edit, {"title": "A topic", "body": "Hello @Noor and @Mona."})
    assert response.status_code == 303
    assert sorted(told(db_app)) == ["mona", "noor"]


def test_a_reply_through_the_page_tells_the_person_mentioned(db_app, group):
    post = write(db_app, group, "sam", "A question.")
    noor = db_app.test_client()
    sign_in(noor, "noor")
    page = f"/g/{group}/t/{post.topic_id}"
    assert post_form(noor, f"{page}/reply", {"body": "@Sam here is my answer"}, form_page=page).status_code == 303
    assert told(db_app) == ["sam"]
    html = noor.get(page).get_data(as_text=True)
    with db_app.app_context():
        assert re.search(rf'<a href="/people/{user_id("sam")}"[^>]*>@Sam</a> here is my answer', html)


def test_names_that_look_like_markup_are_linked_as_escaped_text_only(db_app, group):
    with db_app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "boss"))
        parents = db.session.scalar(select(Group).where(Group.slug == group))
        add_to_group(admin, parents, make_user("tricky", display_name='x<img src=x onerror="alert(1)">'))
        add_to_group(admin, parents, make_user("amp", display_name="Jo & Co"))
    post = write(db_app, group, "sam", 'Hi @x<img src=x onerror="alert(1)"> and @Jo & Co!')
    assert sorted(told(db_app)) == ["amp", "tricky"]
    assert "<img" not in post.body_html  # the name is text inside the link, never a tag
    assert '>@x&lt;img src=x onerror="alert(1)"&gt;</a>' in post.body_html
    assert ">@Jo &amp; Co</a>!" in post.body_html


def test_linking_is_safe_for_hostile_sanitized_html(db_app, group):
    """Whatever the sanitizer let through, linking adds only links to member profiles."""
    hostile = [
        "<script>@Noor</script>",
        "[@Noor](javascript:alert(1)) @Noor",
        "@Noor <a href='x'>@Noor</a> &lt;b&gt;@Noor",
        "> @Noor in a quote\n\n* @Noor in a list",
        "@Noor" * 200,
    ]
    with db_app.app_context():
        from community.core.sanitize import render_markdown

        parents_id = db.session.scalar(select(Group.id).where(Group.slug == group))
        for source in hostile:
            linked, _ = mentions.link_mentions(parents_id, render_markdown(source))
            assert "<script" not in linked and "javascript:" not in linked.replace("](javascript:", "")
            assert set(re.findall(r'<a href="([^"]*)"', linked)) <= {f"/people/{user_id('noor')}"}
