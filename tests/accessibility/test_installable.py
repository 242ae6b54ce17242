"""Kring as an installable app, over HTTP: the manifest (fields, language and direction, theme colours, icons
that exist at their sizes), the service worker's headers and what it may keep (static shell files only), the
offline page (no member data), the links in every page and the Content-Security-Policy that lets them load.
The browser's side is tests/browser/test_pwa.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from community.accessibility import installable
from tests.consent.helpers import publish_required
from tests.factories import make_user, post_form, sign_in

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"


def manifest_of(client: FlaskClient, query: str = "", **kw) -> dict:
    response = client.get(f"/manifest.webmanifest{query}", **kw)
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    return json.loads(response.get_data(as_text=True))


def css_variable(selector: str, name: str) -> str:
    """A colour as theme.css writes it, found independently of the code under test."""
    css = (STATIC / "css" / "theme.css").read_text()
    start = css.index(selector + " {")
    block = css[start : css.index("}", start)]
    return re.search(rf"{name}:\s*(#[0-9a-fA-F]{{6}})", block).group(1).lower()


def worker_shell(client: FlaskClient) -> list[str]:
    source = client.get("/sw.js").get_data(as_text=True)
    match = re.search(r"^const SHELL = (\[.*\]);$", source, re.MULTILINE)
    assert match, "the server fills in the shell list"
    return json.loads(match.group(1))


# --- the manifest ---------------------------------------------------------------------------------------------


def test_the_manifest_describes_an_installable_standalone_app(client: FlaskClient) -> None:
    manifest = manifest_of(client, "?lang=en&theme=system")
    assert manifest["name"] == "Kring" and manifest["short_name"] == "Kring"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["id"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "en" and manifest["dir"] == "ltr"
    assert manifest["description"] == "Kring is a closed, moderated place. What you share here stays here."
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert purposes == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}


def test_every_icon_in_the_manifest_exists_at_its_size(client: FlaskClient) -> None:
    for icon in manifest_of(client)["icons"]:
        assert icon["type"] == "image/png"
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        width, height = (int(side) for side in icon["sizes"].split("x"))
        with Image.open(STATIC / icon["src"].removeprefix("/static/")) as image:
            assert image.format == "PNG" and image.size == (width, height), icon["src"]


def test_the_apple_touch_icon_and_the_notification_badge_exist(client: FlaskClient) -> None:
    for name, size in (("apple-touch-icon.png", 180), ("badge-96.png", 96)):
        assert client.get(f"/static/icons/{name}").status_code == 200
        with Image.open(STATIC / "icons" / name) as image:
            assert image.format == "PNG" and image.size == (size, size)
    with Image.open(STATIC / "icons" / "maskable-512.png") as image:
        assert image.convert("RGBA").getpixel((2, 2))[3] == 255, "a maskable icon is opaque to its edges"


@pytest.mark.parametrize(
    ("language", "direction", "description"),
    [("nl", "ltr", "Kring is een besloten"), ("ar", "rtl", "Kring مكان مغلق"), ("tr", "ltr", "Kring kapalı")],
)
def test_the_manifest_speaks_the_language_it_is_asked_for(
    client: FlaskClient, language: str, direction: str, description: str
) -> None:
    manifest = manifest_of(client, f"?lang={language}")
    assert manifest["lang"] == language and manifest["dir"] == direction
    assert manifest["description"].startswith(description)
    assert manifest["name"] == manifest["short_name"] == "Kring"  # a name, the same in every language


def test_without_a_language_the_manifest_follows_the_browser(client: FlaskClient) -> None:
    manifest = manifest_of(client, headers={"Accept-Language": "ar,en;q=0.5"})
    assert manifest["lang"] == "ar" and manifest["dir"] == "rtl"


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("?lang=xx&theme=purple", "en"),
        ("?lang=&theme=", "en"),
        ("?lang=EN&theme=DARK", "en"),
        ("?lang=ar%00&theme=dark%0a", "en"),
        ("?lang=" + "a" * 3000, "en"),
        ("?lang=../../etc&theme=<script>", "en"),
        ("?lang=nl&lang=ar&theme=light&theme=dark", "nl"),  # the first of each
    ],
)
def test_a_bad_language_or_theme_gives_the_defaults(client: FlaskClient, query: str, language: str) -> None:
    manifest = manifest_of(client, query, headers={"Accept-Language": "en"})
    light = css_variable(":root", "--surface")
    assert manifest["lang"] == language
    if "theme=light" not in query:
        assert manifest["theme_color"] == light  # "system" and anything unknown: the light theme
    assert "<script>" not in json.dumps(manifest)


@pytest.mark.parametrize(
    ("theme", "selector"),
    [
        ("system", ":root"),
        ("light", ":root"),
        ("dark", ':root[data-theme="dark"]'),
        ("high_contrast", ':root[data-theme="high_contrast"]'),
    ],
)
def test_the_manifest_takes_its_colours_from_the_theme(client: FlaskClient, theme: str, selector: str) -> None:
    manifest = manifest_of(client, f"?theme={theme}")
    assert manifest["theme_color"] == css_variable(selector, "--surface")
    assert manifest["background_color"] == css_variable(selector, "--bg")


def test_the_manifest_is_public_and_holds_no_member_data(app: Flask, client: FlaskClient) -> None:
    anonymous = client.get("/manifest.webmanifest?lang=en&theme=dark")
    assert not anonymous.headers.getlist("Set-Cookie"), "a visitor's browser is given nothing to keep"
    with app.app_context():
        make_user("sam", display_name="Sam Private")
    sign_in(client, "sam")
    signed_in = client.get("/manifest.webmanifest?lang=en&theme=dark")
    assert signed_in.get_data() == anonymous.get_data(), "the same for everyone with one language and theme"
    assert b"sam" not in signed_in.get_data().lower()


# --- the pages link it, in their language and theme -----------------------------------------------------------


def head_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html[: html.index("</head>")]


def test_every_page_links_the_manifest_in_its_language_and_theme(app: Flask, client: FlaskClient) -> None:
    head = head_of(client, "/login")
    assert '<link rel="manifest" href="/manifest.webmanifest?lang=en&amp;theme=system">' in head
    assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in head
    # "system" follows the device, as theme.css does: high contrast, then dark, then light.
    colours = re.findall(r'<meta name="theme-color" content="([^"]+)"(?: media="([^"]+)")?>', head)
    assert colours == [
        (css_variable(':root[data-theme="high_contrast"]', "--surface"), "(prefers-contrast: more)"),
        (css_variable(':root[data-theme="dark"]', "--surface"), "(prefers-color-scheme: dark)"),
        (css_variable(":root", "--surface"), ""),
    ]
    assert '<script type="module" src="/static/js/pwa.js"></script>' in client.get("/login").get_data(as_text=True)

    with app.app_context():
        make_user("sam", language="ar")
    sign_in(client, "sam")
    post_form(client, "/preferences", {"text_size": "100", "theme": "dark", "motion": "system"}, form_page="/")
    head = head_of(client, "/")
    assert '<link rel="manifest" href="/manifest.webmanifest?lang=ar&amp;theme=dark">' in head
    dark = css_variable(':root[data-theme="dark"]', "--surface")
    assert re.findall(r'<meta name="theme-color"[^>]*>', head) == [f'<meta name="theme-color" content="{dark}">']


# --- the service worker ---------------------------------------------------------------------------------------


def test_the_worker_is_served_from_the_root_for_the_whole_site(app: Flask, client: FlaskClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    assert "filled in by the server" not in source.split("\n// Push:")[1], "both placeholders are filled"
    version = re.search(r'^const VERSION = "([0-9a-f]{16})";$', source, re.MULTILINE)
    assert version and version.group(1) == installable.shell().version

    with app.app_context():
        make_user("sam")
    sign_in(client, "sam")
    signed_in = client.get("/sw.js")
    assert signed_in.get_data() == response.get_data(), "no member data: the same worker for everyone"
    assert signed_in.headers["Cache-Control"] == "no-store"  # stricter still, as every signed-in answer


def test_the_worker_keeps_only_static_shell_files_and_the_offline_page(client: FlaskClient) -> None:
    shell = worker_shell(client)
    assert shell[0] == "/offline"
    assert len(shell) == len(set(shell))
    for path in shell[1:]:
        assert path.startswith("/static/") and "?" not in path and ".." not in path, path
        assert re.search(r"\.(css|js|woff2|png|svg)$", path), path
        assert (STATIC / path.removeprefix("/static/")).is_file(), path
        assert client.get(path).status_code == 200, path
    expected = {
        "/static/css/theme.css",
        "/static/css/kring.css",
        "/static/js/realtime.js",
        "/static/js/pwa.js",
        "/static/fonts/atkinson-hyperlegible-latin-400-normal.woff2",
        "/static/icons/icon-192.png",
        "/static/icons/badge-96.png",
        "/static/vendor/socket.io.min.js",
        "/static/favicon.svg",
    }
    assert expected <= set(shell)
    assert not {"/static/sw.js", "/static/vendor/socket.io.min.js.map", "/sw.js", "/"} & set(shell)
    every_script = {f"/static/js/{path.name}" for path in (STATIC / "js").glob("*.js")}
    assert every_script <= set(shell), "every page module works offline-first"


def test_the_worker_version_follows_the_shell_files(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "a.css").write_text("a {}")
    first = installable.shell(static, watch=True)
    assert first.paths == ("/offline", "/static/css/a.css")
    assert installable.shell(static, watch=True).version == first.version, "the same files, the same version"
    (static / "css" / "a.css").write_text("a { color: red }")
    assert installable.shell(static, watch=True).version != first.version, "a deploy refreshes the cache"


def test_the_offline_page_shows_no_member_data(app: Flask, client: FlaskClient) -> None:
    anonymous = client.get("/offline")
    assert anonymous.status_code == 200
    assert anonymous.headers["Content-Language"] == "en"
    assert "You are offline" in anonymous.get_data(as_text=True)

    with app.app_context():
        make_user("sam", display_name="Sammy Secret", language="nl")
    sign_in(client, "sam")
    response = client.get("/offline")
    html = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == "nl"
    assert '<html lang="nl" dir="ltr"' in html
    assert "Sammy" not in html and "sam" not in html.lower().replace("same", "")
    assert "csrf" not in html.lower() and "<form" not in html and "<script" not in html
    assert "/logout" not in html and "notifications" not in html.lower()


def test_the_offline_page_in_arabic_reads_right_to_left(client: FlaskClient) -> None:
    response = client.get("/offline", headers={"Accept-Language": "ar"})
    assert response.headers["Content-Language"] == "ar"
    assert '<html lang="ar" dir="rtl"' in response.get_data(as_text=True)


def test_the_offline_page_speaks_the_language_the_worker_asks_for(client: FlaskClient) -> None:
    """The worker fetches it without cookies, with the page's language (static/sw.js)."""
    response = client.get("/offline?lang=nl", headers={"Accept-Language": "ar"})
    html = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == "nl"
    assert '<html lang="nl" dir="ltr"' in html and "Probeer opnieuw" in html  # "Try again", in Dutch
    for bad in ("xx", "", "NL", "nl%0a", "../ar", "a" * 500):
        response = client.get(f"/offline?lang={bad}", headers={"Accept-Language": "ar"})
        assert response.status_code == 200, bad
        assert response.headers["Content-Language"] == "ar", bad  # the browser's language, as without a lang


