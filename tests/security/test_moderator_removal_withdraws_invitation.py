"""A moderator's removal (from the queue item page) offers what the admin's removal page offers: to withdraw the
still-open invitation the member joined with, ticked by default and audited. Either way the removed member does
not walk back in with it; unticked, the invitation keeps working for everyone else."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.core.audit import AuditEntry
from community.extensions import db
from community.groups import services as groups
from community.groups.models import Group, Invitation
from community.moderation import reports
from community.moderation.models import QueueItem
from tests.factories import make_group, make_user, post_form, sign_in
from tests.security.test_removed_member_cannot_rejoin import _admin, _ids, _new_code, _sign_up_with

CHECKBOX = re.compile(r'<input type="checkbox" id="act-revoke_codes" name="revoke_codes" value="1"( checked)?>')


@pytest.fixture
def world(db_app):
    with db_app.app_context():
        group = make_group(make_user("boss", admin=True), "Parents together")
        return db_app, group.id, group.slug


def _reported_by_a_member(app, group_id: int, username: str) -> tuple[int, object]:
    """A moderator (ravi, signed in) and a queue item: sam reports the member's profile."""
    with app.app_context():
        group = db.session.get(Group, group_id)
        boss = db.session.scalar(select(User).where(User.username_key == "boss"))
        moderator, reporter = make_user("ravi"), make_user("sam")
        groups.add_member(boss, group, moderator, role="moderator")
        groups.add_member(boss, group, reporter)
        subject = db.session.scalar(select(User).where(User.username_key == username))
        reports.submit(reporter, reports.reportable(reporter, "user", subject.id, group_id), "unkind")
        db.session.commit()
        item_id = db.session.scalar(select(QueueItem.id).where(QueueItem.kind == "report"))
    client = app.test_client()
    sign_in(client, "ravi")
    return item_id, client


def _remove(moderator, item_id: int, **extra):
    data = {"action": "remove", "reason": "Threats to other parents", "days": "1", **extra}
    return post_form(moderator, f"/moderation/items/{item_id}/act", data, form_page=f"/moderation/items/{item_id}")


def test_a_moderator_removing_a_member_withdraws_the_invitation_they_joined_with_and_it_is_audited(world):
    app, group_id, slug = world
    code = _new_code(_admin(app), slug)
    mia = _sign_up_with(app, code, "mia")
    mia_id, membership = _ids(app, "mia", group_id)
    item_id, ravi = _reported_by_a_member(app, group_id, "mia")

    page = ravi.get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert CHECKBOX.search(page).group(1) == " checked"  # offered, ticked by default
    assert "Invitations made before now no longer let them back in; a new invitation does." in page
    assert "They joined with an invitation that is still open" in page
    assert _remove(ravi, item_id, revoke_codes="1").status_code == 303

    with app.app_context():
        ravi_id = db.session.scalar(select(User.id).where(User.username_key == "ravi"))
        assert db.session.get(Invitation, membership.invitation_id).state == "revoked"
        revoked = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.revoked"))
        assert revoked.actor_id == ravi_id and revoked.target_id == membership.invitation_id
        assert revoked.group_id == group_id and revoked.details["on_removal_of"] == mia_id
        removal = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "moderation.remove"))
        assert removal.actor_id == ravi_id and removal.details["subject_id"] == mia_id
        assert removal.details["invitations_revoked"] == [membership.invitation_id]
    # Neither she nor anyone the code was passed on to gets in with it.
    assert mia.get(f"/g/{slug}").status_code == 404
    assert mia.get(f"/invite/{code}").status_code == 410
    assert app.test_client().get(f"/invite/{code}").status_code == 410


def test_a_moderator_removal_without_the_box_keeps_the_invitation_open_but_not_for_the_removed_member(world):
    app, group_id, slug = world
    code = _new_code(_admin(app), slug)
    mia = _sign_up_with(app, code, "mia")
    _, membership = _ids(app, "mia", group_id)
    item_id, ravi = _reported_by_a_member(app, group_id, "mia")

    assert _remove(ravi, item_id).status_code == 303  # the box unticked: the browser sends nothing for it

    with app.app_context():
        assert db.session.get(Invitation, membership.invitation_id).state == "open"
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.revoked")) is None
        removal = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "moderation.remove"))
        assert removal.details["invitations_revoked"] == []
    refused = post_form(mia, f"/invite/{code}", {})
    assert refused.status_code == 400
    assert "You were removed from this group" in refused.get_data(as_text=True)
    assert mia.get(f"/g/{slug}").status_code == 404
    _, membership = _ids(app, "mia", group_id)
    assert membership.state == "removed"
    _sign_up_with(app, code, "noor")  # the code still works for someone it was meant for


def test_the_moderator_is_not_offered_a_withdrawal_when_the_member_joined_without_an_open_invitation(world):
    app, group_id, slug = world
    code = _new_code(_admin(app), slug)
    _sign_up_with(app, code, "mia")
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        invitation.state = "revoked"
        db.session.commit()
    item_id, ravi = _reported_by_a_member(app, group_id, "mia")

    page = ravi.get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert CHECKBOX.search(page) is None
    assert "Invitations made before now no longer let them back in; a new invitation does." in page
