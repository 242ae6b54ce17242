"""The layout's kept fragments (core.fragments: the display panel, the language picker) show each person their
own token, page address, language and settings, escaped as Jinja escapes them."""

from __future__ import annotations

import re

from flask import Flask
from markupsafe import escape

from community.core import fragments
from tests.factories import make_user, post_form, sign_in

PANEL_ACTION = re.compile(r'<form method="post" action="([^"]*)"\s+data-display-form data-signed-in="(\d)">')
PICKER_ACTION = re.compile(r'<form method="post" action="([^"]*)" class="language-picker">')


def _signed_in(app: Flask, *names: str) -> list:
    """A signed-in test client for each new member named."""
    with app.app_context():
        for name in names:
            make_user(name)
    clients = [app.test_client() for _ in names]
    for client, name in zip(clients, names, strict=True):
        sign_in(client, name)
    return clients


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="(?:lang-)?csrf_token" value="([^"]+)"', html))


def test_each_visitor_gets_their_own_token_and_page_address(app: Flask) -> None:
    sam, noor = _signed_in(app, "sam", "noor")
    sam_html = sam.get("/help").get_data(as_text=True)
    noor_html = noor.get('/help?from=<b>"quoted"&x=1').get_data(as_text=True)
    assert len(_tokens(sam_html)) == 1 and len(_tokens(noor_html)) == 1 and _tokens(sam_html) != _tokens(noor_html)
    assert PANEL_ACTION.search(sam_html).groups() == ("/preferences?next=/help", "1")
    with app.test_request_context('/help?from=<b>"quoted"&x=1'):
        from flask import url_for

        expected = str(escape(url_for("accessibility.choose_language", next='/help?from=<b>"quoted"&x=1')))
    assert PICKER_ACTION.search(noor_html).group(1) == expected


def test_a_visitor_and_a_member_see_their_own_panel(app: Flask) -> None:
    (member,) = _signed_in(app, "sam")
    visitor = app.test_client()
    assert PANEL_ACTION.search(member.get("/help").get_data(as_text=True)).group(2) == "1"
    assert PANEL_ACTION.search(visitor.get("/login").get_data(as_text=True)).group(2) == "0"


def test_the_language_and_the_settings_are_each_persons_own(app: Flask) -> None:
    sam, noor = _signed_in(app, "sam", "noor")
    post_form(noor, "/preferences", {"text_size": "150", "theme": "dark", "motion": "reduce"}, form_page="/preferences")
    post_form(noor, "/language", {"lang-language": "nl"}, form_page="/preferences")
    sam_html, noor_html = sam.get("/help").get_data(as_text=True), noor.get("/help").get_data(as_text=True)
    assert (
        '<option value="en" lang="en" selected>' in sam_html and '<option value="nl" lang="nl" selected>' in noor_html
    )
    assert 'value="150" selected' in noor_html and 'value="150" selected' not in sam_html
    assert 'value="dark" selected' in noor_html and 'value="dark" selected' not in sam_html
    assert "Taal" in noor_html.split("language-picker")[1] and "Taal" not in sam_html


def test_fragments_are_not_kept_while_templates_reload(app: Flask) -> None:
    app.jinja_env.auto_reload = True
    app.test_client().get("/login")
    assert not app.extensions.get("kring_fragments") or not app.extensions["kring_fragments"].items
    app.jinja_env.auto_reload = False
    app.test_client().get("/login")
    assert len(app.extensions["kring_fragments"].items) == 3  # the display panel, the picker, the page words
    assert fragments.ENTRIES >= 2


def test_a_fragment_without_per_page_values_is_kept_per_language(app: Flask) -> None:
    """The read-aloud and display words (kept("_a11y_strings.html")): each language its own."""
    english = app.test_client().get("/login").get_data(as_text=True)
    dutch = app.test_client().get("/login", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    strings = re.compile(r'<script type="application/json" id="a11y-strings">(.*?)</script>', re.S)
    assert '"readAloud": "Read aloud"' in strings.search(english).group(1)
    assert '"readAloud": "Read aloud"' not in strings.search(dutch).group(1)
    assert '"readAloud": "Voorlezen"' in strings.search(dutch).group(1)
