"""Staff reach the moderation tools from where they work (queue page, admin navigation, group page), members
do not see the links; and a group's report-hide threshold is set on its moderation settings page."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from community.core.audit import AuditEntry
from community.extensions import db
from community.forum.models import Post
from community.groups.models import Group
from community.moderation.filter_models import GroupModerationSettings
from tests.factories import post_form
from tests.moderation.test_queue_world import World, build_world


@pytest.fixture
def world(db_app: Flask) -> World:
    return build_world(db_app, premoderation="none")


def settings_url(world: World) -> str:
    return f"/moderation/g/{world.slug}/settings"


def settings_form(**changes: str) -> dict[str, str]:
    # The group's current values (premoderation none, 3 first posts, personal details warn, defaults).
    values = {
        "premoderation": "none", "premoderation_first_posts": "3", "personal_details_mode": "warn",
        "new_member_max_links": "", "new_member_max_mentions": "", "report_hide_threshold": "",
        "auto_slowdown": "y",
    }  # fmt: skip
    return {**values, **changes}


def test_a_groups_moderator_reaches_filters_settings_and_cases_from_the_queue_and_the_group(world):
    mona = world.client("mona")
    queue_page = mona.get(f"/moderation/g/{world.group_id}").get_data(as_text=True)
    links = (f"/moderation/g/{world.slug}/filters", settings_url(world), "/moderation/safeguarding")
    for link in links:
        assert f'href="{link}"' in queue_page, link
        assert mona.get(link).status_code == 200, link
    assert 'href="/moderation/filters"' not in queue_page  # instance-wide filters are for admins
    everything = mona.get("/moderation/").get_data(as_text=True)
    assert f'href="{settings_url(world)}"' in everything and 'href="/moderation/safeguarding"' in everything
    group_page = mona.get(f"/g/{world.slug}").get_data(as_text=True)
    assert f'href="{settings_url(world)}"' in group_page
    assert f'href="/moderation/g/{world.group_id}"' in group_page


def test_an_admin_reaches_the_instance_filters_from_the_queue_and_the_admin_navigation(world):
    root = world.client("root")
    for page in ("/moderation/", "/admin/"):
        text = root.get(page).get_data(as_text=True)
        assert 'href="/moderation/filters"' in text, page
    assert root.get("/moderation/filters").status_code == 200


def test_members_see_none_of_the_moderation_links(world):
    mia = world.client("mia")
    group_page = mia.get(f"/g/{world.slug}").get_data(as_text=True)
    assert settings_url(world) not in group_page and f"/moderation/g/{world.group_id}" not in group_page
    assert "/moderation/filters" not in group_page and "/moderation/safeguarding" not in group_page
    assert mia.get("/moderation/").status_code == 404
    assert mia.get(settings_url(world)).status_code == 404
    # A moderator of another group sees no settings link on this group's page either.
    assert world.client("oscar").get(f"/g/{world.slug}").status_code == 404


def test_the_report_hide_threshold_is_set_audited_and_applies(world):
    mona = world.client("mona")
    page = mona.get(settings_url(world)).get_data(as_text=True)
    assert 'name="report_hide_threshold"' in page and "Leave empty for the default (3)" in page
    response = post_form(mona, settings_url(world), settings_form(report_hide_threshold="1"))
    assert response.status_code == 303
    with world.app.app_context():
        assert db.session.get(GroupModerationSettings, world.group_id).report_hide_threshold == 1
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "group.moderation_settings_changed"))
        assert (entry.actor_id, entry.details) == (world.ids["mona"], {"report_hide_threshold": 1})
    assert 'value="1"' in mona.get(settings_url(world)).get_data(as_text=True)
    # One report now hides a post until a moderator looks.
    topic_id, _opening = world.topic("noah")
    post_id = world.reply("mia", topic_id, body="You are all stupid")
    report = post_form(world.client("lena"), f"/moderation/report/post/{post_id}", {"reason": "unkind", "note": ""})
    assert report.status_code == 200
    with world.app.app_context():
        assert db.session.get(Post, post_id).state == "hidden"
    # Emptying the field goes back to the instance default.
    assert post_form(mona, settings_url(world), settings_form()).status_code == 303
    with world.app.app_context():
        assert db.session.get(GroupModerationSettings, world.group_id).report_hide_threshold is None


@pytest.mark.parametrize("value, words", [("0", "from 1 to 50"), ("51", "from 1 to 50"), ("-2", "from 1 to 50"),
                                          ("three", "not numbers")])  # fmt: skip
def test_a_bad_threshold_is_refused_and_nothing_is_stored(world, value, words):
    mona = world.client("mona")
    response = post_form(mona, settings_url(world), settings_form(report_hide_threshold=value, premoderation="all"))
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.get(GroupModerationSettings, world.group_id) is None
        assert db.session.get(Group, world.group_id).premoderation == "none"
        count = select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("group.moderation%"))
        assert db.session.scalar(count) == 0
    assert post_form(world.client("mia"), settings_url(world), settings_form(report_hide_threshold="2"),
                     form_page=f"/g/{world.slug}").status_code == 404  # fmt: skip
