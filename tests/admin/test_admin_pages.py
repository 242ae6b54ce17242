"""The admin pages for groups and membership. Admins only; everyone else gets 404."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from community.auth.models import User
from community.extensions import db, socketio
from community.groups import policy
from community.groups.models import Group, Membership
from tests.admin.helpers import admin_client, admin_urls, audit_entries, build_world, membership_of
from tests.factories import csrf_token, make_group, make_user, post_form, sign_in


@pytest.mark.parametrize("who", ["sam", "mo"])
def test_members_and_moderators_get_404_on_every_admin_url(app, who):
    world = build_world(app)
    client = app.test_client()
    sign_in(client, {"sam": "sam", "mo": "moe"}[who])
    token = csrf_token(client, "/")  # a valid token from the sign-out form: only the admin check may refuse
    urls = admin_urls(app, world)
    assert len(urls) >= 14
    for method, path in urls:
        data = {"csrf_token": token, "reason": "x", "role": "moderator", "name": "Taken over", "username": "sam"}
        response = client.get(path) if method == "GET" else client.post(path, data=data)
        assert response.status_code == 404, (method, path)
    with app.app_context():
        group, membership = membership_of(app, world, who)
        assert (group.state, group.name) == ("active", "Young people"), "nothing changed"
        assert membership.state == "active"
        assert db.session.get(User, world["sam"]).state == "active"
    assert audit_entries(app, "group.updated") == []


def test_anonymous_people_are_sent_to_sign_in_from_the_admin_area(app):
    build_world(app)
    response = app.test_client().get("/admin/groups")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_only_admins_see_the_admin_link(app):
    build_world(app)
    assert 'href="/admin/"' in admin_client(app).get("/").get_data(as_text=True)
    member = app.test_client()
    sign_in(member, "sam")
    assert 'href="/admin/"' not in member.get("/").get_data(as_text=True)


def test_the_overview_counts_groups_accounts_and_invitations(app):
    build_world(app)
    page = admin_client(app).get("/admin/").get_data(as_text=True)
    assert "2 groups" in page
    assert "3 accounts" in page
    assert "0 open invitations" in page


def test_an_admin_creates_a_group_and_it_is_audited(db_app):
    world = build_world(db_app)
    client = admin_client(db_app)
    response = post_form(client, "/admin/groups", {"name": "Siblings", "description": "For brothers", "kind": "family"})
    assert response.status_code == 302
    with db_app.app_context():
        group = db.session.scalar(select(Group).where(Group.name == "Siblings"))
        assert (group.kind, group.slug, group.state) == ("family", "siblings", "active")
        assert response.headers["Location"].endswith(f"/admin/groups/{group.id}")
    created = [e for e in audit_entries(db_app, "group.created") if e.target_id == group.id]
    assert len(created) == 1
    assert created[0].actor_id == world["boss"]
    assert "Siblings" in client.get("/admin/groups").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "family"}, "Give the group a name of 2 to 80 characters."),
        ({"name": "Siblings", "kind": "pirates"}, "Choose what kind of group this is."),
    ],
)
def test_a_group_with_bad_input_is_refused_and_the_input_kept(app, data, message):
    build_world(app)
    client = admin_client(app)
    response = post_form(client, "/admin/groups", {"description": "Kept text", **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "Kept text" in page
    assert 'aria-invalid="true"' in page
    with app.app_context():
        assert db.session.scalar(select(Group).where(Group.name == "Siblings")) is None


def _settings(**changes) -> dict:
    data = {
        "name": "Young people",
        "description": "For 14 to 18",
        "kind": "young_people",
        "premoderation": "new_members",
        "member_messages_allowed": "y",
        "slow_mode_seconds": "30",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_admin_changes_group_settings_and_it_is_audited(db_app):
    world = build_world(db_app)
    client = admin_client(db_app)
    url = f"/admin/groups/{world['group']}"
    response = post_form(client, url, _settings())
    assert response.status_code == 302
    with db_app.app_context():
        group = db.session.get(Group, world["group"])
        assert group.description == "For 14 to 18"
        assert group.premoderation == "new_members"
        assert group.member_messages_allowed is True
        assert group.moderators_can_invite is False, "an unticked box turns the setting off"
        assert group.slow_mode_seconds == 30
    (entry,) = audit_entries(db_app, "group.updated")
    assert entry.actor_id == world["boss"]
    assert entry.group_id == world["group"]
    assert "description" in entry.details["changed"]
    assert entry.details["settings"]["slow_mode_seconds"] == 30
    assert "For 14 to 18" not in str(entry.details), "the description text is not copied into the log"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "   "}, "Give the group a name of 2 to 80 characters."),
        ({"kind": "pirates"}, "Choose what kind of group this is."),
        ({"premoderation": "sometimes"}, "Choose which posts a moderator checks first."),
        ({"slow_mode_seconds": "-5"}, "Slow mode is a number of seconds from 0 (off) to 3600."),
        ({"slow_mode_seconds": "soon"}, "Not a valid integer value."),
    ],
)
def test_bad_group_settings_are_refused_and_nothing_is_stored(app, changes, message):
    world = build_world(app)
    client = admin_client(app)
    response = post_form(client, f"/admin/groups/{world['group']}", _settings(description="Typed text", **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "Typed text" in page, "the input is kept"
    with app.app_context():
        group = db.session.get(Group, world["group"])
        assert (group.name, group.description, group.slow_mode_seconds) == ("Young people", "", 0)
    assert audit_entries(app, "group.updated") == []


def test_an_archived_group_can_be_read_but_not_written_and_opened_again(db_app):
    world = build_world(db_app)
    client = admin_client(db_app)
    url = f"/admin/groups/{world['group']}/archive"
    assert "Archive “Young people”?" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {}).status_code == 302
    with db_app.app_context():
        group, membership = membership_of(db_app, world, "sam")
        sam = db.session.get(User, world["sam"])
        assert group.state == "archived"
        assert policy.can_view_group(sam, group, membership)
        assert not policy.can_write_in_group(sam, group, membership)
    assert len(audit_entries(db_app, "group.archived")) == 1
    member = db_app.test_client()
    sign_in(member, "sam")
    assert member.get(f"/g/{world['slug']}").status_code == 200

    assert post_form(client, f"/admin/groups/{world['group']}/unarchive", {}).status_code == 302
    with db_app.app_context():
        group, membership = membership_of(db_app, world, "sam")
        assert group.state == "active"
        assert policy.can_write_in_group(db.session.get(User, world["sam"]), group, membership)
    assert len(audit_entries(db_app, "group.unarchived")) == 1


def _page_form(html: str, action: str) -> tuple[list[tuple[str, str]], list[str], str]:
    """The hidden inputs of the form posting to ``action``, the values its role list offers and the one chosen."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S).group(1)
    select_html = re.search(r'<select[^>]*name="role"[^>]*>(.*?)</select>', form, re.S).group(1)
    chosen = re.search(r'<option value="([^"]+)" selected>', select_html).group(1)
    return (
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form),
        re.findall(r'value="([^"]+)"', select_html),
        chosen,
    )


