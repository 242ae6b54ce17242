"""A group's moderation settings page: moderators (and admins) change pre-moderation, personal details,
automatic slow mode and the new-member limits; each change is audited; bad input stores nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from community.core.audit import AuditEntry
from community.extensions import db
from community.groups.models import Group
from community.moderation.filter_models import GroupModerationSettings
from tests.factories import post_form
from tests.moderation.test_pipeline_world import world_fixture  # noqa: F401 (the "world" fixture)

SETTINGS = {
    "premoderation": "new_members",
    "premoderation_first_posts": "2",
    "personal_details_mode": "hold",
    "new_member_max_links": "0",
    "new_member_max_mentions": "",
}


def url(world) -> str:
    return f"/moderation/g/{world.slug}/settings"


def test_a_moderator_changes_the_settings_audited_and_they_apply(world):
    mia = world.client("mia")
    page = mia.get(url(world)).get_data(as_text=True)
    assert "Moderation settings of Parents of teens" in page and "Leave empty for the default (1)" in page
    response = post_form(mia, url(world), SETTINGS)  # auto_slowdown unticked: off
    assert response.status_code == 303
    with world.app.app_context():
        group = db.session.get(Group, world.group_id)
        row = db.session.get(GroupModerationSettings, world.group_id)
        assert (group.premoderation, group.premoderation_first_posts, group.auto_slowdown) == ("new_members", 2, False)
        assert (row.personal_details_mode, row.new_member_max_links, row.new_member_max_mentions) == ("hold", 0, None)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "group.moderation_settings_changed"))
        assert (entry.actor_id, entry.group_id) == (world.ids["mia"], world.group_id)
        assert entry.details == {
            "premoderation": "new_members",
            "premoderation_first_posts": 2,
            "auto_slowdown": False,
            "personal_details_mode": "hold",
            "new_member_max_links": 0,
        }
        assert world.screen("sam", "see www.example.org").category == "limits"
    again = post_form(mia, url(world), SETTINGS)
    assert again.status_code == 303
    with world.app.app_context():
        count = select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("group.moderation%"))
        assert db.session.scalar(count) == 1, "saving the same settings changes and audits nothing"


def test_bad_values_are_refused_with_a_reason_and_nothing_is_stored(world):
    mia = world.client("mia")
    for field, value, words in (
        ("premoderation", "sometimes", "pre-moderation mode"),
        ("personal_details_mode", "ignore", "personal details"),
        ("new_member_max_links", "500", "0 to 50"),
        ("premoderation_first_posts", "", "0 to 50"),
        ("new_member_max_mentions", "many", "not numbers"),
    ):
        response = post_form(mia, url(world), {**SETTINGS, field: value})
        assert response.status_code == 400 and words in response.get_data(as_text=True), field
    with world.app.app_context():
        assert db.session.get(GroupModerationSettings, world.group_id) is None
        assert db.session.get(Group, world.group_id).premoderation == "none"
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "group.moderation_settings_changed")) == 0  # fmt: skip


def test_only_the_groups_moderators_and_admins_reach_the_settings(world):
    assert world.client("sam").get(url(world)).status_code == 404
    assert world.client("otto").get(url(world)).status_code == 404
    assert world.client("ada").get(url(world)).status_code == 200
    assert post_form(world.client("sam"), url(world), SETTINGS, form_page=f"/g/{world.slug}").status_code == 404
