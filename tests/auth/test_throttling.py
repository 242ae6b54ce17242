"""Sign-in throttling: guessing slows down per account and per client, and the owner is never locked out for good."""

from __future__ import annotations

import itertools
from datetime import timedelta

from community.core import time as clock
from tests.factories import PASSWORD, make_user, post_form

TOO_MANY = "Too many attempts. Wait a few minutes and try again."
REFUSED = "That username or password is not right."


def attempt(client, login: str, password: str):
    return post_form(client, "/login", {"login": login, "password": password})


_addresses = itertools.count(1)


def elsewhere(app):
    """A client from another address, like a guesser spread over many machines: the per-client limit
    (10 a minute) does not stop it, the per-account back-off must."""
    number, client = next(_addresses), app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.0.{number // 250}.{number % 250 + 1}"
    return client


def fail_five_times(app, login: str = "sam") -> None:
    for number in range(5):
        response = attempt(elsewhere(app), login, f"wrong-guess-{number}")
        assert REFUSED in response.get_data(as_text=True)


def move_clock(monkeypatch, **delta) -> None:
    later = clock.utcnow() + timedelta(**delta)
    monkeypatch.setattr(clock, "utcnow", lambda: later)


def outbox(app) -> list:
    return app.extensions.setdefault("kring_outbox", [])


def test_after_five_failures_even_the_right_password_is_refused_for_a_while(db_app):
    with db_app.app_context():
        make_user("sam", email="sam@example.org")
    fail_five_times(db_app)

    response = attempt(elsewhere(db_app), "sam", PASSWORD)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert TOO_MANY in html and 'value="sam"' in html, "the form keeps the login"
    assert attempt(elsewhere(db_app), "SAM", PASSWORD).status_code == 429, "any spelling of the account"
    assert attempt(elsewhere(db_app), "sam@example.org", PASSWORD).status_code == 429, "or its email"


def test_the_back_off_ends_by_itself_and_the_owner_signs_in(db_app, monkeypatch):
    with db_app.app_context():
        make_user("sam")
    fail_five_times(db_app)
    move_clock(monkeypatch, seconds=61)
    assert attempt(elsewhere(db_app), "sam", PASSWORD).status_code == 302


def test_a_success_wipes_the_slate_clean(app, monkeypatch):
    with app.app_context():
        make_user("sam")
    fail_five_times(app)
    move_clock(monkeypatch, seconds=61)
    assert attempt(elsewhere(app), "sam", PASSWORD).status_code == 302
    for number in range(4):
        attempt(elsewhere(app), "sam", f"typo-{number}")
    assert attempt(elsewhere(app), "sam", PASSWORD).status_code == 302, "four new typos do not slow anyone"


def test_each_new_back_off_is_longer_up_to_fifteen_minutes(app, monkeypatch):
    with app.app_context():
        make_user("sam")
    fail_five_times(app)
    waited = 0
    for minutes in (1, 2, 4, 8, 15, 15):
        waited += minutes * 60
        move_clock(monkeypatch, seconds=waited - 1)
        assert TOO_MANY in attempt(elsewhere(app), "sam", PASSWORD).get_data(as_text=True), minutes
        monkeypatch.undo()
        move_clock(monkeypatch, seconds=waited + 1)
        # One more wrong guess after the back-off: the failures are still recent, so a longer back-off starts.
        assert REFUSED in attempt(elsewhere(app), "sam", "another-wrong-guess").get_data(as_text=True)
        monkeypatch.undo()


def test_unknown_accounts_are_slowed_down_the_same_way(app):
    fail_five_times(app, login="nobody")
    assert TOO_MANY in attempt(elsewhere(app), "nobody", PASSWORD).get_data(as_text=True)


def test_the_owner_gets_exactly_one_email_with_a_reset_link(db_app):
    with db_app.app_context():
        make_user("sam", email="sam@example.org", display_name="Sam Secret")
    fail_five_times(db_app)
    for _ in range(3):
        attempt(elsewhere(db_app), "sam", "still-guessing")
    [message] = outbox(db_app)
    assert message["To"] == "sam@example.org"
    assert "Someone tried to sign in to your account" in message["Subject"]
    body = message.get_content()
    assert "http://localhost/reset-password" in body
    assert "wrong-guess" not in body and "Sam Secret" not in body and "127.0.0.1" not in body


def test_an_account_without_email_is_slowed_down_without_a_mail(app):
    with app.app_context():
        make_user("sam")
    fail_five_times(app)
    assert TOO_MANY in attempt(elsewhere(app), "sam", PASSWORD).get_data(as_text=True)
    assert outbox(app) == []


def test_a_password_reset_lifts_the_back_off(app):
    import re

    with app.app_context():
        make_user("sam", email="sam@example.org")
    fail_five_times(app)
    client = app.test_client()
    post_form(client, "/reset-password", {"login": "sam"})
    path = re.search(r"http://localhost(/reset-password/\S+)", outbox(app)[-1].get_content()).group(1)
    post_form(client, path, {"password": "my new pass phrase", "password_again": "my new pass phrase"})
    assert attempt(elsewhere(app), "sam", "my new pass phrase").status_code == 302


def test_the_eleventh_sign_in_in_a_minute_from_one_client_answers_429(app, client):
    with app.app_context():
        make_user("sam")
    for number in range(10):
        assert attempt(client, f"someone-{number}", "wrong-password").status_code == 400
    response = attempt(client, "sam", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_with_redis_the_counters_live_in_redis_with_an_expiry_and_no_address(redis_url):
    """REDIS_URL set: every server process shares the same back-off, and the counters clean themselves up."""
    import redis

    from tests.conftest import _fresh_schema, build_app

    connection = redis.Redis.from_url(redis_url)
    for app in _fresh_schema(build_app("sqlite://", RATELIMIT_STORAGE_URI=redis_url)):
        with app.app_context():
            user_id = make_user("sam").id
        try:
            fail_five_times(app)
            assert TOO_MANY in attempt(elsewhere(app), "sam", PASSWORD).get_data(as_text=True)
            keys = [key.decode() for key in connection.scan_iter(f"*kring-signin:*:user:{user_id}")]
            assert any(":until:" in key for key in keys), keys
            assert all(0 < connection.ttl(key) <= 24 * 3600 for key in keys), "every counter expires by itself"
            assert not [key for key in connection.scan_iter("*kring-signin*") if b"127.0.0.1" in key]
        finally:
            for key in connection.scan_iter("*kring-signin*"):
                connection.delete(key)