def test_an_admin_appoints_and_removes_a_moderator(db_app):
    world = build_world(db_app)
    client = admin_client(db_app)
    url = f"/admin/groups/{world['group']}/members/{world['sam']}/role"
    page = f"/admin/groups/{world['group']}"
    inputs, offered, chosen = _page_form(client.get(page).get_data(as_text=True), url)
    assert [name for name, _ in inputs] == ["csrf_token"]
    assert (offered, chosen) == (["member", "professional", "moderator", "manager"], "member")
    response = client.post(url, data={**dict(inputs), "role": "moderator"}, follow_redirects=True)
    assert "role is now: Moderator." in response.get_data(as_text=True)
    with db_app.app_context():
        assert membership_of(db_app, world, "sam")[1].role == "moderator"
    (entry,) = audit_entries(db_app, "membership.role_changed")
    assert (entry.actor_id, entry.target_id, entry.group_id) == (world["boss"], world["sam"], world["group"])
    assert entry.details == {"role": "moderator", "previous_role": "member", "sessions_ended": 0}

    assert post_form(client, url, {"role": "member"}, form_page=page).status_code == 302
    with db_app.app_context():
        assert membership_of(db_app, world, "sam")[1].role == "member"
    assert [e.details["role"] for e in audit_entries(db_app, "membership.role_changed")] == ["moderator", "member"]


