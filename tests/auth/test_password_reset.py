"""Password reset by email: one answer for everyone, a short-lived single-use link, every session ended."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.auth.models import User, UserSession
from community.auth.reset_models import PasswordResetToken
from community.core import time as clock
from community.core.audit import AuditEntry
from community.extensions import db
from tests.factories import PASSWORD, make_user, post_form, sign_in

SAME_ANSWER = "If an account with an email address matches, we sent a link to it."
NEW_PASSWORD = "a brand new pass phrase"


def outbox(app) -> list:
    return app.extensions.setdefault("kring_outbox", [])


def ask_for_link(client, login: str):
    return post_form(client, "/reset-password", {"login": login})


def link_path(message) -> str:
    match = re.search(r"http://localhost(/reset-password/[A-Za-z0-9_-]+)", message.get_content())
    assert match, "the mail carries a reset link"
    return match.group(1)


def choose(client, path: str, password: str, again: str | None = None):
    return post_form(client, path, {"password": password, "password_again": password if again is None else again})


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_member_resets_their_password_from_the_emailed_link_and_signs_in_with_it(db_app):
    client = db_app.test_client()
    with db_app.app_context():
        make_user("sam", email="sam@example.org")
    assert 'href="/reset-password"' in client.get("/login").get_data(as_text=True), "the sign-in page links here"

    response = ask_for_link(client, "sam")
    assert response.status_code == 200
    assert SAME_ANSWER in response.get_data(as_text=True)
    [message] = outbox(db_app)
    assert message["To"] == "sam@example.org"
    path = link_path(message)

    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    done = choose(client, path, NEW_PASSWORD)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert "Your new password is saved" in client.get("/login").get_data(as_text=True)

    fresh = db_app.test_client()
    assert post_form(fresh, "/login", {"login": "sam", "password": PASSWORD}).status_code == 400
    sign_in(fresh, "sam", NEW_PASSWORD)
    with db_app.app_context():
        user = db.session.scalar(select(User).where(User.username == "sam"))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_reset"))
        assert entry is not None and entry.actor_id == entry.target_id == user.id
        assert NEW_PASSWORD not in str(entry.details) and "sam@example.org" not in str(entry.details)
        stored = db.session.scalar(select(PasswordResetToken))
        assert stored.used_at is not None
        assert path.rsplit("/", 1)[1] not in stored.token_hash, "only the token's hash is stored"


def test_the_link_works_once(db_app):
    client = db_app.test_client()
    with db_app.app_context():
        make_user("sam", email="sam@example.org")
    ask_for_link(client, "sam@example.org")
    path = link_path(outbox(db_app)[0])
    assert choose(client, path, NEW_PASSWORD).status_code == 302

    again = client.get(path)
    assert again.status_code == 410
    assert "This link was used already" in again.get_data(as_text=True)


def test_an_expired_link_gets_a_clear_page_and_changes_nothing(db_app, monkeypatch):
    client = db_app.test_client()
    with db_app.app_context():
        make_user("sam", email="sam@example.org")
    ask_for_link(client, "sam")
    path = link_path(outbox(db_app)[0])
    page = client.get(path)  # the form's CSRF token comes from here, while the link still works

    later = clock.utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    expired = client.get(path)
    assert expired.status_code == 410
    assert "This link has expired" in expired.get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    posted = client.post(path, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "csrf_token": token})
    assert posted.status_code == 410
    monkeypatch.undo()
    sign_in(db_app.test_client(), "sam")  # the old password still works


def test_an_unknown_link_answers_404_with_a_clear_page(client):
    response = client.get("/reset-password/not-a-real-token")
    assert response.status_code == 404
    assert "We do not know this link" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("login", ["nobody", "nobody@example.org", "no-email"])
def test_unknown_accounts_and_accounts_without_email_get_the_same_answer_and_no_mail(app, client, login):
    with app.app_context():
        make_user("no-email")
    response = ask_for_link(client, login)
    assert response.status_code == 200
    assert SAME_ANSWER in response.get_data(as_text=True)
    assert outbox(app) == []
    assert count(app, PasswordResetToken) == 0


def test_an_empty_request_is_refused_with_a_message(client):
    response = ask_for_link(client, "")
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_at_most_three_mails_per_hour_reach_one_account_and_the_answer_stays_the_same(app, client):
    with app.app_context():
        make_user("sam", email="sam@example.org")
    for _ in range(4):
        response = ask_for_link(client, "sam")
        assert SAME_ANSWER in response.get_data(as_text=True)
    assert len(outbox(app)) == 3


def test_the_request_form_is_rate_limited_per_client(app, client):
    for _ in range(5):
        assert ask_for_link(client, "nobody").status_code == 200
    assert ask_for_link(client, "nobody").status_code == 429


def test_a_reset_ends_every_session_so_an_old_cookie_stops_working(db_app):
    with db_app.app_context():
        make_user("sam", email="sam@example.org")
    phone, laptop = db_app.test_client(), db_app.test_client()
    sign_in(phone, "sam")
    sign_in(laptop, "sam")
    assert phone.get("/").status_code == 200

    stranger = db_app.test_client()
    ask_for_link(stranger, "sam")
    choose(stranger, link_path(outbox(db_app)[0]), NEW_PASSWORD)

    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302
    assert count(db_app, UserSession, UserSession.ended_at.is_(None)) == 0


def test_using_one_link_invalidates_the_other_open_links(db_app):
    client = db_app.test_client()
    with db_app.app_context():
        make_user("sam", email="sam@example.org")
    ask_for_link(client, "sam")
    ask_for_link(client, "sam")
    first, second = (link_path(message) for message in outbox(db_app))
    assert choose(client, second, NEW_PASSWORD).status_code == 302
    assert client.get(first).status_code == 410
    assert count(db_app, PasswordResetToken, PasswordResetToken.used_at.is_(None)) == 0


@pytest.mark.parametrize(
    ("password", "again", "message", "field"),
    [
        ("short", None, "Choose a password of at least 8 characters.", "password"),
        ("x" * 129, None, "A password can be at most 128 characters.", "password"),
        ("Password123", None, "This is one of the most common passwords", "password"),
        ("BASEBALL", None, "This is one of the most common passwords", "password"),
        ("sam-the-member", None, "Your password cannot be your username.", "password"),
        (NEW_PASSWORD, "a different phrase", "The two passwords are not the same.", "password_again"),
    ],
)
def test_weak_or_mismatched_passwords_are_refused_and_nothing_changes(db_app, password, again, message, field):
    client = db_app.test_client()
    with db_app.app_context():
        make_user("sam-the-member", email="sam@example.org")
    ask_for_link(client, "sam-the-member")
    path = link_path(outbox(db_app)[0])

    response = choose(client, path, password, again)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    assert password not in html, "a password is never sent back"
    assert client.get(path).status_code == 200, "the link still works for a second try"
    assert count(db_app, AuditEntry, AuditEntry.action == "account.password_reset") == 0
    sign_in(db_app.test_client(), "sam-the-member")  # the old password still works


def test_staff_need_twelve_characters(app, client):
    with app.app_context():
        make_user("jolien", admin=True, email="jolien@example.org")
    ask_for_link(client, "jolien")
    response = choose(client, link_path(outbox(app)[0]), "eleven-char")
    assert response.status_code == 400
    assert "Choose a password of at least 12 characters." in response.get_data(as_text=True)


def test_a_suspended_account_gets_no_mail(app, client):
    with app.app_context():
        user = make_user("sam", email="sam@example.org")
        user.state = "suspended"
        db.session.commit()
    assert SAME_ANSWER in ask_for_link(client, "sam").get_data(as_text=True)
    assert outbox(app) == []


def test_the_reset_mail_carries_a_link_and_nothing_else_personal(app, client):
    with app.app_context():
        make_user("sam", email="sam@example.org", display_name="Sam Secret")
    ask_for_link(client, "sam")
    body = outbox(app)[0].get_content()
    assert "Sam Secret" not in body and "sam@example.org" not in body
    assert "30 minutes" in body
