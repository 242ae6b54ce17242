"""Two-step sign-in: setting it up, the second step at sign-in, recovery codes, turning it off, staff rule."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from community.auth import policy, two_factor
from community.auth.models import User
from community.auth.two_factor_models import RecoveryCode, TwoFactorSetting
from community.core.audit import AuditEntry
from community.extensions import db
from community.groups.models import Membership
from tests.conftest import _fresh_schema, build_app
from tests.factories import PASSWORD, add_to_group, csrf_token, make_group, make_user, post_form, sign_in

ENROL = "/account/two-factor/enrol"
CHALLENGE = "/login/two-factor"


class FakeClock:
    """The two-factor module's clock, moved by hand so codes and time-outs are predictable."""

    def __init__(self) -> None:
        self.now = 1_750_000_020.0  # the start of a 30-second step

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 30) -> None:
        self.now += seconds

    def code(self, secret: str) -> str:
        return pyotp.TOTP(secret).at(int(self.now))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(two_factor, "clock", fake)
    return fake


@pytest.fixture
def strict_app() -> Iterator[Flask]:
    """An instance where staff must use two-step sign-in, as in production."""
    yield from _fresh_schema(build_app(STAFF_TWO_FACTOR_REQUIRED=True))


def enrol(client: FlaskClient, clock: FakeClock) -> tuple[str, list[str]]:
    """Turn two-step sign-in on for the signed-in member; return the secret and the recovery codes shown."""
    html = client.get(ENROL).get_data(as_text=True)
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", html).group(1).replace(" ", "")
    response = post_form(client, ENROL, {"code": clock.code(secret)})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", response.get_data(as_text=True))
    clock.tick()  # the code just used cannot be used again; the next one can
    return secret, codes


def enrolled_member(app: Flask, clock: FakeClock, username: str = "sam", **kw) -> tuple[str, list[str]]:
    with app.app_context():
        make_user(username, **kw)
    client = app.test_client()
    sign_in(client, username)
    return enrol(client, clock)


def password_step(app: Flask, username: str = "sam") -> FlaskClient:
    """A fresh browser that has given the right password and now stands at the second step."""
    client = app.test_client()
    response = post_form(client, "/login", {"login": username, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == CHALLENGE
    return client


def signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def audit_actions(app: Flask) -> list[tuple[str, int | None, dict]]:
    with app.app_context():
        return [(e.action, e.actor_id, e.details) for e in db.session.scalars(select(AuditEntry)).all()]


# --- setting it up ---------------------------------------------------------------------------------------


def test_a_member_turns_it_on_with_a_first_code_and_sees_ten_recovery_codes_once(db_app, clock):
    with db_app.app_context():
        user_id = make_user("sam").id
    client = db_app.test_client()
    sign_in(client, "sam")
    page = client.get(ENROL).get_data(as_text=True)
    assert "<svg" in page and "QR code for your authenticator app" in page

    secret, codes = enrol(client, clock)

    assert len(codes) == len(set(codes)) == 10
    settings = client.get("/account/two-factor").get_data(as_text=True)
    assert "Two-step sign-in is on." in settings and "Unused recovery codes: 10." in settings
    assert not any(code in settings for code in codes), "recovery codes are shown once only"
    with db_app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(stored) == 10 and not any(code.replace("-", "") in stored for code in codes)
    assert ("two_factor.enabled", user_id, {}) in audit_actions(db_app)
    assert secret not in str(audit_actions(db_app))


def test_reloading_the_set_up_page_keeps_the_same_key_so_a_scanned_code_still_works(app, clock):
    with app.app_context():
        make_user("sam")
    client = app.test_client()
    sign_in(client, "sam")
    first = re.search(r"<code>([A-Z2-7 ]+)</code>", client.get(ENROL).get_data(as_text=True)).group(1)
    second = re.search(r"<code>([A-Z2-7 ]+)</code>", client.get(ENROL).get_data(as_text=True)).group(1)
    assert first == second


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "This field is required."),
        ("000000", "That code is not right."),
        ("abcd-efgh-jkmn", "That code is not right."),
    ],
)
def test_a_wrong_first_code_leaves_it_off_and_says_what_to_do(app, clock, code, message):
    with app.app_context():
        make_user("sam")
    client = app.test_client()
    sign_in(client, "sam")
    client.get(ENROL)
    response = post_form(client, ENROL, {"code": code})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html and 'aria-invalid="true"' in html
    with app.app_context():
        row = db.session.scalar(select(TwoFactorSetting))
        assert row.enabled_at is None
        assert db.session.scalar(select(RecoveryCode)) is None


