"""The security baseline: headers on every response, CSRF on every form, default deny."""

from __future__ import annotations

import re

from community.core.security import is_public_endpoint
from tests.factories import make_user, post_form, sign_in

# The short, reviewed list of pages anyone may open. A new public page must be added here on purpose.
PUBLIC_ENDPOINTS = {
    "static",
    "health.healthz",
    "auth.login",
    "auth.setup",
    "auth.two_factor_challenge",  # password given, no session yet: the second step
    "auth.request_password_reset",
    "auth.reset_password",
    "groups.accept_invitation",
    "groups.join_with_code",
    "consent.guardian_link",  # a parent or guardian confirms a minor's account (signed, expiring link)
    "events.calendar_feed",  # a member's calendar app reads /calendar/<token>.ics without a session
    "accessibility.preferences",  # display settings, also before signing in
    "accessibility.choose_language",  # the language picker for visitors
    "accessibility.statement",  # the accessibility statement
    "accessibility.manifest",  # the installable app's manifest: browsers fetch it without cookies
    "accessibility.service_worker",  # /sw.js, installed for visitors too; it keeps the static shell only
    "accessibility.offline",  # the offline page the worker keeps: no member data
}


def test_only_the_reviewed_endpoints_are_public(app):
    public = {rule.endpoint for rule in app.url_map.iter_rules() if is_public_endpoint(app, rule.endpoint)}
    assert public == PUBLIC_ENDPOINTS


def _sample_value(match: re.Match) -> str:
    """A value for a URL variable: 1 for numbers, the first choice of any(...), else a word."""
    spec = match.group(1)
    if spec.startswith("int:"):
        return "1"
    if spec.startswith("any("):
        return spec[4 : spec.index(")")].split(",")[0].strip()
    return "x"


def test_every_other_page_sends_an_anonymous_visitor_to_sign_in(app, client):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or "GET" not in rule.methods:
            continue
        url = re.sub(r"<([^>]+)>", _sample_value, rule.rule)
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url


def test_security_headers_are_on_every_response(client):
    for url in ("/login", "/healthz", "/no-such-page"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "manifest-src 'self'" in csp and "worker-src 'self'" in csp  # the installable app, this site only
        assert "http" not in csp, "no outside origin is ever allowed"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    cookie = client.get_cookie("kring_session")
    assert cookie is not None
    assert cookie.http_only is True
    assert cookie.same_site == "Lax"


def test_a_form_post_without_a_csrf_token_is_rejected_and_signs_nobody_in(app, client):
    with app.app_context():
        make_user("sam")
    from tests.factories import PASSWORD

    response = client.post("/login", data={"login": "sam", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/", follow_redirects=False).status_code == 302, "still signed out"


def test_a_form_post_with_a_forged_csrf_token_is_rejected(app, client):
    with app.app_context():
        make_user("sam")
    response = client.post("/login", data={"login": "sam", "password": "x" * 10, "csrf_token": "forged"})
    assert response.status_code == 400


def test_pages_behind_sign_in_are_never_cached_and_public_assets_may_be(app, client):
    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/css/kring.css").headers.get("Cache-Control", "")


def test_base_template_has_language_direction_landmarks_and_skip_link(app, client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'<html lang="en" dir="ltr"[ >]', html)  # then the display preferences
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main" tabindex="-1"' in html
    assert "<header" in html and "<footer" in html
    assert re.search(r"<title>[^<]+ · Kring</title>", html)


def test_arabic_pages_are_right_to_left(client):
    html = client.get("/login", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl" ' in html  # then the display preferences


def test_templates_and_styles_load_nothing_from_another_origin(app):
    import pathlib

    root = pathlib.Path(app.root_path).parent
    offenders = []
    for path in list((root / "templates").rglob("*.html")) + list((root / "static" / "css").rglob("*.css")):
        for match in re.finditer(r"(?:src|href)=\"(https?:)?//|url\((['\"]?)https?:", path.read_text()):
            offenders.append(f"{path.name}: {match.group(0)}")
    assert offenders == []


def test_post_form_helper_posts_with_token(app, client):
    """Guards the helper the other tests rely on: with the page's token, the same post succeeds."""
    with app.app_context():
        make_user("sam")
    from tests.factories import PASSWORD

    response = post_form(client, "/login", {"login": "sam", "password": PASSWORD})
    assert response.status_code == 302
