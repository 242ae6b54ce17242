"""A group's retention periods on the admin group page: saved and audited; 0, negative or non-numbers refused
with the reason next to the field, nothing changed; nobody but an admin reaches it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.core.audit import AuditEntry
from community.extensions import db
from community.groups.models import Group
from tests.consent.helpers import build_world
from tests.factories import post_form


@pytest.fixture
def world(db_app):
    return build_world(db_app)


def periods(world) -> tuple:
    with world.app.app_context():
        group = db.session.scalar(select(Group).where(Group.slug == world.slug))
        return group.id, group.retention_chat_days, group.retention_posts_days


def changes(world) -> list[dict]:
    with world.app.app_context():
        return [
            e.details
            for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "group.retention_changed"))
        ]


def test_an_admin_sets_the_periods_on_the_group_page_and_it_is_audited(world):
    group_id, _chat, _posts = periods(world)
    admin = world.client("admin1")
    page = admin.get(f"/admin/groups/{group_id}").get_data(as_text=True)
    assert 'id="retention-heading"' in page and 'name="chat_days"' in page and 'for="retention-chat-days"' in page
    response = post_form(admin, f"/admin/groups/{group_id}/retention", {"chat_days": "30", "posts_days": "365"},
                         form_page=f"/admin/groups/{group_id}")  # fmt: skip
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/groups/{group_id}"
    assert periods(world) == (group_id, 30, 365)
    assert changes(world) == [{"chat_days": 30, "posts_days": 365}]
    assert 'value="30"' in admin.get(f"/admin/groups/{group_id}").get_data(as_text=True)
    # Emptying a field goes back to the instance default.
    post_form(admin, f"/admin/groups/{group_id}/retention", {"chat_days": "", "posts_days": "365"},
              form_page=f"/admin/groups/{group_id}")  # fmt: skip
    assert periods(world) == (group_id, None, 365)


@pytest.mark.parametrize("bad", ["0", "-5", "abc", "99999999"])
def test_zero_negative_or_nonsense_is_refused_and_nothing_changes(world, bad):
    group_id, _chat, _posts = periods(world)
    admin = world.client("admin1")
    post_form(admin, f"/admin/groups/{group_id}/retention", {"chat_days": "7", "posts_days": "7"},
              form_page=f"/admin/groups/{group_id}")  # fmt: skip
    before = len(changes(world))
    response = post_form(admin, f"/admin/groups/{group_id}/retention", {"chat_days": bad, "posts_days": "14"},
                         form_page=f"/admin/groups/{group_id}")  # fmt: skip
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="chat_days-error"' in html and 'aria-invalid="true"' in html
    if bad in ("0", "-5"):
        assert "at least 1" in html
    assert periods(world) == (group_id, 7, 7)
    assert len(changes(world)) == before


def test_only_admins_reach_the_retention_form(world):
    group_id, _chat, _posts = periods(world)
    for username in ("mona", "mia"):
        client = world.client(username)
        assert client.get(f"/admin/groups/{group_id}/retention").status_code == 404
        response = post_form(client, f"/admin/groups/{group_id}/retention", {"chat_days": "3"},
                             form_page="/account/privacy")  # fmt: skip
        assert response.status_code == 404
    assert periods(world) == (group_id, None, None) and changes(world) == []
