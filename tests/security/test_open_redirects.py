"""Every ``next=`` goes through one check (``core.security.safe_next``): nothing can send a person off the site
after they signed in, chose a language or muted someone."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.extensions import db
from tests.factories import PASSWORD, add_to_group, make_group, make_user, post_form, sign_in

HOSTILE = [
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https://evil.example/",
    "http://evil.example/",
    "http:evil.example",
    "https:evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "%252F%252Fevil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\x00//evil.example",
    "/\x7f/evil.example",
    "\u200b//evil.example",
    "/\u2028/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://localhost:8080/account",
    "https://localhost/account",
    "ftp://localhost/account",
    "http://localhost@evil.example/",
    "http://localhost.evil.example/",
    "http://user@localhost/account",
    "http://localhost//evil.example/",
    "http://localhost/%2F%2Fevil.example",
    "http://localhost/\\evil.example",
    "http://localhost/\t/evil.example",
    "evil.example",
    "account",
    "../account",
    "./account",
    "?next=//evil.example",
    "/" + "a" * 2100,
]

SAFE = [
    ("/account", "/account"),
    ("/g/parents?tab=chat#latest", "/g/parents?tab=chat#latest"),
    ("http://localhost/account", "/account"),
    ("HTTP://LOCALHOST/account?x=1", "/account?x=1"),
    ("/", "/"),
    ("/search?q=a%0Ab%5C%2F%2F", "/search?q=a%0Ab%5C%2F%2F"),
]


@pytest.fixture
def signed_in(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    return client


@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_next_after_sign_in_leads_to_the_start_page(app, signed_in, target):
    response = signed_in.get("/login", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("target", "expected"), SAFE)
def test_a_next_on_this_site_is_followed_as_a_path(app, signed_in, target, expected):
    response = signed_in.get("/login", query_string={"next": target})
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/", "/\t/evil.example"])
def test_a_hostile_next_on_the_sign_in_form_leads_to_the_start_page(app, client, target):
    with app.app_context():
        make_user("sam")
    response = post_form(client, "/login?" + _query(target), {"login": "sam", "password": PASSWORD}, form_page="/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["//evil.example/", "\\\\evil.example", "javascript:alert(1)", "/\n/evil.example"])
def test_the_language_picker_never_sends_a_visitor_off_the_site(app, client, target):
    response = post_form(client, "/language?" + _query(target), {"lang-language": "en"}, form_page="/preferences")
    assert response.status_code == 302
    assert response.headers["Location"] == "/preferences"


def test_the_language_picker_returns_to_the_page_it_was_used_on(app, client):
    response = post_form(client, "/language?next=/accessibility", {"lang-language": "en"}, form_page="/preferences")
    assert response.headers["Location"] == "/accessibility"


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "http://localhost:8080/", "evil.example"])
def test_muting_someone_never_sends_a_member_off_the_site(app, signed_in, target):
    with app.app_context():
        admin = make_user("ada", admin=True)
        group = make_group(admin)
        add_to_group(admin, group, db.session.merge(_user("sam")))
        add_to_group(admin, group, make_user("kim"))
        kim_id = _user("kim").id
    form = {"kind": "mute", "on": "1", "next": target}
    response = post_form(signed_in, f"/moderation/safety/{kim_id}", form, form_page="/moderation/safety")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/safety"


def _query(target: str) -> str:
    return urlencode({"next": target})


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))
