"""Test data built through the real services, so every rule applies to it too."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient

from community.auth.models import User
from community.auth.services import create_account
from community.extensions import db
from community.groups import services as groups
from community.groups.models import Group

PASSWORD = "a-long-test-password"
_counter = itertools.count(1)


def make_user(username: str | None = None, *, admin: bool = False, display_name: str | None = None, **kw) -> User:
    username = username or f"user{next(_counter)}"
    user = create_account(
        username=username,
        display_name=display_name or username.capitalize(),
        password=PASSWORD,
        is_admin=admin,
        **kw,
    )
    db.session.commit()
    return user


def make_group(admin: User, name: str | None = None, **kw) -> Group:
    group = groups.create_group(admin, name=name or f"Group {next(_counter)}", **kw)
    db.session.commit()
    return group


def add_to_group(admin: User, group: Group, user: User, role: str = "member") -> None:
    groups.add_member(admin, group, user, role=role)
    db.session.commit()


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token from a form page, as a browser would submit it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict, *, form_page: str | None = None, **kw):
    """Post a form with the CSRF token taken from the page that shows it."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page or path)}, **kw)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    response = post_form(client, "/login", {"login": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@dataclass
class SignedInGroupWorld:
    """One group seeded for a test module, and a signed-in test client per person, made on first use."""

    app: Flask
    group_id: int
    slug: str
    ids: dict[str, int]
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def client(self, name: str) -> FlaskClient:
        if name not in self.clients:
            client = self.app.test_client()
            sign_in(client, name)
            self.clients[name] = client
        return self.clients[name]
