"""Password rules: 8 to 128 characters (12 for staff), no composition rules, no common or personal passwords."""

from __future__ import annotations

import pytest

from community.auth import passwords_policy
from community.auth.services import check_password_rules
from community.core.errors import DomainError
from tests.factories import post_form


def refusal(password: str, **kw) -> str | None:
    try:
        check_password_rules(password, **{"staff": False, **kw})
    except DomainError as error:
        assert error.field == "password"
        return error.message
    return None


def test_the_bundled_list_holds_ten_thousand_lower_case_passwords_of_eight_or_more_characters():
    words = passwords_policy.common_passwords()
    assert len(words) == 10_000
    assert all(len(word) >= 8 and word == word.lower() for word in words)
    first_line = passwords_policy.LIST_PATH.read_text().splitlines()[0]
    assert first_line.startswith("#") and "MIT" in first_line, "the list says where it comes from"


@pytest.mark.parametrize("password", ["password", "PASSWORD", "Password1", "iloveyou", "12345678", "qwertyuiop"])
def test_common_passwords_are_refused_whatever_their_case(app, password):
    with app.test_request_context():
        assert "most common passwords" in refusal(password)


@pytest.mark.parametrize(
    ("password", "kw", "message"),
    [
        ("seven77", {}, "Choose a password of at least 8 characters."),
        ("eleven-char", {"staff": True}, "Choose a password of at least 12 characters."),
        ("x" * 129, {}, "A password can be at most 128 characters."),
        ("Sam.Member", {"username": "sam.member"}, "Your password cannot be your username."),
        ("sam@example.org", {"email": "Sam@Example.org"}, "Your password cannot be your email address."),
    ],
)
def test_short_long_and_personal_passwords_are_refused_with_a_clear_message(app, password, kw, message):
    with app.test_request_context():
        assert message in refusal(password, **kw)


@pytest.mark.parametrize(
    ("password", "kw"),
    [
        ("eight ch", {}),  # exactly 8, spaces allowed, no digits or capitals needed
        ("x" * 128, {}),
        ("twelve chars", {"staff": True}),
        ("correct horse battery", {"username": "sam"}),
        ("één twee drie", {}),
    ],
)
def test_long_enough_uncommon_passwords_pass_without_composition_rules(app, password, kw):
    with app.test_request_context():
        assert refusal(password, **kw) is None


def test_the_first_admin_cannot_choose_a_common_password_and_keeps_the_rest_of_the_form(app, client):
    from community.auth.services import issue_setup_token
    from community.extensions import db

    with app.app_context():
        token = issue_setup_token()
        db.session.commit()
    url = f"/setup/{token}"
    response = post_form(
        client, url, {"username": "jolien", "display_name": "Jolien", "email": "", "password": "qwertyuiop123"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "most common passwords" in html
    assert 'value="jolien"' in html and "qwertyuiop123" not in html
