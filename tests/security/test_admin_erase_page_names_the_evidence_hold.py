"""An admin erasing an account on request is told when an open report or safeguarding case involves the person:
what those need stays, without the name, until they close (docs/privacy.md "Evidence hold"). Without an open
matter the page says nothing of the sort."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.forum import services as forum_services
from community.forum import writing as forum
from community.groups import services as groups
from community.moderation import actions, reports
from community.moderation.models import QueueItem
from community.moderation.safeguarding import services as safeguarding
from tests.consent.helpers import build_world

HELD = "An open report or safety concern involves this person."


@pytest.fixture
def world(db_app):
    return build_world(db_app)  # mia and otto (members), mona (moderator), admin1


def _erase_page(world, username: str) -> str:
    response = world.client("admin1").get(f"/admin/accounts/{world.ids[username]}/erase")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _post_by(world, username: str) -> int:
    with world.app.app_context():
        writer = world.user(username)
        post_id = forum.create_topic(writer, groups.open_group(writer, world.slug), title="A week", body="Hard").post.id
        db.session.commit()
        return post_id


def test_the_admin_erase_page_says_an_open_report_keeps_what_it_needs_until_it_is_closed(world):
    assert HELD not in _erase_page(world, "mia")
    post_id = _post_by(world, "mia")
    with world.app.app_context():
        otto = world.user("otto")
        reports.submit(otto, reports.reportable(otto, "post", post_id), "unkind")
        db.session.commit()

    assert HELD in _erase_page(world, "mia")  # the writer
    assert HELD in _erase_page(world, "otto")  # the reporter: the note of their report is kept too

    with world.app.app_context():
        item = db.session.scalar(select(QueueItem).where(QueueItem.kind == "report"))
        actions.act_on_item(world.user("mona"), item.id, "dismiss")
        db.session.commit()
    assert HELD not in _erase_page(world, "mia")


def test_the_admin_erase_page_says_an_open_safeguarding_case_keeps_what_it_needs(world):
    post_id = _post_by(world, "mia")
    with world.app.app_context():
        about = forum_services.concern_about_post(post_id)
        safeguarding.raise_concern(world.user("otto"), about, note="Worried about her")
        db.session.commit()
    assert HELD in _erase_page(world, "mia")