def test_the_set_up_pages_need_sign_in(client):
    assert client.get(ENROL).status_code == 302
    assert client.get("/account/two-factor").status_code == 302


# --- the second step at sign-in ----------------------------------------------------------------------------


def test_with_it_on_the_password_alone_does_not_sign_in_but_password_and_code_do(db_app, clock):
    secret, _ = enrolled_member(db_app, clock)
    client = password_step(db_app)
    assert not signed_in(client), "no session before the code"
    assert "Enter your code" in client.get(CHALLENGE).get_data(as_text=True)

    response = post_form(client, CHALLENGE, {"code": clock.code(secret)})

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in(client)


def test_the_second_step_returns_to_the_page_asked_for_and_never_to_another_site(app, clock):
    secret, _ = enrolled_member(app, clock)
    client = app.test_client()
    token = csrf_token(client, "/login")
    post = client.post(
        "/login?next=/account/two-factor", data={"login": "sam", "password": PASSWORD, "csrf_token": token}
    )
    assert post.headers["Location"] == CHALLENGE
    response = post_form(client, CHALLENGE, {"code": clock.code(secret)})
    assert response.headers["Location"] == "/account/two-factor"


def test_a_wrong_code_is_refused_with_a_clear_message_on_the_same_form(db_app, clock):
    enrolled_member(db_app, clock)
    client = password_step(db_app)
    response = post_form(client, CHALLENGE, {"code": "123456"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That code is not right." in html and 'aria-invalid="true"' in html
    assert not signed_in(client)
    with db_app.app_context():
        assert db.session.scalar(select(TwoFactorSetting.failed_attempts)) == 1


def test_a_code_cannot_be_used_twice(db_app, clock):
    secret, _ = enrolled_member(db_app, clock)
    code = clock.code(secret)
    assert post_form(password_step(db_app), CHALLENGE, {"code": code}).status_code == 302

    replay = post_form(password_step(db_app), CHALLENGE, {"code": code})

    assert replay.status_code == 400
    assert "That code was used already." in replay.get_data(as_text=True)


def test_a_code_from_one_step_either_side_is_accepted_but_not_from_further_away(app, clock):
    secret, _ = enrolled_member(app, clock)
    client = password_step(app)
    too_old = pyotp.TOTP(secret).at(int(clock.now) - 60)
    assert post_form(client, CHALLENGE, {"code": too_old}).status_code == 400
    slightly_ahead = pyotp.TOTP(secret).at(int(clock.now) + 30)  # a phone clock a little fast
    assert post_form(client, CHALLENGE, {"code": slightly_ahead}).status_code == 302


def test_a_recovery_code_signs_in_once(db_app, clock):
    _, codes = enrolled_member(db_app, clock)
    client = password_step(db_app)
    response = post_form(client, CHALLENGE, {"code": codes[0].upper()}, follow_redirects=True)
    assert "You used a recovery code. You have 9 left." in response.get_data(as_text=True)
    assert signed_in(client)

    again = post_form(password_step(db_app), CHALLENGE, {"code": codes[0]})
    assert again.status_code == 400 and "That code is not right." in again.get_data(as_text=True)
    assert "two_factor.recovery_code_used" in [action for action, _, _ in audit_actions(db_app)]


def test_the_second_step_expires_after_five_minutes(app, clock):
    secret, _ = enrolled_member(app, clock)
    client = password_step(app)
    clock.tick(5 * 60 + 1)

    response = post_form(client, CHALLENGE, {"code": clock.code(secret)}, form_page="/login")

    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert "Your sign-in took too long. Please sign in again." in html
    assert not signed_in(client)


def test_the_second_step_without_a_password_first_goes_back_to_sign_in(client):
    response = client.get(CHALLENGE)
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_a_member_suspended_between_password_and_code_is_not_signed_in(app, clock):
    secret, _ = enrolled_member(app, clock)
    client = password_step(app)
    with app.app_context():
        db.session.scalar(select(User)).state = "suspended"
        db.session.commit()
    response = post_form(client, CHALLENGE, {"code": clock.code(secret)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(client)


def test_five_wrong_codes_ask_for_the_password_again_and_tell_the_owner_by_email(app, clock):
    enrolled_member(app, clock, email="sam@example.org")
    client = password_step(app)
    token = csrf_token(client, CHALLENGE)
    answers = [client.post(CHALLENGE, data={"code": "000000", "csrf_token": token}) for _ in range(5)]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 302]
    assert answers[-1].headers["Location"] == "/login"
    assert client.get(CHALLENGE).status_code == 302, "the half-finished sign-in is gone"

    outbox = app.extensions.get("kring_outbox", [])
    assert len(outbox) == 1 and outbox[0]["To"] == "sam@example.org"
    body = outbox[0].get_content()
    assert "change your password" in body and "000000" not in body


def test_a_mail_server_that_is_down_does_not_break_the_second_step(app, clock):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens on port 1
    enrolled_member(app, clock, email="sam@example.org")
    client = password_step(app)
    token = csrf_token(client, CHALLENGE)
    answers = [client.post(CHALLENGE, data={"code": "000000", "csrf_token": token}) for _ in range(5)]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 302], "no error page when the warning fails"
    with app.app_context():
        assert db.session.scalar(select(TwoFactorSetting.failed_attempts)) == 5, "the count was kept"


def test_the_second_step_is_throttled(app, clock):
    enrolled_member(app, clock)
    client = password_step(app)
    token = csrf_token(client, CHALLENGE)
    statuses = [client.post(CHALLENGE, data={"code": "000000", "csrf_token": token}).status_code for _ in range(11)]
    assert 429 not in statuses[:10]
    assert statuses[10] == 429


# --- recovery codes and turning it off -------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(db_app, clock):
    with db_app.app_context():
        user_id = make_user("sam").id
    client = db_app.test_client()
    sign_in(client, "sam")
    secret, old_codes = enrol(client, clock)

    response = post_form(
        client, "/account/two-factor/recovery-codes", {"code": clock.code(secret)}, form_page="/account/two-factor"
    )
    assert response.status_code == 200
    new_codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)

    assert post_form(password_step(db_app), CHALLENGE, {"code": old_codes[0]}).status_code == 400
    assert post_form(password_step(db_app), CHALLENGE, {"code": new_codes[0]}).status_code == 302
    assert ("two_factor.recovery_codes_regenerated", user_id, {"count": 10}) in audit_actions(db_app)


def test_new_recovery_codes_need_a_right_code(app, clock):
    with app.app_context():
        make_user("sam")
    client = app.test_client()
    sign_in(client, "sam")
    enrol(client, clock)
    response = post_form(
        client, "/account/two-factor/recovery-codes", {"code": "111111"}, form_page="/account/two-factor"
    )
    assert response.status_code == 400 and "That code is not right." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action.like("%regenerated"))) is None


