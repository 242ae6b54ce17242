"""Moderators' notes on a member: the group's moderators read and add them; nobody else sees them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.moderation.models import ModeratorNote
from tests.factories import post_form
from tests.moderation.test_queue_world import World, build_world


@pytest.fixture
def world(db_app) -> World:
    return build_world(db_app)


def test_moderators_add_and_read_notes_and_each_note_is_audited(world):
    url = f"/moderation/notes/{world.group_id}/{world.ids['mia']}"
    assert world.client("mona").get(url).status_code == 200
    response = post_form(world.client("mona"), url, {"body": "Agreed to check in with her every Monday."})
    assert response.status_code == 303
    text = world.client("max").get(url).get_data(as_text=True)
    assert "Agreed to check in with her every Monday." in text and "Mona" in text
    [entry] = world.audit("moderation.note_added")
    assert entry.actor_id == world.ids["mona"] and entry.target_id == world.ids["mia"]
    assert "Monday" not in str(entry.details) and entry.reason == ""  # the note's text stays out of the log


def test_notes_are_hidden_from_members_other_moderators_and_admins_outside_the_group(world):
    url = f"/moderation/notes/{world.group_id}/{world.ids['mia']}"
    for name in ("mia", "noah", "oscar", "root"):
        assert world.client(name).get(url).status_code == 404, name
    assert (
        post_form(
            world.client("noah"),
            url,
            {"body": "x"},
            form_page=f"/moderation/notes/{world.group_id}/{world.ids['noah']}",
        ).status_code
        == 404
    )
    # Someone who is not in the group has no notes page.
    assert world.client("mona").get(f"/moderation/notes/{world.group_id}/{world.ids['otto']}").status_code == 404


def test_an_empty_or_long_note_is_refused_and_nothing_is_stored(world):
    url = f"/moderation/notes/{world.group_id}/{world.ids['mia']}"
    assert post_form(world.client("mona"), url, {"body": "  "}).status_code == 400
    long = post_form(world.client("mona"), url, {"body": "x" * 2001})
    assert long.status_code == 400 and "under 2000 characters" in long.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.scalars(select(ModeratorNote)).all() == []
    assert world.audit("moderation.note_added") == []
