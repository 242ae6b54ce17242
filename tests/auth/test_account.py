"""The member's own account: editing the profile, seeing other members' profiles, changing the password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.auth.models import User, UserSession
from community.core.audit import AuditEntry
from community.extensions import db
from tests.factories import PASSWORD, add_to_group, make_group, make_user, post_form, sign_in

NEW_PASSWORD = "a-brand-new-long-secret"


def _profile_form(**changes: str) -> dict:
    data = {"display_name": "Sam", "pronouns": "", "bio": "", "language": "en", "email": "", "current_password": ""}
    return {**data, **changes}


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


# --- profile ----------------------------------------------------------------------------------------------


def test_a_member_edits_their_profile_and_sees_it_saved(db_app):
    client = db_app.test_client()
    with db_app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    response = post_form(
        client,
        "/account/profile",
        _profile_form(
            display_name="  Ｓａｍ  the   Brave ", pronouns="they/them", bio="Hello.\nI like <b>tea</b>.", language="nl"
        ),
    )
    assert response.status_code == 302
    with db_app.app_context():
        sam = _user("sam")
        assert (sam.display_name, sam.pronouns, sam.language) == ("Sam the Brave", "they/them", "nl")
        assert sam.bio == "Hello.\nI like <b>tea</b>."
    html = client.get("/account/profile").get_data(as_text=True)
    assert 'value="Sam the Brave"' in html
    assert 'lang="nl"' in html, "the chosen language applies at once"


def test_the_language_list_names_each_language_in_itself(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    html = client.get("/account/profile").get_data(as_text=True)
    assert "Nederlands" in html and "Türkçe" in html and "Polski" in html


BAD_PROFILES = [
    ("zero-width space", {"display_name": "Sa\u200bm"}, "invisible or control character", "display_name"),
    ("bidi override", {"display_name": "Sam\u202eevil"}, "invisible or control character", "display_name"),
    ("display name too long", {"display_name": "S" * 41}, "2 to 40 characters", "display_name"),
    ("display name too short", {"display_name": "S"}, "2 to 40 characters", "display_name"),
    ("staff-looking name", {"display_name": "Moderator Sam"}, "mistaken for a staff member", "display_name"),
    ("staff look-alike", {"display_name": "Adm1n"}, "mistaken for a staff member", "display_name"),
    ("staff look-alike with digits", {"display_name": "M0derat0r Kim"}, "mistaken for a staff member", "display_name"),
    ("pronouns too long", {"pronouns": "x" * 41}, "40 characters or fewer", "pronouns"),
    ("bio too long", {"bio": "x" * 501}, "500 characters or fewer", "bio"),
    ("unknown language", {"language": "xx"}, "Not a valid choice", "language"),
    ("email without password", {"email": "new@example.org"}, "type your current password", "current_password"),
    ("email, wrong password", {"email": "new@example.org", "current_password": "wrong"}, "type your current", None),
    ("not an email", {"email": "not-an-email", "current_password": PASSWORD}, "does not look like an email", "email"),
    ("taken email", {"email": "Taken@Example.org", "current_password": PASSWORD}, "belongs to another", "email"),
]


def _case_names(cases: list) -> list[str]:
    return [case.values[0] if hasattr(case, "marks") else case[0] for case in cases]


@pytest.mark.parametrize(("case", "changes", "message", "field"), BAD_PROFILES, ids=_case_names(BAD_PROFILES))
def test_a_bad_profile_is_refused_keeps_the_input_and_stores_nothing(db_app, case, changes, message, field):
    client = db_app.test_client()
    with db_app.app_context():
        make_user("sam", email="sam@example.org")
        make_user("other", email="taken@example.org")
    sign_in(client, "sam")
    form = _profile_form(**{"pronouns": "she/her", "bio": "Changed bio", "email": "sam@example.org", **changes})
    response = post_form(client, "/account/profile", form)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'aria-invalid="true"' in html
    if field:
        assert f'id="{field}-error"' in html, "the message is tied to the field it is about"
    kept = "Changed bio" if "bio" not in changes else 'value="she/her"'
    assert kept in html, "what the person typed is kept"
    assert PASSWORD not in html, "a password is never sent back"
    with db_app.app_context():
        sam = _user("sam")
        assert (sam.display_name, sam.pronouns, sam.bio, sam.email) == ("Sam", "", "", "sam@example.org")
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.email_changed")) is None


def test_a_moderator_may_use_a_staff_word_in_their_name(app, client):
    with app.app_context():
        admin = make_user("admin1", admin=True, display_name="Admin One")
        sam = make_user("sam")
        add_to_group(admin, make_group(admin), sam, role="moderator")
    sign_in(client, "sam")
    assert post_form(client, "/account/profile", _profile_form(display_name="Moderator Sam")).status_code == 302


def test_changing_the_email_needs_the_current_password_and_is_audited_without_the_address(db_app):
    client = db_app.test_client()
    with db_app.app_context():
        make_user("sam", email="sam@example.org")
    sign_in(client, "sam")
    form = _profile_form(email="New@Example.org", current_password=PASSWORD)
    assert post_form(client, "/account/profile", form).status_code == 302
    with db_app.app_context():
        assert _user("sam").email == "new@example.org"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.email_changed"))
        assert entry is not None and "example.org" not in str(entry.payload())


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get("/account/profile").status_code == 302


# --- other members' profiles ------------------------------------------------------------------------------


@pytest.fixture
def people(app):
    """An admin, and Sam and Kim in one group; Lou is in another group only."""
    with app.app_context():
        admin = make_user("admin1", admin=True, display_name="Admin One")
        sam = make_user("sam", email="sam@example.org")
        kim = make_user("kim")
        lou = make_user("lou")
        sam.pronouns, sam.bio = "they/them", "I like <script>tea</script>.\nEvery day."
        db.session.commit()
        circle, other = make_group(admin, "Circle"), make_group(admin, "Other")
        for person in (sam, kim, admin):
            add_to_group(admin, circle, person)
        add_to_group(admin, other, lou)
        return {"sam": sam.id, "kim": kim.id, "lou": lou.id}


def test_a_member_who_shares_a_group_sees_the_profile_but_not_the_email(app, client, people):
    sign_in(client, "kim")
    response = client.get(f"/people/{people['sam']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Sam" in html and "they/them" in html and "Circle" in html
    assert "&lt;script&gt;tea&lt;/script&gt;" in html and "<script>tea" not in html, "the bio is escaped text"
    assert "sam@example.org" not in html and "Only admins see this" not in html


def test_a_member_without_a_shared_group_gets_not_found(app, client, people):
    sign_in(client, "lou")
    assert client.get(f"/people/{people['sam']}").status_code == 404
    assert client.get("/people/999999").status_code == 404, "the same answer as for nobody at all"


def test_an_admin_sees_the_username_and_email(app, client, people):
    sign_in(client, "admin1")
    html = client.get(f"/people/{people['sam']}").get_data(as_text=True)
    assert "sam@example.org" in html and "Only admins see this" in html


def test_a_suspended_member_is_not_shown(app, client, people):
    with app.app_context():
        db.session.get(User, people["sam"]).state = "suspended"
        db.session.commit()
    sign_in(client, "kim")
    assert client.get(f"/people/{people['sam']}").status_code == 404


def test_a_member_sees_their_own_profile(app, client, people):
    sign_in(client, "lou")
    assert client.get(f"/people/{people['lou']}").status_code == 200


# --- password change --------------------------------------------------------------------------------------


def test_changing_the_password_rotates_the_session_and_signs_out_everywhere_else(db_app):
    here, elsewhere = db_app.test_client(), db_app.test_client()
    with db_app.app_context():
        make_user("sam")
    sign_in(here, "sam")
    sign_in(elsewhere, "sam")
    old_cookie = here.get_cookie("kring_session").value
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}

    response = post_form(here, "/account/password", form)

    assert response.status_code == 302
    assert "Your password is changed" in here.get(response.headers["Location"]).get_data(as_text=True)
    assert here.get_cookie("kring_session").value != old_cookie
    assert here.get("/").status_code == 200, "this browser stays signed in, on a new session"
    assert elsewhere.get("/").status_code == 302, "the other browser is signed out"
    thief = db_app.test_client()
    thief.set_cookie("kring_session", old_cookie)
    assert thief.get("/").status_code == 302, "the old cookie of this browser is dead too"
    with db_app.app_context():
        sessions = db.session.scalars(select(UserSession)).all()
        assert sum(1 for row in sessions if row.ended_at is None) == 1
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_changed"))
        assert entry is not None and entry.actor_id == entry.target_id == _user("sam").id
    assert post_form(db_app.test_client(), "/login", {"login": "sam", "password": NEW_PASSWORD}).status_code == 302


BAD_PASSWORD_CHANGES = [
    ("wrong current", {"current_password": "not-it"}, "current password is not right", "current_password"),
    ("too short", {"new_password": "short", "new_password_again": "short"}, "at least 8", "new_password"),
    ("mismatch", {"new_password_again": NEW_PASSWORD + "x"}, "not the same", "new_password_again"),
    ("empty", {"new_password": "", "new_password_again": ""}, "This field is required", "new_password"),
]


@pytest.mark.parametrize(
    ("case", "changes", "message", "field"), BAD_PASSWORD_CHANGES, ids=_case_names(BAD_PASSWORD_CHANGES)
)
def test_a_bad_password_change_is_refused_and_changes_nothing(db_app, case, changes, message, field):
    client = db_app.test_client()
    with db_app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD, **changes}
    response = post_form(client, "/account/password", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and f'id="{field}-error"' in html
    assert NEW_PASSWORD not in html and PASSWORD not in html
    assert client.get("/").status_code == 200, "still signed in on the same session"
    with db_app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_changed")) is None
    assert post_form(db_app.test_client(), "/login", {"login": "sam", "password": PASSWORD}).status_code == 302


def test_staff_need_a_twelve_character_password(app, client):
    with app.app_context():
        make_user("admin1", admin=True, display_name="Admin One")
    sign_in(client, "admin1")
    form = {"current_password": PASSWORD, "new_password": "elevenchars", "new_password_again": "elevenchars"}
    response = post_form(client, "/account/password", form)
    assert response.status_code == 400 and "at least 12 characters" in response.get_data(as_text=True)


def test_the_account_menu_marks_the_current_page(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    html = client.get("/account/password").get_data(as_text=True)
    assert 'href="/account/profile" aria-current="page">My account' in html
    assert 'href="/account/password" aria-current="page">Password' in html
