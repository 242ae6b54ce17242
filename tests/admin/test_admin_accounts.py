"""The admin pages for accounts (search, suspension) and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from community.auth.models import User
from community.core.time import utcnow
from community.extensions import db, socketio
from tests.admin.helpers import admin_client, audit_entries, build_world
from tests.factories import PASSWORD, make_group, make_user, post_form, sign_in


def test_a_suspended_member_is_signed_out_everywhere_and_cannot_sign_in(db_app):
    app = db_app
    world = build_world(app)
    member = app.test_client()
    sign_in(member, "sam")
    socket = socketio.test_client(app, flask_test_client=member)
    assert socket.is_connected()
    client = admin_client(app)
    url = f"/admin/accounts/{world['sam']}"
    until = (utcnow() + timedelta(days=3)).date().isoformat()

    response = post_form(client, f"{url}/suspend", {"reason": "Threats", "until": until}, form_page=url)
    assert response.status_code == 302
    (entry,) = audit_entries(app, "account.suspended")
    assert (entry.actor_id, entry.target_id, entry.reason) == (world["boss"], world["sam"], "Threats")
    assert entry.details["until"].startswith(until)
    assert not socket.is_connected(), "the open socket is closed"
    assert member.get("/").status_code == 302, "the existing client is signed out at its next request"
    assert post_form(app.test_client(), "/login", {"login": "sam", "password": PASSWORD}).status_code == 400
    page = client.get(url).get_data(as_text=True)
    assert "Threats" in page
    assert "Lift the suspension" in page

    assert post_form(client, f"{url}/unsuspend", {}, form_page=url).status_code == 302
    assert len(audit_entries(app, "account.unsuspended")) == 1
    with app.app_context():
        sam = db.session.get(User, world["sam"])
        assert (sam.state, sam.state_reason, sam.state_until) == ("active", "", None)
    sign_in(app.test_client(), "sam")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "Write down why the account is suspended."),
        ({"reason": "Spam", "until": "2001-01-01"}, "Choose an end date in the future, or leave it empty."),
        ({"reason": "Spam", "until": "next week"}, "Not a valid date value."),
    ],
)
def test_a_suspension_with_bad_input_is_refused(app, data, message):
    world = build_world(app)
    client = admin_client(app)
    url = f"/admin/accounts/{world['sam']}"
    response = post_form(client, f"{url}/suspend", data, form_page=url)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world["sam"]).state == "active"
    assert audit_entries(app, "account.suspended") == []


def test_an_admin_cannot_suspend_themself(app):
    world = build_world(app)
    client = admin_client(app)
    url = f"/admin/accounts/{world['boss']}"
    assert "Suspend the account" not in client.get(url).get_data(as_text=True)
    response = post_form(client, f"{url}/suspend", {"reason": "Oops"}, form_page=url)
    assert response.status_code == 400
    assert "You cannot suspend your own account." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 200


def test_accounts_are_found_by_name_or_email_and_show_email_to_admins(app):
    world = build_world(app)
    client = admin_client(app)
    page = client.get("/admin/accounts?q=SAM@EXAMPLE").get_data(as_text=True)
    assert "Sam" in page
    assert ">Moe<" not in page
    assert "Moe" in client.get("/admin/accounts?q=m").get_data(as_text=True)
    assert "No accounts match" in client.get("/admin/accounts?q=%25").get_data(as_text=True), "% is literal"
    detail = client.get(f"/admin/accounts/{world['sam']}").get_data(as_text=True)
    assert "sam@example.org" in detail
    assert "Young people" in detail


def test_account_search_is_paginated_50_per_page(app):
    with app.app_context():
        make_user("boss", admin=True)
        for number in range(55):
            make_user(f"person{number:02d}")
    client = admin_client(app)
    first = client.get("/admin/accounts?q=person").get_data(as_text=True)
    assert first.count("/admin/accounts/") == 50
    assert "page=2" in first
    second = client.get("/admin/accounts?q=person&page=2").get_data(as_text=True)
    assert second.count("/admin/accounts/") == 5


def test_the_audit_log_lists_entries_filters_them_and_verifies_the_chain(db_app):
    world = build_world(db_app)
    client = admin_client(db_app)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "group.created" in page
    assert "membership.added" in page
    assert "Boss" in page
    filtered = client.get(f"/admin/audit?action=group.created&group={world['other']}").get_data(as_text=True)
    assert "Parents together" in filtered
    assert "membership.added</code>" not in filtered

    response = post_form(client, "/admin/audit/verify", {}, form_page="/admin/audit", follow_redirects=True)
    assert "The audit log is intact" in response.get_data(as_text=True)


def test_the_audit_log_pages_by_id_newest_first(app):
    with app.app_context():
        boss = make_user("boss", admin=True)
        for number in range(55):
            make_group(boss, f"Group {number:02d}")
    client = admin_client(app)
    page = client.get("/admin/audit").get_data(as_text=True)
    first = page[page.index("<tbody>") :]  # the table, not the group filter's list of names
    assert first.index("Group 54") < first.index("Group 53")
    assert "Group 04" not in first
    older = client.get(re.search(r'href="(/admin/audit\?before=\d+)"', page).group(1)).get_data(as_text=True)
    assert "Group 04" in older[older.index("<tbody>") :]
    assert "Group 54" not in older[older.index("<tbody>") :]


def test_the_audit_log_downloads_as_csv(app):
    build_world(app)
    response = admin_client(app).get("/admin/audit.csv?action=membership.added")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert body.splitlines()[0].startswith("id,time_utc,actor,action")
    assert body.count("membership.added") == 2
    assert "group.created" not in body
