"""Invitations: the only way in. Staff invite by email, by code or by list; a person accepts once; a link that
expired, was used or was withdrawn says so clearly; a member who is already signed in just joins."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.core.audit import AuditEntry
from community.core.errors import DomainError
from community.core.time import utcnow
from community.extensions import db
from community.groups import invitation_staff, invitations
from community.groups.models import Group, Invitation, Membership
from tests.factories import add_to_group, make_group, make_user, post_form, sign_in

GROUP_NAME = "Teens with diabetes"
NEW_PASSWORD = "my own good password"


def _build_world(app):
    """An admin, a group with a moderator and a member."""
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, GROUP_NAME)
        add_to_group(admin, group, make_user("ravi", email="ravi@example.org"), role="moderator")
        add_to_group(admin, group, make_user("sam", email="sam@example.org"))
        return app, group.slug


@pytest.fixture
def world(app):
    return _build_world(app)


@pytest.fixture
def db_world(db_app):
    """The same world on SQLite and on PostgreSQL, for the journeys where storage matters."""
    return _build_world(db_app)


def outbox(app) -> list:
    return app.extensions.setdefault("kring_outbox", [])


def link_in(mail) -> str:
    match = re.search(r"http://localhost(/invite/\S+)", mail.get_content())
    assert match, mail.get_content()
    return match.group(1)


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def invite_by_email(client, slug: str, email: str, role: str = "member"):
    data = {"action": "email", "email-email": email, "email-role": role, "email-days": "7"}
    return post_form(client, f"/g/{slug}/invitations", data)


def create_code(client, slug: str, max_uses: str = "", role: str = "member") -> str:
    data = {"action": "code", "code-role": role, "code-days": "7", "code-max_uses": max_uses}
    response = post_form(client, f"/g/{slug}/invitations", data)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    match = re.search(r'<code class="invite-code">([A-Z0-9-]+)</code>', response.get_data(as_text=True))
    assert match
    return match.group(1)


def accept_form(username: str = "newbie", **overrides) -> dict:
    data = {
        "username": username,
        "display_name": "Blue Bird",
        "password": NEW_PASSWORD,
        "language": "nl",
        "year_of_birth": "2008",
        "consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def admin_client(app):
    client = app.test_client()
    sign_in(client, "boss")
    return client


# --- the whole journey --------------------------------------------------------------------------------------


def test_an_email_invitation_is_accepted_once_and_the_new_member_lands_in_the_group(db_world):
    app, slug = db_world
    response = invite_by_email(admin_client(app), slug, "New.Person@Example.org")
    assert response.status_code == 303

    [mail] = outbox(app)
    assert mail["To"] == "new.person@example.org"
    assert "You are invited to join a closed group on Kring" in mail.get_content()
    path = link_in(mail)

    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert GROUP_NAME in page.get_data(as_text=True)
    assert "as a member" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"

    response = post_form(visitor, path, accept_form())
    assert response.status_code == 303
    assert response.headers["Location"] == f"/g/{slug}"
    assert visitor.get(f"/g/{slug}").status_code == 200  # signed in straight away

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username_key == "newbie"))
        assert (user.display_name, user.email, user.language, user.year_of_birth) == (
            "Blue Bird", "new.person@example.org", "nl", 2008,
        )  # fmt: skip
        membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert (membership.role, membership.state) == ("member", "active")
        invitation = db.session.scalar(select(Invitation))
        assert (invitation.state, invitation.uses_left) == ("accepted", 0)
        accepted = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.accepted"))
        assert accepted.actor_id == user.id
        assert accepted.target_id == invitation.id
        assert accepted.details == {"role": "member", "channel": "email", "new_account": True}
        created = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.created"))
        assert "example.org" not in str(created.details)  # no email addresses in the audit log

    # The link cannot be used twice.
    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_the_invitation_mail_does_not_name_the_group(world):
    app, slug = world
    invite_by_email(admin_client(app), slug, "someone@example.org")
    [mail] = outbox(app)
    text = mail.as_string()
    assert GROUP_NAME.lower() not in text.lower()
    assert slug not in text
    assert "/invite/" in text


def test_a_token_is_stored_only_as_its_hash(world):
    app, slug = world
    invite_by_email(admin_client(app), slug, "someone@example.org")
    token = link_in(outbox(app)[0]).rsplit("/", 1)[1]
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert token not in invitation.token_hash
        assert len(invitation.token_hash) == 64


# --- links that cannot be used ------------------------------------------------------------------------------


def test_an_expired_invitation_gets_a_clear_410_page_and_stores_nothing(world):
    app, slug = world
    invite_by_email(admin_client(app), slug, "late@example.org")
    path = link_in(outbox(app)[0])
    with app.app_context():
        db.session.scalar(select(Invitation)).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    users_before = count(app, User)

    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 410
    assert "expired" in page.get_data(as_text=True)
    assert "ask the person who invited you" in page.get_data(as_text=True).lower()
    assert visitor.post(path, data=accept_form()).status_code in (400, 410)  # no form token: refused either way
    assert count(app, User) == users_before


def test_a_revoked_invitation_stops_working_and_the_revoke_is_audited(world):
    app, slug = world
    admin = admin_client(app)
    invite_by_email(admin, slug, "maybe@example.org")
    path = link_in(outbox(app)[0])
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))

    response = post_form(admin, f"/g/{slug}/invitations/{invitation_id}/revoke", {}, form_page=f"/g/{slug}/invitations")
    assert response.status_code == 303
    assert "invitation.revoked" in audit_actions(app)

    page = app.test_client().get(path)
    assert page.status_code == 410
    assert "withdrawn" in page.get_data(as_text=True)


def test_an_unknown_token_gets_a_clear_404_page(app):
    page = app.test_client().get("/invite/not-a-real-token")
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "could not find this invitation" in text
    assert "Traceback" not in text


def test_resending_makes_a_new_link_and_the_old_one_dies(world):
    app, slug = world
    admin = admin_client(app)
    invite_by_email(admin, slug, "again@example.org")
    old_path = link_in(outbox(app)[0])
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))

    response = post_form(admin, f"/g/{slug}/invitations/{invitation_id}/resend", {}, form_page=f"/g/{slug}/invitations")
    assert response.status_code == 303
    new_path = link_in(outbox(app)[1])
    assert new_path != old_path
    assert app.test_client().get(old_path).status_code == 404
    assert app.test_client().get(new_path).status_code == 200
    assert "invitation.resent" in audit_actions(app)


# --- codes --------------------------------------------------------------------------------------------------


def test_a_code_for_two_people_refuses_the_third(db_world):
    app, slug = db_world
    code = create_code(admin_client(app), slug, max_uses="2")
    assert "invitation.created" in audit_actions(app)

    first = app.test_client()  # types the code, in lower case and without dashes
    response = post_form(first, "/join", {"code": code.replace("-", "").lower()})
    assert response.status_code == 303
    assert post_form(first, response.headers["Location"], accept_form("first")).status_code == 303

    second = app.test_client()  # follows the link
    assert post_form(second, f"/invite/{code}", accept_form("second")).status_code == 303

    third = app.test_client()
    page = third.get(f"/invite/{code}")
    assert page.status_code == 410
    assert "already been used" in page.get_data(as_text=True)
    refused = post_form(third, "/join", {"code": code})
    assert refused.status_code == 400
    assert "already been used" in refused.get_data(as_text=True)
    assert count(app, User, User.username_key == "third") == 0
    assert count(app, Membership) == 4  # ravi, sam, first, second


def test_a_signed_in_member_just_joins_with_no_new_account(world):
    app, _ = world
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username_key == "boss"))
        other = make_group(admin, "Another circle")
        code = invitation_staff.create_code_invitation(admin, other, "member").code
        db.session.commit()
        other_slug = other.slug
    users_before = count(app, User)

    sam = app.test_client()
    sign_in(sam, "sam")
    page = sam.get(f"/invite/{code}")
    assert page.status_code == 200
    assert "Join Another circle" in page.get_data(as_text=True)
    response = post_form(sam, f"/invite/{code}", {})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/g/{other_slug}"
    assert sam.get(f"/g/{other_slug}").status_code == 200
    assert count(app, User) == users_before
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.accepted"))
        assert entry.details["new_account"] is False

    # Opening it again says so, and takes no second use.
    again = post_form(sam, f"/invite/{code}", {})
    assert again.status_code == 400
    assert "already in this group" in again.get_data(as_text=True)


# --- many at once -------------------------------------------------------------------------------------------


def test_bulk_invite_answers_row_by_row_and_stores_only_the_good_rows(world):
    app, slug = world
    pasted = "ann@example.org\nnot an email\n\nANN@example.org\nsam@example.org\nbob@example.org\n"
    data = {"action": "bulk", "bulk-emails": pasted, "bulk-role": "member", "bulk-days": "7"}
    response = post_form(admin_client(app), f"/g/{slug}/invitations", data)
    assert response.status_code == 200
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", response.get_data(as_text=True))
    assert rows == [
        ("1", "ann@example.org", "invited"),
        ("2", "not an email", "invalid email"),
        ("4", "ann@example.org", "duplicate in list"),
        ("5", "sam@example.org", "already a member"),
        ("6", "bob@example.org", "invited"),
    ]
    assert count(app, Invitation) == 2
    assert sorted(mail["To"] for mail in outbox(app)) == ["ann@example.org", "bob@example.org"]
    assert audit_actions(app).count("invitation.created") == 2


def test_bulk_invite_reads_a_csv_with_an_email_column(world):
    app, slug = world
    pasted = "name,email\nAnn,ann@example.org\nBob,bob-at-example\n"
    data = {"action": "bulk", "bulk-emails": pasted, "bulk-role": "member", "bulk-days": "7"}
    response = post_form(admin_client(app), f"/g/{slug}/invitations", data)
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", response.get_data(as_text=True))
    assert rows == [("2", "ann@example.org", "invited"), ("3", "bob-at-example", "invalid email")]
    assert count(app, Invitation) == 1


# --- who may invite -----------------------------------------------------------------------------------------


def test_a_moderator_invites_members_only_and_only_when_the_admin_allows_it(world):
    app, slug = world
    ravi = app.test_client()
    sign_in(ravi, "ravi")
    assert "Invite people" in ravi.get(f"/g/{slug}").get_data(as_text=True)
    page = ravi.get(f"/g/{slug}/invitations")
    assert page.status_code == 200
    assert 'value="moderator"' not in page.get_data(as_text=True)

    assert invite_by_email(ravi, slug, "friend@example.org").status_code == 303
    refused = invite_by_email(ravi, slug, "boss2@example.org", role="moderator")
    assert refused.status_code == 400
    with app.app_context():
        ravi_user = db.session.scalar(select(User).where(User.username_key == "ravi"))
        group = db.session.scalar(select(Group).where(Group.slug == slug))
        with pytest.raises(DomainError):
            invitation_staff.create_email_invitation(ravi_user, group, "boss3@example.org", "moderator")
        db.session.rollback()
        assert db.session.scalar(select(Invitation.role)) == "member"
        group.moderators_can_invite = False
        db.session.commit()

    assert ravi.get(f"/g/{slug}/invitations").status_code == 404
    assert "Invite people" not in ravi.get(f"/g/{slug}").get_data(as_text=True)
    assert invite_by_email_status(ravi, slug) == 404


def invite_by_email_status(client, slug: str) -> int:
    data = {"action": "email", "email-email": "x@example.org", "email-role": "member", "email-days": "7"}
    return client.post(f"/g/{slug}/invitations", data={**data, "csrf_token": _any_token(client)}).status_code


def _any_token(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_a_plain_member_and_an_outsider_cannot_reach_the_invitations_page(world):
    app, slug = world
    sam = app.test_client()
    sign_in(sam, "sam")
    assert sam.get(f"/g/{slug}/invitations").status_code == 404
    assert "Invite people" not in sam.get(f"/g/{slug}").get_data(as_text=True)
    with app.app_context():
        make_user("outsider")
    outsider = app.test_client()
    sign_in(outsider, "outsider")
    assert outsider.get(f"/g/{slug}/invitations").status_code == 404
    assert app.test_client().get(f"/g/{slug}/invitations").status_code == 302  # anonymous: sign in first


def test_an_admin_invites_a_moderator_who_needs_a_staff_length_password(world):
    app, slug = world
    invite_by_email(admin_client(app), slug, "nurse@example.org", role="moderator")
    path = link_in(outbox(app)[0])
    visitor = app.test_client()
    short = post_form(visitor, path, accept_form("nurse", password="ten chars!"))
    assert short.status_code == 400
    assert "at least 12 characters" in short.get_data(as_text=True)
    assert post_form(visitor, path, accept_form("nurse")).status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username_key == "nurse"))
        assert db.session.scalar(select(Membership.role).where(Membership.user_id == user.id)) == "moderator"


# --- bad input on the accept form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "sam"}, "That username is taken"),
        ({"display_name": "Moderator Anna"}, "could be mistaken for a staff member"),
        ({"display_name": "Ann\u200ba"}, "invisible or control character"),
        ({"username": "an\u200bna"}, "invisible or control character"),
        ({"password": "short"}, "at least 8 characters"),
        ({"consent": None}, "Tick the box to agree"),
        ({"year_of_birth": "1850"}, "Enter a year between 1900"),
        ({"year_of_birth": "soon"}, "Enter a year between 1900"),
    ],
)
def test_bad_input_on_the_accept_form_keeps_the_input_and_stores_nothing(world, overrides, message):
    app, slug = world
    invite_by_email(admin_client(app), slug, "careful@example.org")
    path = link_in(outbox(app)[0])
    users_before, audit_before = count(app, User), len(audit_actions(app))
    form = accept_form(**{"username": "careful_one", **overrides})

    response = post_form(app.test_client(), path, form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'aria-invalid="true"' in html or 'role="alert"' in html
    assert f'value="{form["display_name"]}"' in html  # what they typed is kept ...
    assert form["password"] not in html  # ... except the password
    assert count(app, User) == users_before
    assert len(audit_actions(app)) == audit_before
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert (invitation.state, invitation.uses_left) == ("open", 1)


def test_the_language_list_shows_each_language_in_its_own_words(world):
    app, slug = world
    invite_by_email(admin_client(app), slug, "lang@example.org")
    html = app.test_client().get(link_in(outbox(app)[0])).get_data(as_text=True)
    for native in ("English", "Nederlands", "Türkçe", "Polski", "العربية"):
        assert native in html


# --- two people, one last use -------------------------------------------------------------------------------


@pytest.fixture
def postgres_app(postgres_url):
    from tests.conftest import _fresh_schema, build_app

    yield from _fresh_schema(build_app(postgres_url))


def test_two_people_cannot_both_take_the_last_use(postgres_app):
    """On PostgreSQL, two transactions race for the last use; the database lets exactly one through."""
    app = postgres_app
    with app.app_context():
        admin = make_user("boss", admin=True)
        group = make_group(admin, GROUP_NAME)
        code = invitation_staff.create_code_invitation(admin, group, "member", max_uses=1).code
        db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def accept(name: str) -> None:
        with app.test_request_context():
            try:
                invitations.find_invitation(code)
                barrier.wait(timeout=10)  # both have seen one use left; now both try to take it
                invitations.accept_with_new_account(
                    code, username=name, display_name=name.title(), password=NEW_PASSWORD,
                    language="en", year_of_birth=None, form_data={"consent": True},
                )  # fmt: skip
                db.session.commit()
                outcomes.append("joined")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=accept, args=(name,)) for name in ("racer_one", "racer_two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["joined", "refused"]
    assert count(app, Membership) == 1
    assert count(app, User) == 2  # the admin and the one who got in