def test_a_member_who_still_has_to_consent_can_load_the_app_parts(app: Flask) -> None:
    """The consent gate sends a member's pages to the consent form; a redirect of /sw.js would make the browser
    drop the worker, and one of /offline would put a page of theirs where the offline page is kept."""
    with app.app_context():
        make_user("admin1", admin=True)
        make_user("sam")
    publish_required(app)
    client = app.test_client()
    sign_in(client, "sam")
    assert client.get("/").status_code == 303, "the gate is closed for sam"
    for path in ("/sw.js", "/offline", "/manifest.webmanifest?lang=en"):
        assert client.get(path).status_code == 200, path


# --- the Content-Security-Policy ------------------------------------------------------------------------------


def test_the_policy_allows_the_manifest_and_the_worker_from_this_site_only(client: FlaskClient) -> None:
    for path in ("/login", "/sw.js", "/manifest.webmanifest", "/offline"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "manifest-src 'self'" in policy and "worker-src 'self'" in policy, path


def test_a_worker_whose_placeholders_were_edited_away_is_refused(tmp_path: Path) -> None:
    """A deploy must never hand out a worker with an empty shell list or a fixed version."""
    source = installable.WORKER_SOURCE.read_text()
    for broken in (source.replace(installable.SHELL_LINE, "const SHELL = [];"), source + installable.VERSION_LINE):
        with pytest.raises(RuntimeError, match="exactly once"):
            installable._fill_worker(broken, ("/offline",), "0123456789abcdef")
