"""A member who was removed from a group does not walk back in with the code they first used: no invitation
made before the removal lets them in, a new one does, and the removal page offers to withdraw their code."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.core.audit import AuditEntry
from community.extensions import db
from community.groups import invitation_staff
from community.groups import services as groups
from community.groups.models import Group, Invitation, Membership
from community.moderation import actions, reports
from community.moderation.models import QueueItem
from tests.factories import make_group, make_user, post_form, sign_in

PASSWORD = "my own good password"


@pytest.fixture
def world(db_app):
    with db_app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Parents together")
        return db_app, group.id, group.slug


def _admin(app):
    client = app.test_client()
    sign_in(client, "boss")
    return client


def _new_code(admin_client, slug: str) -> str:
    data = {"action": "code", "code-role": "member", "code-days": "7", "code-max_uses": ""}
    response = post_form(admin_client, f"/g/{slug}/invitations", data)
    assert response.status_code == 200
    return re.search(r'<code class="invite-code">([A-Z0-9-]+)</code>', response.get_data(as_text=True)).group(1)


def _sign_up_with(app, code: str, username: str):
    client = app.test_client()
    data = {"username": username, "display_name": username.title(), "password": PASSWORD, "language": "en",
            "year_of_birth": "1980", "consent": "y"}  # fmt: skip
    assert post_form(client, f"/invite/{code}", data).status_code == 303
    return client


def _ids(app, username: str, group_id: int) -> tuple[int, Membership]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username_key == username))
        membership = db.session.scalar(
            select(Membership).where(Membership.user_id == user.id, Membership.group_id == group_id)
        )
        db.session.expunge(membership)
        return user.id, membership


def _remove(admin_client, group_id: int, user_id: int, **extra):
    path = f"/admin/groups/{group_id}/members/{user_id}/remove"
    return post_form(admin_client, path, {"reason": "Harassed other parents", **extra})


def test_a_removed_member_cannot_rejoin_with_the_code_they_first_used(world):
    app, group_id, slug = world
    admin = _admin(app)
    code = _new_code(admin, slug)
    mia = _sign_up_with(app, code, "mia")
    assert mia.get(f"/g/{slug}").status_code == 200
    mia_id, membership = _ids(app, "mia", group_id)
    assert membership.invitation_id is not None

    # Removed without withdrawing the code: the code stays open for others, but not for her.
    assert _remove(admin, group_id, mia_id).status_code == 302
    refused = post_form(mia, f"/invite/{code}", {})
    assert refused.status_code == 400
    assert "You were removed from this group" in refused.get_data(as_text=True)
    assert mia.get(f"/g/{slug}").status_code == 404
    _, membership = _ids(app, "mia", group_id)
    assert membership.state == "removed" and membership.removed_at is not None
    with app.app_context():
        invitation = db.session.get(Invitation, membership.invitation_id)
        assert invitation.state == "open" and invitation.uses_left is None  # no use was taken by the refusal
        removal = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "membership.removed"))
        assert removal.actor_id != mia_id and removal.target_id == mia_id
        assert removal.details["invitations_revoked"] == []

    # Someone else can still use the old code.
    _sign_up_with(app, code, "noor")


def test_a_new_invitation_made_after_the_removal_lets_the_member_back_in(world):
    app, group_id, slug = world
    admin = _admin(app)
    mia = _sign_up_with(app, _new_code(admin, slug), "mia")
    mia_id, _ = _ids(app, "mia", group_id)
    assert _remove(admin, group_id, mia_id, revoke_codes="").status_code == 302

    fresh = _new_code(admin, slug)
    assert post_form(mia, f"/invite/{fresh}", {}).status_code == 303
    assert mia.get(f"/g/{slug}").status_code == 200
    _, membership = _ids(app, "mia", group_id)
    assert membership.state == "active"


def test_the_removal_page_offers_to_withdraw_the_code_and_the_withdrawal_is_audited(world):
    app, group_id, slug = world
    admin = _admin(app)
    code = _new_code(admin, slug)
    _sign_up_with(app, code, "mia")
    mia_id, membership = _ids(app, "mia", group_id)

    page = admin.get(f"/admin/groups/{group_id}/members/{mia_id}/remove").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" id="remove-revoke_codes" name="revoke_codes" value="1" checked>', page)
    assert _remove(admin, group_id, mia_id, revoke_codes="1").status_code == 302

    with app.app_context():
        assert db.session.get(Invitation, membership.invitation_id).state == "revoked"
        revoked = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.revoked"))
        boss = db.session.scalar(select(User).where(User.username_key == "boss"))
        assert revoked.actor_id == boss.id and revoked.target_id == membership.invitation_id
        assert revoked.details["on_removal_of"] == mia_id
        removal = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "membership.removed"))
        assert removal.details["invitations_revoked"] == [membership.invitation_id]
    # Nobody the code was passed on to gets in with it any more.
    assert app.test_client().get(f"/invite/{code}").status_code == 410


def test_a_member_removed_by_a_moderator_cannot_rejoin_with_an_older_invitation(world):
    app, group_id, slug = world
    admin = _admin(app)
    code = _new_code(admin, slug)
    mia = _sign_up_with(app, code, "mia")
    with app.app_context():
        group, boss = (
            db.session.get(Group, group_id),
            db.session.scalar(select(User).where(User.username_key == "boss")),
        )
        moderator, reporter = make_user("ravi"), make_user("sam")
        groups.add_member(boss, group, moderator, role="moderator")
        groups.add_member(boss, group, reporter)
        mia_user = db.session.scalar(select(User).where(User.username_key == "mia"))
        older = invitation_staff.create_code_invitation(boss, group, "member").code
        reports.submit(reporter, reports.reportable(reporter, "user", mia_user.id, group_id), "unkind")
        db.session.commit()
        item = db.session.scalar(select(QueueItem).where(QueueItem.kind == "report"))
        actions.act_on_item(moderator, item.id, "remove", reason="Threats to other parents")
        db.session.commit()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "moderation.remove"))
        assert entry.actor_id == moderator.id and entry.details["subject_id"] == mia_user.id

    for token in (code, older):
        refused = post_form(mia, f"/invite/{token}", {})
        assert refused.status_code == 400
        assert "You were removed from this group" in refused.get_data(as_text=True)
