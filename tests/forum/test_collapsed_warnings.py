"""Members can choose to always collapse some content warnings (account page "Content warnings").

Posts with a chosen warning stay fully collapsed for that member (text, images and reactions inside a
``<details data-keep-collapsed>``); other warnings, and other members' pages, behave as before.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from community.accessibility.models import MemberPreferences
from community.auth.models import User
from community.extensions import db
from community.forum import writing
from community.groups.services import open_group
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in

PAGE = "/account/content-warnings"


@pytest.fixture
def topic_path(db_app: Flask) -> str:
    """ "Parents" with sam and noor; sam's topic, noor's replies with a "loss" and a "medical detail" warning."""
    with db_app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents")
        sam, noor = make_user("sam"), make_user("noor")
        add_to_group(admin, group, sam)
        add_to_group(admin, group, noor)
        topic = writing.create_topic(sam, open_group(sam, group.slug), title="Hard days", body="Share if you like.")
        access = open_group(noor, group.slug)
        writing.reply(noor, access, topic.topic.id, body="My father died in May.", content_warning="loss")
        writing.reply(noor, access, topic.topic.id, body="The scan showed a lot.", content_warning="medical detail")
        db.session.commit()
        return f"/g/{group.slug}/t/{topic.topic.id}"


def stored(app: Flask, username: str) -> str | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        row = db.session.get(MemberPreferences, user.id)
        return None if row is None else row.collapsed_warnings


def test_the_account_page_shows_the_choices_with_labels(db_app: Flask, topic_path: str) -> None:
    client = db_app.test_client()
    sign_in(client, "sam")
    html = client.get(PAGE).get_data(as_text=True)
    assert "<legend>Keep posts with these warnings collapsed</legend>" in html
    for value in ("self-harm", "suicide", "medical detail", "loss", "abuse", "other"):
        assert re.search(rf'<input[^>]*type="checkbox"[^>]*value="{value}"', html)
    assert re.search(r'<label for="collapsed_warnings-\d">Loss</label>', html)
    assert 'href="/account/content-warnings" aria-current="page"' in html


def test_saving_a_choice_keeps_those_posts_collapsed_for_that_member_only(db_app: Flask, topic_path: str) -> None:
    sam, noor = db_app.test_client(), db_app.test_client()
    sign_in(sam, "sam")
    sign_in(noor, "noor")
    answer = post_form(sam, PAGE, {"collapsed_warnings": ["loss"]})
    assert answer.status_code == 302
    assert stored(db_app, "sam") == "loss"
    assert re.search(r'<input checked[^>]*value="loss"', sam.get(PAGE).get_data(as_text=True))
    html = sam.get(topic_path).get_data(as_text=True)
    kept = re.findall(r'<details class="content-warning content-warning--kept" data-keep-collapsed>', html)
    assert len(kept) == 1
    assert "Content warning: loss (you keep these collapsed). Show the post" in html
    # The other warning behaves as before, and noor's page is unchanged.
    assert "Content warning: medical detail. Show the post" in html
    assert "content-warning--kept" not in noor.get(topic_path).get_data(as_text=True)
    # Choosing none undoes it.
    assert post_form(sam, PAGE, {}).status_code == 302
    assert stored(db_app, "sam") == ""
    assert "content-warning--kept" not in sam.get(topic_path).get_data(as_text=True)


def test_an_unknown_warning_is_refused_and_nothing_is_stored(db_app: Flask, topic_path: str) -> None:
    sam = db_app.test_client()
    sign_in(sam, "sam")
    answer = post_form(sam, PAGE, {"collapsed_warnings": ["loss", "<script>x</script>"]})
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "Choose content warnings from the list." in html
    assert 'aria-describedby="collapsed_warnings-error"' in html
    assert "<script>x</script>" not in html
    assert stored(db_app, "sam") is None


def test_the_page_needs_a_signed_in_member_and_a_csrf_token(db_app: Flask, topic_path: str) -> None:
    anonymous = db_app.test_client()
    assert anonymous.get(PAGE).status_code in (302, 401)
    sam = db_app.test_client()
    sign_in(sam, "sam")
    assert sam.post(PAGE, data={"collapsed_warnings": ["loss"]}).status_code == 400
    assert stored(db_app, "sam") is None