def test_a_role_change_signs_the_person_out_so_they_return_under_the_new_role(app):
    from tests.factories import sign_in

    world = build_world(app)
    sam = app.test_client()
    sign_in(sam, "sam")
    assert sam.get("/").status_code == 200
    client = admin_client(app)
    url = f"/admin/groups/{world['group']}/members/{world['sam']}/role"
    assert post_form(client, url, {"role": "moderator"}, form_page=f"/admin/groups/{world['group']}").status_code == 302
    assert sam.get("/").status_code == 302, "the old session ended with the role change"
    (entry,) = audit_entries(app, "membership.role_changed")
    assert entry.details["sessions_ended"] == 1


def test_an_unknown_role_is_refused(app):
    world = build_world(app)
    client = admin_client(app)
    url = f"/admin/groups/{world['group']}/members/{world['sam']}/role"
    response = post_form(client, url, {"role": "king"}, form_page=f"/admin/groups/{world['group']}")
    assert response.status_code == 400
    assert "Choose one of the roles in the list." in response.get_data(as_text=True)
    assert audit_entries(app, "membership.role_changed") == []


def test_a_removed_member_loses_access_at_once(db_app):
    world = build_world(db_app)
    member = db_app.test_client()
    sign_in(member, "sam")
    assert member.get(f"/g/{world['slug']}").status_code == 200
    socket = socketio.test_client(db_app, flask_test_client=member)
    assert socket.is_connected()
    client = admin_client(db_app)
    url = f"/admin/groups/{world['group']}/members/{world['sam']}/remove"
    assert "Remove Sam from “Young people”?" in client.get(url).get_data(as_text=True)

    response = post_form(client, url, {"reason": "Asked to leave"})
    assert response.status_code == 302
    assert member.get(f"/g/{world['slug']}").status_code == 404
    assert not socket.is_connected(), "closed, so it can only rejoin the rooms they may still be in"
    (entry,) = audit_entries(db_app, "membership.removed")
    assert (entry.actor_id, entry.target_id, entry.group_id) == (world["boss"], world["sam"], world["group"])
    assert entry.reason == "Asked to leave"
    assert "Removed" in client.get(f"/admin/groups/{world['group']}").get_data(as_text=True)


def test_removing_someone_needs_a_reason(app):
    world = build_world(app)
    client = admin_client(app)
    response = post_form(client, f"/admin/groups/{world['group']}/members/{world['sam']}/remove", {"reason": " "})
    assert response.status_code == 400
    assert "Write down why this person is removed." in response.get_data(as_text=True)
    with app.app_context():
        assert membership_of(app, world, "sam")[1].state == "active"
    assert audit_entries(app, "membership.removed") == []


def test_an_admin_adds_an_existing_account_as_moderator(db_app):
    world = build_world(db_app)
    with db_app.app_context():
        make_user("kim", display_name="Kim")
    client = admin_client(db_app)
    url = f"/admin/groups/{world['group']}/members"
    response = post_form(client, url, {"username": "Kim", "role": "moderator"}, form_page=url.rsplit("/", 1)[0])
    assert response.status_code == 302
    with db_app.app_context():
        kim = db.session.scalar(select(User).where(User.username_key == "kim"))
        membership = db.session.scalar(select(Membership).where(Membership.user_id == kim.id))
        assert (membership.group_id, membership.role) == (world["group"], "moderator")
    assert any(
        e.target_id == kim.id and e.details == {"role": "moderator"} for e in audit_entries(db_app, "membership.added")
    )


def test_adding_an_unknown_username_says_so_and_keeps_it(app):
    world = build_world(app)
    client = admin_client(app)
    url = f"/admin/groups/{world['group']}/members"
    response = post_form(client, url, {"username": "nobody-here", "role": "member"}, form_page=url.rsplit("/", 1)[0])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is no account with that username." in page
    assert 'value="nobody-here"' in page


def test_the_group_list_costs_the_same_number_of_queries_for_many_groups(app):
    world = build_world(app)
    client = admin_client(app)

    def queries_for_group_list() -> int:
        statements = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/admin/groups").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    queries_for_group_list()  # the first page also fills the per-process cache (consent documents in force)
    few = queries_for_group_list()
    with app.app_context():
        boss = db.session.get(User, world["boss"])
        for number in range(10):
            make_group(boss, f"More {number}")
    assert queries_for_group_list() == few
