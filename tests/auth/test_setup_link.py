"""The first admin chooses their own username and password through a one-time setup link."""

from __future__ import annotations

from click.testing import Result
from sqlalchemy import select

from community.auth.models import User
from community.core.audit import AuditEntry
from community.extensions import db
from tests.factories import make_user, post_form


def _setup_url(app) -> str:
    result: Result = app.test_cli_runner().invoke(args=["setup-link"])
    assert result.exit_code == 0, result.output
    return "/setup/" + result.output.split("/setup/")[1].split()[0]


def test_the_first_admin_is_created_through_the_one_time_link(db_app):
    client = db_app.test_client()
    url = _setup_url(db_app)
    response = post_form(
        client, url,
        {"username": "jolien", "display_name": "Jolien (admin)", "email": "", "password": "a-strong-admin-pass"},
    )  # fmt: skip
    assert response.status_code == 302
    assert "My groups" in client.get("/").get_data(as_text=True), "signed in straight away"
    with db_app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "jolien"))
        assert admin.is_admin
        entry = db.session.scalar(select(AuditEntry))
        assert (entry.action, entry.actor_id, entry.target_id) == ("admin.first_admin_created", admin.id, admin.id)

    again = db_app.test_client().get(url)
    assert again.status_code == 404
    assert "not valid any more" in again.get_data(as_text=True)


def test_no_link_is_printed_once_an_admin_exists(app):
    with app.app_context():
        make_user("boss", admin=True)
    result = app.test_cli_runner().invoke(args=["setup-link"])
    assert "/setup/" not in result.output
    assert "Sign in at" in result.output


def test_an_unknown_setup_token_gets_a_clear_page(client):
    response = client.get("/setup/not-a-real-token")
    assert response.status_code == 404
    assert "not valid any more" in response.get_data(as_text=True)


def test_a_short_admin_password_is_refused_and_the_form_keeps_the_rest(app, client):
    url = _setup_url(app)
    response = post_form(client, url, {"username": "jolien", "display_name": "Jolien", "password": "short-pw"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "at least 12 characters" in html
    assert 'value="jolien"' in html and "short-pw" not in html
    with app.app_context():
        assert db.session.scalar(select(User)) is None, "nothing stored half-way"


def test_a_username_with_invisible_characters_is_refused(app, client):
    url = _setup_url(app)
    response = post_form(
        client, url, {"username": "jo\u200blien", "display_name": "Jolien", "password": "a-strong-admin-pass"}
    )
    assert response.status_code == 400
    assert "invisible or control character" in response.get_data(as_text=True)