@pytest.mark.parametrize(
    ("password", "code", "message"),
    [
        ("not-my-password", "right", "That password is not right."),
        (PASSWORD, "123456", "That code is not right."),
        ("", "right", "This field is required."),
    ],
)
def test_turning_it_off_needs_the_password_and_a_code(db_app, clock, password, code, message):
    with db_app.app_context():
        make_user("sam")
    client = db_app.test_client()
    sign_in(client, "sam")
    secret, _ = enrol(client, clock)
    response = post_form(
        client,
        "/account/two-factor/disable",
        {"password": password, "code": clock.code(secret) if code == "right" else code},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert password not in html or not password
    with db_app.app_context():
        assert db.session.scalar(select(TwoFactorSetting.enabled_at)) is not None
        assert "two_factor.disabled" not in [e.action for e in db.session.scalars(select(AuditEntry))]


def test_turning_it_off_with_password_and_code_lets_the_password_alone_sign_in_again(db_app, clock):
    with db_app.app_context():
        user_id = make_user("sam").id
    client = db_app.test_client()
    sign_in(client, "sam")
    secret, _ = enrol(client, clock)

    response = post_form(client, "/account/two-factor/disable", {"password": PASSWORD, "code": clock.code(secret)})

    assert response.status_code == 302
    assert ("two_factor.disabled", user_id, {}) in audit_actions(db_app)
    with db_app.app_context():
        assert db.session.scalar(select(TwoFactorSetting)) is None
        assert db.session.scalar(select(RecoveryCode)) is None
    other = db_app.test_client()
    assert post_form(other, "/login", {"login": "sam", "password": PASSWORD}).headers["Location"] == "/"


# --- staff must use it when the instance requires it --------------------------------------------------------


def test_when_required_a_moderator_must_set_it_up_before_anything_else_and_a_member_need_not(strict_app, clock):
    with strict_app.app_context():
        admin = make_user("ada", admin=True)
        group = make_group(admin)
        add_to_group(admin, group, make_user("morgan"), role="moderator")
        add_to_group(admin, group, make_user("sam"))
    moderator, member = strict_app.test_client(), strict_app.test_client()
    sign_in(moderator, "morgan")
    sign_in(member, "sam")

    for path in ("/", "/account/two-factor/disable"):
        response = moderator.get(path)
        assert response.status_code == 302 and response.headers["Location"] == ENROL
    assert moderator.get(ENROL).status_code == 200
    assert member.get("/").status_code == 200

    secret, _ = enrol(moderator, clock)
    assert moderator.get("/").status_code == 200

    # Moving to a new phone: staff may turn it off, and are sent straight back to set it up again.
    turned_off = post_form(moderator, "/account/two-factor/disable", {"password": PASSWORD, "code": clock.code(secret)})
    assert turned_off.status_code == 302
    with strict_app.app_context():
        assert db.session.scalar(select(TwoFactorSetting)) is None
    for path in ("/", "/account/profile"):
        response = moderator.get(path)
        assert response.status_code == 302 and response.headers["Location"] == ENROL, path


def test_when_required_an_admin_is_sent_to_set_it_up_too(strict_app):
    with strict_app.app_context():
        make_user("ada", admin=True)
    client = strict_app.test_client()
    sign_in(client, "ada")
    assert client.get("/").headers["Location"] == ENROL


def test_by_default_in_testing_staff_sign_in_with_a_password_alone(app):
    with app.app_context():
        make_user("ada", admin=True)
    client = app.test_client()
    sign_in(client, "ada")
    assert client.get("/").status_code == 200


# --- the rules themselves ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("is_admin", "roles", "expected"),
    [
        (False, [], False),
        (False, [("member", "active")], False),
        (False, [("member", "active"), ("moderator", "active")], True),
        (False, [("moderator", "removed")], False),
        (True, [], True),
    ],
)
def test_staff_are_admins_and_moderators_of_any_group(is_admin, roles, expected):
    user = User(is_admin=is_admin)
    memberships = [Membership(role=role, state=state) for role, state in roles]
    assert policy.is_staff(user, memberships) is expected


@pytest.mark.parametrize(
    ("is_staff", "setting", "expected"), [(True, True, True), (True, False, False), (False, True, False)]
)
def test_two_factor_is_required_only_for_staff_and_only_when_the_instance_says_so(is_staff, setting, expected):
    assert policy.two_factor_required(User(), is_staff, setting) is expected


def test_guessing_from_many_addresses_is_still_limited_per_account(app, clock):
    enrolled_member(app, clock)
    statuses = []
    for address in range(7):  # each address gives the password once and guesses five codes
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{address + 1}"
        token = csrf_token(client, "/login")
        client.post("/login", data={"login": "sam", "password": PASSWORD, "csrf_token": token})
        token = csrf_token(client, CHALLENGE)
        statuses += [client.post(CHALLENGE, data={"code": "000000", "csrf_token": token}).status_code for _ in range(5)]
    assert 429 not in statuses[:30]
    assert statuses[30] == 429
