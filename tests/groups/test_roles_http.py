"""Group roles through the pages: the manager's settings page and invitations, a professional kept out of
moderation, and role changes in the admin area (audited, the person's sessions ended)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community.core.audit import AuditEntry
from community.extensions import db
from community.groups.models import Group, Invitation, Membership
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in


@pytest.fixture
def world(app):
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, "Evening circle")
        people = {"admin": admin}
        for username, role in (("manu", "manager"), ("pia", "professional"), ("mona", "moderator"), ("mia", "member")):
            people[username] = make_user(username, display_name=username.capitalize())
            add_to_group(admin, group, people[username], role=role)
        return {"slug": group.slug, "group": group.id, **{name: user.id for name, user in people.items()}}


def client_of(app, username: str):
    client = app.test_client()
    sign_in(client, username)
    return client


def audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def invitations(app) -> list[tuple[str, int | None]]:
    with app.app_context():
        return [(i.role, i.created_by_id) for i in db.session.scalars(select(Invitation).order_by(Invitation.id))]


SETTINGS = {"name": "Evening circle (Tuesdays)", "description": "We meet online.", "premoderation": "new_members",
            "member_messages_allowed": "y", "moderators_can_invite": "y", "slow_mode_seconds": "10"}  # fmt: skip


def test_the_manager_edits_the_group_settings_and_it_is_audited(app, world):
    manu = client_of(app, "manu")
    page = f"/g/{world['slug']}"
    assert f'href="{page}/settings"' in manu.get(page).get_data(as_text=True)
    response = post_form(manu, f"{page}/settings", {**SETTINGS, "kind": "parents"})
    assert response.status_code == 303
    with app.app_context():
        group = db.session.get(Group, world["group"])
        assert (group.name, group.premoderation, group.slow_mode_seconds) == (
            "Evening circle (Tuesdays)",
            "new_members",
            10,
        )
        assert group.kind == "other", "the kind of group stays the admin's choice"
    (entry,) = audit(app, "group.updated")
    assert (entry.actor_id, entry.group_id) == (world["manu"], world["group"])
    assert "kind" not in entry.details["changed"]


def test_the_manager_decides_whether_staff_may_write_to_members_first(app, world):
    manu = client_of(app, "manu")
    settings = f"/g/{world['slug']}/settings"
    assert 'name="outreach_allowed"' in manu.get(settings).get_data(as_text=True)
    assert post_form(manu, settings, SETTINGS).status_code == 303  # the box left empty: off
    with app.app_context():
        assert db.session.get(Group, world["group"]).outreach_allowed is False
    assert post_form(manu, settings, {**SETTINGS, "outreach_allowed": "y"}).status_code == 303
    with app.app_context():
        assert db.session.get(Group, world["group"]).outreach_allowed is True
    changes = [entry.details["changed"] for entry in audit(app, "group.updated")]
    assert all("outreach_allowed" in changed for changed in changes), changes


def test_a_bad_setting_is_refused_and_nothing_is_stored(app, world):
    manu = client_of(app, "manu")
    response = post_form(manu, f"/g/{world['slug']}/settings", {**SETTINGS, "name": "x"})
    assert response.status_code == 400
    assert "Give the group a name of 2 to 80 characters." in response.get_data(as_text=True)
    response = post_form(manu, f"/g/{world['slug']}/settings", {**SETTINGS, "slow_mode_seconds": "99999"},
                         form_page=f"/g/{world['slug']}/settings")  # fmt: skip
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Group, world["group"]).name == "Evening circle"
    assert audit(app, "group.updated") == []


@pytest.mark.parametrize("username", ["pia", "mona", "mia"])
def test_nobody_but_the_manager_and_admins_sees_the_settings_page(app, world, username):
    client = client_of(app, username)
    assert client.get(f"/g/{world['slug']}/settings").status_code == 404
    page = client.get(f"/g/{world['slug']}").get_data(as_text=True)
    assert f'href="/g/{world["slug"]}/settings"' not in page


def test_the_manager_invites_a_professional_but_not_a_moderator(app, world):
    manu = client_of(app, "manu")
    url = f"/g/{world['slug']}/invitations"
    page = manu.get(url).get_data(as_text=True)
    offered = re.search(r'<select[^>]*name="code-role"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'value="([^"]+)"', offered) == ["member", "professional"]
    assert ">Professional<" in offered
    response = post_form(manu, url, {"action": "code", "code-role": "professional", "code-days": "7"})
    assert response.status_code == 200
    assert invitations(app) == [("professional", world["manu"])]
    for role in ("moderator", "manager"):
        response = post_form(manu, url, {"action": "code", "code-role": role, "code-days": "7"})
        assert response.status_code == 400
        assert "Only an admin can bring in a moderator or group manager." in response.get_data(as_text=True)
    response = post_form(manu, url, {"action": "code", "code-role": "king", "code-days": "7"})
    assert response.status_code == 400
    assert "Choose one of the roles in the list." in response.get_data(as_text=True)
    assert invitations(app) == [("professional", world["manu"])], "nothing stored for the refused ones"


def test_a_moderator_still_invites_members_only(app, world):
    mona = client_of(app, "mona")
    url = f"/g/{world['slug']}/invitations"
    response = post_form(mona, url, {"action": "code", "code-role": "professional", "code-days": "7"})
    assert response.status_code == 400
    assert "Only an admin can invite someone with that role." in response.get_data(as_text=True)
    assert invitations(app) == []


def test_a_professional_cannot_open_moderation(app, world):
    pia = client_of(app, "pia")
    assert pia.get("/moderation/").status_code == 404
    assert pia.get(f"/moderation/g/{world['group']}").status_code == 404
    assert pia.get(f"/moderation/g/{world['slug']}/settings").status_code == 404
    assert pia.get(f"/g/{world['slug']}/invitations").status_code == 404
    manu = client_of(app, "manu")
    assert manu.get(f"/moderation/g/{world['group']}").status_code == 200, "a manager moderates"


def test_the_member_list_names_each_role(app, world):
    html = client_of(app, "mia").get(f"/g/{world['slug']}").get_data(as_text=True)
    people = html[html.index('id="people-heading"') :]
    order = re.findall(r"<bdi>(\w+)</bdi>", people)
    assert order[:4] == ["Manu", "Mona", "Pia", "Mia"], "staff first: manager, moderator, professional"
    for label in ("Group manager", "Moderator", "Professional"):
        assert f'<span class="badge">{label}</span>' in people
    profile = client_of(app, "mia").get(f"/people/{world['pia']}").get_data(as_text=True)
    assert "Evening circle</a> · Professional</li>" in profile, "the profile names the role in each shared group"


@pytest.mark.parametrize("role", ["professional", "manager", "moderator", "member"])
def test_an_admin_sets_any_role_audited_and_the_person_signs_in_again(app, world, role):
    mia = client_of(app, "mia") if role != "member" else client_of(app, "pia")
    who = "mia" if role != "member" else "pia"
    admin = client_of(app, "boss")
    url = f"/admin/groups/{world['group']}/members/{world[who]}/role"
    response = post_form(admin, url, {"role": role}, form_page=f"/admin/groups/{world['group']}")
    assert response.status_code == 302
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.user_id == world[who]))
        assert membership.role == role
    (entry,) = audit(app, "membership.role_changed")
    assert entry.details == {"role": role, "previous_role": "member" if who == "mia" else "professional",
                             "sessions_ended": 1}  # fmt: skip
    assert mia.get("/").status_code == 302, "the old session ended with the role change"


def test_an_unknown_role_stores_nothing(app, world):
    admin = client_of(app, "boss")
    url = f"/admin/groups/{world['group']}/members/{world['mia']}/role"
    response = post_form(admin, url, {"role": "owner"}, form_page=f"/admin/groups/{world['group']}")
    assert response.status_code == 400
    assert "Choose one of the roles in the list." in response.get_data(as_text=True)
    assert audit(app, "membership.role_changed") == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.role == "owner")) == 0
