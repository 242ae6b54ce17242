"""Signing in and out: same answer for unknown account and wrong password, server-side sessions."""

from __future__ import annotations

from sqlalchemy import select

from community.auth.models import UserSession
from community.extensions import db
from tests.factories import PASSWORD, make_user, post_form, sign_in


def test_a_member_signs_in_with_username_or_email_and_lands_on_their_groups(db_app):
    client = db_app.test_client()
    with db_app.app_context():
        make_user("sam", email="Sam@Example.org")
    response = post_form(client, "/login", {"login": "SAM", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "My groups" in client.get("/").get_data(as_text=True)

    other = db_app.test_client()
    assert post_form(other, "/login", {"login": "sam@example.org", "password": PASSWORD}).status_code == 302


def test_unknown_account_and_wrong_password_get_the_same_answer(app, client):
    with app.app_context():
        make_user("sam")
    wrong_password = post_form(client, "/login", {"login": "sam", "password": "not-the-password"})
    unknown = post_form(client, "/login", {"login": "nobody", "password": "not-the-password"})
    assert wrong_password.status_code == unknown.status_code == 400
    message = "That username or password is not right."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_the_form_keeps_the_login_but_never_the_password(app, client):
    with app.app_context():
        make_user("sam")
    html = post_form(client, "/login", {"login": "sam", "password": "wrong-password-1"}).get_data(as_text=True)
    assert 'value="sam"' in html
    assert "wrong-password-1" not in html
    assert 'aria-invalid="true"' in html


def test_empty_fields_are_refused_with_a_message(client):
    response = post_form(client, "/login", {"login": "", "password": ""})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_a_suspended_account_cannot_sign_in(app, client):
    with app.app_context():
        user = make_user("sam")
        user.state = "suspended"
        db.session.commit()
    assert post_form(client, "/login", {"login": "sam", "password": PASSWORD}).status_code == 400


def test_sign_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    stolen = client.get_cookie("kring_session").value

    response = post_form(client, "/logout", {}, form_page="/")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'

    thief = app.test_client()
    thief.set_cookie("kring_session", stolen)
    assert thief.get("/").status_code == 302, "the copied cookie must not open the site after sign-out"
    with app.app_context():
        assert db.session.scalar(select(UserSession.ended_at)) is not None


def test_sign_in_starts_a_new_session_each_time(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    before = client.get_cookie("kring_session").value
    post_form(client, "/logout", {}, form_page="/")
    sign_in(client, "sam")
    assert client.get_cookie("kring_session").value != before
    with app.app_context():
        assert len(db.session.scalars(select(UserSession)).all()) == 2


def test_suspending_an_account_ends_access_at_the_next_request(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    assert client.get("/").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(UserSession)).user
        user.state = "suspended"
        db.session.commit()
    assert client.get("/").status_code == 302


def test_an_idle_session_expires(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    with client.session_transaction() as session:
        session["kring_seen"] = session["kring_seen"] - app.config["SESSION_IDLE_SECONDS"] - 1
    assert client.get("/").status_code == 302


def test_the_absolute_session_lifetime_ends_even_an_active_session(app, client):
    from datetime import timedelta

    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    with app.app_context():
        row = db.session.scalar(select(UserSession))
        row.created_at -= timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"] + 1)
        db.session.commit()
    assert client.get("/").status_code == 302


def test_next_parameter_only_redirects_within_the_site(app, client):
    with app.app_context():
        make_user("sam")
    evil = post_form(client, "/login?next=//evil.example/", {"login": "sam", "password": PASSWORD}, form_page="/login")
    assert evil.headers["Location"] == "/"


def test_passwords_are_stored_as_argon2id_hashes(app):
    with app.app_context():
        user = make_user("sam")
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_a_suspension_with_an_end_date_lifts_itself_at_the_next_sign_in(db_app):
    from datetime import timedelta

    from community.auth.models import User
    from community.core.audit import AuditEntry
    from community.core.time import utcnow

    client = db_app.test_client()
    with db_app.app_context():
        user = make_user("sam")
        user_id = user.id
        user.state, user.state_until = "suspended", utcnow() + timedelta(days=1)
        db.session.commit()
    assert post_form(client, "/login", {"login": "sam", "password": PASSWORD}).status_code == 400, "not yet"
    with db_app.app_context():
        db.session.get(User, user_id).state_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert post_form(client, "/login", {"login": "sam", "password": PASSWORD}).status_code == 302
    with db_app.app_context():
        assert db.session.get(User, user_id).state == "active"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.suspension_ended"))
        assert entry is not None and entry.actor_id is None and entry.target_id == user_id


def test_an_open_ended_suspension_does_not_lift_itself(app, client):
    with app.app_context():
        user = make_user("sam")
        user.state = "suspended"
        db.session.commit()
    assert post_form(client, "/login", {"login": "sam", "password": PASSWORD}).status_code == 400
