"""Display preferences and the language picker over HTTP: stored on the account for members, in cookies for
visitors, rendered on <html> by the server so the first paint already follows them; bad values are refused
with a message and change nothing."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from community.accessibility.models import MemberPreferences
from community.auth.models import User
from community.extensions import db
from tests.factories import csrf_token, make_user, post_form, sign_in
from tests.forum.test_query_bounds import counted_statements

DISPLAY = {"text_size": "150", "theme": "high_contrast", "motion": "reduce", "easy_read": "1", "dyslexia_font": "1"}


def html_tag(client: FlaskClient, path: str = "/accessibility", **kw) -> str:
    response = client.get(path, **kw)
    assert response.status_code == 200
    match = re.search(r"<html[^>]*>", response.get_data(as_text=True))
    assert match
    return match.group(0)


def test_a_visitor_gets_the_system_defaults(app: Flask) -> None:
    tag = html_tag(app.test_client())
    for attribute in ('data-theme="system"', 'data-text-size="100"', 'data-motion="system"', 'data-easy-read="off"'):
        assert attribute in tag


def test_a_visitor_keeps_preferences_in_a_cookie_and_every_page_renders_them(app: Flask) -> None:
    client = app.test_client()
    response = post_form(client, "/preferences?next=/accessibility", DISPLAY, form_page="/preferences")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accessibility"
    assert client.get_cookie("kring_display").value == "150.high_contrast.1.0.reduce.1"
    tag = html_tag(client, "/login")
    for attribute in (
        'data-text-size="150"',
        'data-theme="high_contrast"',
        'data-font="dyslexia"',
        'data-spacing="normal"',
        'data-motion="reduce"',
        'data-easy-read="on"',
    ):
        assert attribute in tag
    with app.app_context():
        assert db.session.query(MemberPreferences).count() == 0  # nothing stored on the server for a visitor


def test_a_damaged_cookie_means_the_defaults(app: Flask) -> None:
    client = app.test_client()
    client.set_cookie("kring_display", "999.purple.1.0.reduce.1")
    assert 'data-theme="system"' in html_tag(client)


def test_a_member_saves_preferences_on_the_account(db_app: Flask) -> None:
    with db_app.app_context():
        make_user("sam")
    client = db_app.test_client()
    sign_in(client, "sam")
    response = post_form(client, "/preferences", DISPLAY)
    assert response.status_code == 302
    assert client.get_cookie("kring_display") is None  # the account is the place, not the browser
    with db_app.app_context():
        user = db.session.query(User).filter_by(username="sam").one()
        row = db.session.get(MemberPreferences, user.id)
        assert (row.text_size, row.theme, row.reduced_motion, row.easy_read, row.dyslexia_font) == (
            150,
            "high_contrast",
            True,
            True,
            True,
        )
        assert row.wide_line_spacing is False
    assert 'data-theme="high_contrast"' in html_tag(client, "/")
    # The page shows the stored choices checked.
    page = client.get("/preferences").get_data(as_text=True)
    assert re.search(r'value="150"\s+checked', page)
    assert re.search(r'name="easy_read" value="1"\s+checked', page)


def test_the_live_panel_saves_in_the_background_with_a_json_answer(db_app: Flask) -> None:
    with db_app.app_context():
        make_user("noor")
    client = db_app.test_client()
    sign_in(client, "noor")
    token = csrf_token(client, "/preferences")
    response = client.post(
        "/preferences",
        data={"csrf_token": token, "text_size": "200", "theme": "dark", "motion": "system"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json["ok"] is True
    assert response.json["attributes"]["data-text-size"] == "200"
    with db_app.app_context():
        user = db.session.query(User).filter_by(username="noor").one()
        row = db.session.get(MemberPreferences, user.id)
        assert (row.text_size, row.theme, row.reduced_motion, row.easy_read) == (200, "dark", None, False)


def test_saving_display_settings_keeps_the_chat_presence_choice(db_app: Flask) -> None:
    with db_app.app_context():
        user = make_user("milan")
        db.session.add(MemberPreferences(user_id=user.id, hide_presence=True))
        db.session.commit()
    client = db_app.test_client()
    sign_in(client, "milan")
    assert post_form(client, "/preferences", {"text_size": "125", "theme": "dark"}).status_code == 302
    with db_app.app_context():
        user = db.session.query(User).filter_by(username="milan").one()
        row = db.session.get(MemberPreferences, user.id)
        assert row.hide_presence is True
        assert row.text_size == 125


def test_a_value_not_in_the_list_is_refused_and_nothing_is_stored(db_app: Flask) -> None:
    with db_app.app_context():
        make_user("fatima")
    client = db_app.test_client()
    sign_in(client, "fatima")
    response = post_form(client, "/preferences", {"text_size": "300", "theme": "dark"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose one of the text sizes in the list." in page
    assert 'aria-describedby="pref-text_size-error"' in page
    json_answer = client.post(
        "/preferences",
        data={"csrf_token": csrf_token(client, "/preferences"), "text_size": "100", "theme": "neon"},
        headers={"Accept": "application/json"},
    )
    assert json_answer.status_code == 400
    assert json_answer.json == {"ok": False, "error": "Choose one of the colour themes in the list."}
    with db_app.app_context():
        assert db.session.query(MemberPreferences).count() == 0


def test_a_post_without_the_csrf_token_changes_nothing(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/preferences", data={"text_size": "200"})
    assert response.status_code == 400
    assert client.get_cookie("kring_display") is None


def test_next_never_leads_to_another_site(app: Flask) -> None:
    client = app.test_client()
    for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        response = post_form(client, "/preferences", {"text_size": "100"}, query_string={"next": target})
        assert response.headers["Location"] == "/preferences", target


def test_the_browser_language_is_the_default_and_arabic_is_right_to_left(app: Flask) -> None:
    client = app.test_client()
    tag = html_tag(client, "/login", headers={"Accept-Language": "ar,en;q=0.5"})
    assert 'lang="ar"' in tag and 'dir="rtl"' in tag
    tag = html_tag(client, "/login", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert 'lang="nl"' in tag and 'dir="ltr"' in tag


def test_a_visitor_picks_a_language_and_it_beats_the_browser(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/language", data={"lang-csrf_token": token, "lang-language": "tr"}, query_string={"next": "/login"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get_cookie("kring_language").value == "tr"
    assert 'lang="tr"' in html_tag(client, "/login", headers={"Accept-Language": "nl"})


def test_a_member_picks_a_language_for_the_account(db_app: Flask) -> None:
    with db_app.app_context():
        make_user("jordan")
    client = db_app.test_client()
    sign_in(client, "jordan")
    token = csrf_token(client, "/")
    response = client.post("/language", data={"lang-csrf_token": token, "lang-language": "pl"})
    assert response.status_code == 302
    with db_app.app_context():
        assert db.session.query(User).filter_by(username="jordan").one().language == "pl"
    assert 'lang="pl"' in html_tag(client, "/", headers={"Accept-Language": "en"})


def test_a_language_not_offered_is_refused(db_app: Flask) -> None:
    with db_app.app_context():
        make_user("alex", language="nl")
    client = db_app.test_client()
    sign_in(client, "alex")
    token = csrf_token(client, "/")
    response = client.post("/language", data={"lang-csrf_token": token, "lang-language": "xx"})
    assert response.status_code == 302
    assert client.get_cookie("kring_language") is None
    with db_app.app_context():
        assert db.session.query(User).filter_by(username="alex").one().language == "nl"
    # Alex reads Kring in Dutch, so the refusal is in Dutch too.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kies een van de talen uit de lijst." in page


def test_the_accessibility_statement_is_public_and_says_how_to_report_a_barrier(app: Flask) -> None:
    app.config["ACCESSIBILITY_CONTACT"] = "access@kring.example"
    page = app.test_client().get("/accessibility").get_data(as_text=True)
    assert "<h1>Accessibility</h1>" in page
    assert 'href="mailto:access@kring.example?subject=' in page
    assert "What does not work well yet" in page


def test_the_invitation_form_offers_the_browser_language_first(app: Flask) -> None:
    """A new member's account language starts as the language their browser asks for (they can change it)."""
    from tests.groups.test_invitations import _build_world, admin_client, invite_by_email, link_in, outbox

    _app, slug = _build_world(app)
    invite_by_email(admin_client(app), slug, "new.person@example.org")
    path = link_in(outbox(app)[-1])
    page = app.test_client().get(path, headers={"Accept-Language": "pl,en;q=0.5"}).get_data(as_text=True)
    assert re.search(r'<option selected value="pl"|<option value="pl" selected', page), page[:2000]


def test_a_members_display_on_every_page_comes_with_the_session_lookup(app: Flask) -> None:
    """The base layout shows the member's settings on <html>; reading them sends no statement of its own."""
    with app.app_context():
        make_user("dora")
    client = app.test_client()
    sign_in(client, "dora")
    assert post_form(client, "/preferences", DISPLAY, form_page="/preferences").status_code == 302
    html_tag(client)  # a first visit, so nothing first-time is counted
    with counted_statements(app) as statements:
        tag = html_tag(client)
    assert 'data-theme="high_contrast"' in tag
    on_their_own = [sql for sql in statements if "member_preferences" in sql and "user_sessions" not in sql]
    assert on_their_own == [], statements
