"""The help desk: resetting two-step sign-in, one-time sign-in links, granting and revoking admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from community.auth import help_desk, two_factor
from community.auth.models import User
from community.auth.reset_models import PasswordResetToken
from community.auth.two_factor_models import RecoveryCode, TwoFactorSetting
from community.core.errors import DomainError
from community.core.time import utcnow
from community.extensions import db, socketio
from tests.admin.helpers import admin_client, audit_entries, build_world
from tests.factories import make_user, post_form, sign_in

NEW_PASSWORD = "a new and long passphrase"


def help_url(world: dict, who: str = "sam") -> str:
    return f"/admin/accounts/{world[who]}/help"


def turn_on_two_factor(app, user_id: int) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        enrolment = two_factor.start_enrolment(user)
        two_factor.confirm_enrolment(user, pyotp.TOTP(enrolment.secret).now())
        db.session.commit()


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def make_link(client, world: dict, who: str = "sam", reason: str = "Called back on the known number") -> str:
    response = post_form(
        client, f"{help_url(world, who)}/sign-in-link", {"link-reason": reason}, form_page=help_url(world, who)
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Cache-Control"] == "no-store"
    match = re.search(r"http://localhost(/reset-password/[A-Za-z0-9_-]+)", response.get_data(as_text=True))
    assert match, "the page shows the link once"
    return match.group(1)


# --- two-step sign-in ------------------------------------------------------------------------------------


def test_an_admin_resets_two_step_sign_in_and_the_person_is_signed_out_and_can_set_it_up_again(db_app):
    app = db_app
    world = build_world(app)
    sam = app.test_client()
    sign_in(sam, "sam")  # signed in before turning it on: this session is open when the reset comes
    socket = socketio.test_client(app, flask_test_client=sam)
    turn_on_two_factor(app, world["sam"])
    client = admin_client(app)
    assert "Reset two-step sign-in" in client.get(help_url(world)).get_data(as_text=True)

    data = {"two_factor-reason": "Lost phone; met in person"}
    response = post_form(client, f"{help_url(world)}/two-factor-reset", data, form_page=help_url(world))
    assert response.status_code == 302
    (entry,) = audit_entries(app, "account.two_factor_reset")
    assert (entry.actor_id, entry.target_id, entry.reason) == (world["boss"], world["sam"], "Lost phone; met in person")
    assert entry.details == {"recovery_codes_removed": 10, "sessions_ended": 1}
    assert count(app, TwoFactorSetting, TwoFactorSetting.user_id == world["sam"]) == 0
    assert count(app, RecoveryCode, RecoveryCode.user_id == world["sam"]) == 0
    assert not socket.is_connected(), "their open socket is closed"
    assert sam.get("/").status_code == 302, "signed out"
    sign_in(sam, "sam")  # the password alone signs in now
    assert sam.get("/account/two-factor/enrol").status_code == 200, "and they can set it up again"


def test_staff_who_must_have_two_step_sign_in_are_sent_to_set_it_up_after_a_reset(app):
    app.config["STAFF_TWO_FACTOR_REQUIRED"] = True
    world = build_world(app)
    turn_on_two_factor(app, world["mo"])
    with app.app_context():  # the HTTP path is tested above; here the boss has no two-step sign-in of their own
        help_desk.reset_two_factor(db.session.get(User, world["boss"]), db.session.get(User, world["mo"]), "New phone")
        db.session.commit()
    moe = app.test_client()
    sign_in(moe, "moe")
    response = moe.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/two-factor/enrol")


def test_an_account_without_two_step_sign_in_is_refused_with_a_clear_message(app):
    world = build_world(app)
    client = admin_client(app)
    page = client.get(help_url(world)).get_data(as_text=True)
    assert "there is nothing to reset" in page
    data = {"two_factor-reason": "Lost phone"}
    response = post_form(client, f"{help_url(world)}/two-factor-reset", data, form_page=help_url(world))
    assert response.status_code == 400
    assert "has no two-step sign-in turned on" in response.get_data(as_text=True)
    assert audit_entries(app, "account.two_factor_reset") == []


def test_a_reset_without_a_reason_is_refused_and_changes_nothing(app):
    world = build_world(app)
    turn_on_two_factor(app, world["sam"])
    client = admin_client(app)
    response = post_form(
        client, f"{help_url(world)}/two-factor-reset", {"two_factor-reason": "  "}, form_page=help_url(world)
    )
    assert response.status_code == 400
    assert "Write down why, and how you checked who asked." in response.get_data(as_text=True)
    assert count(app, TwoFactorSetting, TwoFactorSetting.user_id == world["sam"]) == 1
    assert audit_entries(app, "account.two_factor_reset") == []


# --- one-time sign-in link -------------------------------------------------------------------------------


def test_a_sign_in_link_lets_someone_without_email_choose_a_password_and_signs_them_in_once(db_app):
    app = db_app
    world = build_world(app)
    client = admin_client(app)
    path = make_link(client, world, "mo")
    (entry,) = audit_entries(app, "account.sign_in_link_issued")
    assert (entry.actor_id, entry.target_id, entry.reason) == (
        world["boss"],
        world["mo"],
        "Called back on the known number",
    )
    assert entry.details == {"hours": 24, "two_factor": False}
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        rows = list(db.session.scalars(select(PasswordResetToken).where(PasswordResetToken.user_id == world["mo"])))
        assert len(rows) == 1 and rows[0].token_hash != token and len(rows[0].token_hash) == 64, "only the hash"
        assert rows[0].issued_by_id == world["boss"]
        assert timedelta(hours=23) < rows[0].expires_at - utcnow() <= timedelta(hours=24)

    moe = app.test_client()
    response = post_form(moe, path, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    assert moe.get("/").status_code == 200, "signed in"
    (reset_entry,) = audit_entries(app, "account.password_reset")
    assert reset_entry.details == {"link_by_admin": world["boss"]}
    again = app.test_client()
    assert again.get(path).status_code == 410, "the link works once"
    sign_in(app.test_client(), "moe", NEW_PASSWORD)


def test_a_sign_in_link_does_not_pass_two_step_sign_in(db_app):
    app = db_app
    world = build_world(app)
    turn_on_two_factor(app, world["sam"])
    path = make_link(admin_client(app), world)
    sam = app.test_client()
    response = post_form(sam, path, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    assert "two-factor" in response.headers["Location"]
    assert sam.get("/").status_code == 302, "not signed in before the code"


def test_an_expired_link_answers_410_and_changes_nothing(app):
    world = build_world(app)
    path = make_link(admin_client(app), world)
    with app.app_context():
        row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.user_id == world["sam"]))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        old_hash = db.session.get(User, world["sam"]).password_hash
    response = app.test_client().get(path)
    assert response.status_code == 410
    assert "Ask the person who gave it to you for a new one." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world["sam"]).password_hash == old_hash


def test_a_new_link_ends_the_older_one(app):
    world = build_world(app)
    client = admin_client(app)
    first = make_link(client, world)
    second = make_link(client, world)
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200


def test_no_link_for_a_suspended_account_nor_without_a_reason(app):
    world = build_world(app)
    client = admin_client(app)
    response = post_form(client, f"{help_url(world)}/sign-in-link", {"link-reason": ""}, form_page=help_url(world))
    assert response.status_code == 400
    assert "Write down why" in response.get_data(as_text=True)
    with app.app_context():
        db.session.get(User, world["sam"]).state = "suspended"
        db.session.commit()
    response = post_form(client, f"{help_url(world)}/sign-in-link", {"link-reason": "Asked"}, form_page=help_url(world))
    assert response.status_code == 400
    assert "cannot get a sign-in link" in response.get_data(as_text=True)
    assert count(app, PasswordResetToken) == 0
    assert audit_entries(app, "account.sign_in_link_issued") == []


# --- admin rights ----------------------------------------------------------------------------------------


def test_an_admin_grants_and_revokes_admin_and_each_ends_the_persons_sessions(db_app):
    app = db_app
    world = build_world(app)
    client = admin_client(app)
    sam = app.test_client()
    sign_in(sam, "sam")
    socket = socketio.test_client(app, flask_test_client=sam)
    assert socket.is_connected()

    response = post_form(
        client, f"{help_url(world)}/admin/grant", {"grant-reason": "Agreed by the board"}, form_page=help_url(world)
    )
    assert response.status_code == 302
    (entry,) = audit_entries(app, "account.admin_granted")
    assert (entry.actor_id, entry.target_id, entry.reason) == (world["boss"], world["sam"], "Agreed by the board")
    assert not socket.is_connected()
    assert sam.get("/").status_code == 302, "signed out"
    sign_in(sam, "sam")
    assert sam.get("/admin/").status_code == 200, "an admin now"

    response = post_form(
        client, f"{help_url(world)}/admin/revoke", {"revoke-reason": "Left the board"}, form_page=help_url(world)
    )
    assert response.status_code == 302
    (entry,) = audit_entries(app, "account.admin_revoked")
    assert (entry.target_id, entry.reason) == (world["sam"], "Left the board")
    assert sam.get("/admin/").status_code == 302, "signed out again"
    sign_in(sam, "sam")
    assert sam.get("/admin/").status_code == 404


def test_the_last_admin_cannot_revoke_themself(app):
    world = build_world(app)
    client = admin_client(app)
    url = help_url(world, "boss")
    response = post_form(client, f"{url}/admin/revoke", {"revoke-reason": "Stepping down"}, form_page=url)
    assert response.status_code == 400
    assert "This is the last admin account." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world["boss"]).is_admin
    assert audit_entries(app, "account.admin_revoked") == []


@pytest.mark.parametrize(
    ("change", "data", "message"),
    [
        ("grant", {"grant-reason": ""}, "Write down why this person becomes an admin"),
        ("grant", {"grant-reason": "x" * 501}, "Keep the reason under 500 characters."),
        ("revoke", {"revoke-reason": "Left"}, "This account is not an admin."),
    ],
)
def test_bad_admin_changes_are_refused_and_change_nothing(app, change, data, message):
    world = build_world(app)
    client = admin_client(app)
    response = post_form(client, f"{help_url(world)}/admin/{change}", data, form_page=help_url(world))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(User, world["sam"]).is_admin
    assert audit_entries(app, f"account.admin_{change}{'ed' if change == 'grant' else 'd'}") == []


def test_help_desk_pages_are_404_for_members_and_unknown_accounts(app):
    world = build_world(app)
    member = app.test_client()
    sign_in(member, "sam")
    assert member.get(help_url(world, "mo")).status_code == 404
    assert member.get("/admin/jobs").status_code == 404
    client = admin_client(app)
    assert client.get("/admin/accounts/99999/help").status_code == 404
    response = post_form(
        client, "/admin/accounts/99999/help/admin/grant", {"grant-reason": "x"}, form_page=help_url(world)
    )
    assert response.status_code == 404


def test_a_post_without_the_csrf_token_is_refused(app):
    world = build_world(app)
    client = admin_client(app)
    response = client.post(f"{help_url(world)}/admin/grant", data={"grant-reason": "Agreed"})
    assert response.status_code == 400
    with app.app_context():
        assert not db.session.get(User, world["sam"]).is_admin


def test_an_admin_cannot_reset_their_own_two_step_sign_in_here(app):
    world = build_world(app)
    turn_on_two_factor(app, world["boss"])
    with app.test_request_context():
        boss = db.session.get(User, world["boss"])
        with pytest.raises(DomainError, match="Turn your own two-step sign-in off on your account page"):
            help_desk.reset_two_factor(boss, boss, "Lost phone")
    assert count(app, TwoFactorSetting, TwoFactorSetting.user_id == world["boss"]) == 1
    assert audit_entries(app, "account.two_factor_reset") == []


def test_an_admin_may_step_down_while_another_admin_remains(app):
    world = build_world(app)
    with app.app_context():
        make_user("ada", admin=True, display_name="Ada")
    client = admin_client(app)
    url = help_url(world, "boss")
    response = post_form(client, f"{url}/admin/revoke", {"revoke-reason": "Stepping down"}, form_page=url)
    assert response.status_code == 302
    (entry,) = audit_entries(app, "account.admin_revoked")
    assert (entry.actor_id, entry.target_id) == (world["boss"], world["boss"])
    assert client.get("/admin/").status_code == 302, "their own sessions ended too"
