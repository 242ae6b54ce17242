"""Pages reached through a secret in their address (password reset, first-admin setup, invitation, guardian
confirmation) are never stored by a cache and never leak through a Referer, and the nginx access-log mask in
docs/deployment.md hides the secret of every such route. Both lists are read from the app's URL map, so a new
token route that is not marked or not masked fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, url_for

from community.auth import services as auth_services
from community.extensions import db
from community.groups import invitation_staff
from tests.factories import make_group, make_user, post_form

DEPLOYMENT = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
SECRET = "S3cretTokenValue_abc123"


def token_endpoints(app: Flask) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "token" in rule.arguments})


def token_paths(app: Flask) -> dict[str, str]:
    with app.test_request_context():
        return {endpoint: url_for(endpoint, token=SECRET) for endpoint in token_endpoints(app)}


def nginx_log_mask() -> list[tuple[re.Pattern[str], str]]:
    """The regex entries of ``map $uri $kring_log_uri { ... }`` in the deployment guide, in order."""
    block = re.search(r"map \$uri \$kring_log_uri \{(.*?)\n\}", DEPLOYMENT.read_text(), re.DOTALL)
    assert block, "docs/deployment.md has no `map $uri $kring_log_uri` block"
    entries = []
    for line in block.group(1).splitlines():
        match = re.match(r"\s*(~\*?)(\S+)\s+(\S+);", line)
        if match:
            flags = re.IGNORECASE if match.group(1) == "~*" else 0
            entries.append((re.compile(match.group(2), flags), re.sub(r"\$(\d)", r"\\\1", match.group(3))))
    assert entries, "the map has no regex entries"
    return entries


def logged_uri(path: str) -> str:
    """What nginx writes for ``path``: the first regex that matches, as nginx tries them, else the path itself."""
    for pattern, replacement in nginx_log_mask():
        found = pattern.search(path)
        if found:
            return found.expand(replacement)
    return path


def assert_not_cached(response) -> None:
    assert response.headers.get("Cache-Control") == "no-store", response.request.path
    assert response.headers.get("Referrer-Policy") == "no-referrer"


def test_the_token_routes_are_the_five_known_links(app):
    assert token_endpoints(app) == [
        "auth.reset_password",
        "auth.setup",
        "consent.guardian_link",
        "events.calendar_feed",
        "groups.accept_invitation",
    ], "a new token route: mark it @token_page and add its path to the nginx mask in docs/deployment.md"


def test_every_token_route_is_marked_as_a_token_page(app):
    for endpoint in token_endpoints(app):
        assert getattr(app.view_functions[endpoint], "kring_token_page", False), endpoint


def test_a_token_page_with_an_unknown_token_is_not_stored_by_any_cache(app, client):
    for path in token_paths(app).values():
        response = client.get(path)
        assert response.status_code in (400, 404, 410), (path, response.status_code)
        assert_not_cached(response)


def test_a_valid_setup_invitation_and_reset_page_is_not_stored_by_any_cache(app, client):
    with app.app_context():
        setup_token = auth_services.issue_setup_token()
        db.session.commit()
    assert_not_cached(client.get(f"/setup/{setup_token}"))
    with app.app_context():
        admin = make_user("boss", admin=True, email="boss@example.org")
        code = invitation_staff.create_code_invitation(admin, make_group(admin, "Parents"), "member").code
        db.session.commit()
    invitation = client.get(f"/invite/{code}")
    assert invitation.status_code == 200
    assert_not_cached(invitation)
    post_form(client, "/reset-password", {"login": "boss"})
    [mail] = [m for m in app.extensions["kring_outbox"] if "/reset-password/" in m.get_content()]
    reset_path = re.search(r"http://localhost(/reset-password/[A-Za-z0-9_-]+)", mail.get_content()).group(1)
    reset_page = client.get(reset_path)
    assert reset_page.status_code == 200
    assert_not_cached(reset_page)


@pytest.mark.parametrize("suffix", ["", "/", "?next=/x"])
def test_the_access_log_mask_hides_the_secret_of_every_token_route(app, suffix):
    for endpoint, path in token_paths(app).items():
        uri = path.split("?")[0] + suffix.split("?")[0]  # nginx's $uri has no query string
        logged = logged_uri(uri)
        assert SECRET not in logged, f"{endpoint}: nginx would log {logged}"
        assert logged.startswith("/" + path.strip("/").split("/")[0]), "the path stays readable"


def test_the_access_log_mask_leaves_other_paths_alone():
    assert logged_uri("/g/parents/t/12") == "/g/parents/t/12"
    assert logged_uri("/reset-password") == "/reset-password"


def test_the_join_page_where_a_code_is_typed_is_not_stored_by_any_cache_nor_its_redirect(app, client):
    """``/join`` has no secret in its address, but the typed code is in the form shown again and in the redirect:
    it is ``@no_store`` (not a token page: there is nothing in its path for the access log to mask)."""
    assert not getattr(app.view_functions["groups.join_with_code"], "kring_token_page", False)
    with app.app_context():
        admin = make_user("boss", admin=True)
        code = invitation_staff.create_code_invitation(admin, make_group(admin, "Parents"), "member").code
        db.session.commit()
    assert_not_cached(client.get("/join"))
    wrong = post_form(client, "/join", {"code": "WRONG-CODE-1234"})
    assert wrong.status_code == 400 and "WRONG-CODE-1234" in wrong.get_data(as_text=True)
    assert_not_cached(wrong)
    right = post_form(client, "/join", {"code": code})
    assert right.status_code == 303 and right.headers["Location"].endswith(f"/invite/{code}")
    assert_not_cached(right)


def test_every_token_page_is_never_stored_whatever_it_answers(app):
    """``@token_page`` includes ``@no_store``: the form shown again, the done page and a refusal come from the same
    marked view (tests/consent/test_guardian.py checks the guardian's pages one by one)."""
    for endpoint in token_endpoints(app):
        assert getattr(app.view_functions[endpoint], "kring_no_store", False), endpoint
