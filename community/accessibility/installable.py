"""Kring as an installable app: the manifest, the theme colours, and the application shell the service worker
keeps (docs/accessibility.md, "Installable app").

The shell is what a page needs to draw itself and nothing a member wrote or may read: stylesheets, scripts,
fonts, icons, the vendored Socket.IO client and the offline page. The service worker (``static/sw.js``, served
at ``/sw.js``) pre-caches exactly this list and caches nothing else, so a shared phone holds no page, message,
image or API answer. Its version is a hash of the shell's files, the worker itself, the offline page's template
and the translations: a deploy that changes any of them installs a new worker, which drops the old cache.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from community.accessibility.models import THEMES

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
WORKER_SOURCE = STATIC / "sw.js"
OFFLINE_TEMPLATE = ROOT / "templates" / "accessibility" / "offline.html"
TRANSLATIONS = ROOT / "translations"
THEME_CSS = STATIC / "css" / "theme.css"
OFFLINE_PATH = "/offline"

# The shell's files under static/, as globs. Not the source maps, not the worker itself (a worker is never
# served from a cache), not the icons' generator.
SHELL_GLOBS = ("favicon.svg", "css/*.css", "js/*.js", "fonts/*.woff2", "icons/*.png", "vendor/socket.io.min.js")

# The lines of static/sw.js that the server fills in (each must appear exactly once).
VERSION_LINE = 'const VERSION = "development"; // filled in by the server'
SHELL_LINE = "const SHELL = []; // filled in by the server"

ICONS = (
    {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {"src": "/static/icons/maskable-192.png", "sizes": "192x192", "type": "image/png", "purpose": "maskable"},
    {"src": "/static/icons/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
)

# Which block of theme.css holds each theme's colours ("system" draws as light, or as dark or high contrast when
# the device asks: see theme_colour_tags).
_THEME_SELECTORS = {
    "light": ":root",
    "dark": ':root[data-theme="dark"]',
    "high_contrast": ':root[data-theme="high_contrast"]',
}


@dataclass(frozen=True)
class ThemeColours:
    """The browser's frame around the app: ``theme`` is the header's background (``--surface``: the status bar
    and title bar match it), ``background`` the page's (``--bg``: the splash screen while the app starts)."""

    theme: str
    background: str


def _variable(block: str, name: str) -> str:
    found = re.search(rf"{re.escape(name)}:\s*(#[0-9a-fA-F]{{6}})\b", block)
    if found is None:
        raise RuntimeError(f"theme.css has no {name} in a theme block")
    return found.group(1).lower()


@cache
def _colours_from_css(css_path: Path) -> dict[str, ThemeColours]:
    """Each theme's colours, read from theme.css itself: the stylesheet stays the one place they are defined."""
    css = css_path.read_text()
    colours = {}
    for theme, selector in _THEME_SELECTORS.items():
        block = re.search(rf"^{re.escape(selector)}\s*\{{([^}}]*)\}}", css, re.MULTILINE)
        if block is None:
            raise RuntimeError(f"theme.css has no block {selector}")
        colours[theme] = ThemeColours(_variable(block.group(1), "--surface"), _variable(block.group(1), "--bg"))
    return colours


def theme_colours(theme: str) -> ThemeColours:
    """A theme's colours; "system" and anything unknown give the light theme's (the default)."""
    colours = _colours_from_css(THEME_CSS)
    return colours.get(theme, colours["light"])


def theme_colour_tags(theme: str) -> list[tuple[str, str | None]]:
    """(colour, media query) for each ``<meta name="theme-color">`` of a page; the browser takes the first whose
    query matches. A chosen theme has one; "system" follows the device as theme.css does: high contrast when it
    asks for more contrast, else dark in dark mode, else light."""
    if theme in _THEME_SELECTORS:
        return [(theme_colours(theme).theme, None)]
    return [
        (theme_colours("high_contrast").theme, "(prefers-contrast: more)"),
        (theme_colours("dark").theme, "(prefers-color-scheme: dark)"),
        (theme_colours("light").theme, None),
    ]


def manifest(language: str, direction: str, theme: str, description: str) -> dict:
    """The web app manifest for one language and theme. Nothing in it is about a member: the page links it with
    the language and theme it is drawn in (browsers fetch a manifest without cookies)."""
    colours = theme_colours(theme if theme in THEMES else "system")
    return {
        "id": "/",  # the app's identity stays the same whatever language or theme the manifest is fetched in
        "name": "Kring",
        "short_name": "Kring",
        "description": description,
        "lang": language,
        "dir": direction,
        "start_url": "/",  # the member's home; signed out, it leads to the sign-in page
        "scope": "/",
        "display": "standalone",
        "theme_color": colours.theme,
        "background_color": colours.background,
        "icons": [dict(icon) for icon in ICONS],
        "prefer_related_applications": False,
    }


@dataclass(frozen=True)
class Shell:
    paths: tuple[str, ...]  # what the worker pre-caches: the offline page, then /static/... in name order
    version: str
    worker_script: str  # static/sw.js as read for the version, with both filled in


def _fill_worker(source: str, paths: tuple[str, ...], version: str) -> str:
    for line, filled in (
        (VERSION_LINE, f"const VERSION = {json.dumps(version)};"),
        (SHELL_LINE, f"const SHELL = {json.dumps(list(paths))};"),
    ):
        if source.count(line) != 1:
            raise RuntimeError(f"static/sw.js must contain this line exactly once: {line}")
        source = source.replace(line, filled)
    return source


def _shell_files(static: Path) -> list[Path]:
    return sorted({path for pattern in SHELL_GLOBS for path in static.glob(pattern) if path.is_file()})


@cache
def _shell_for(static: Path, signature: tuple) -> Shell:
    files = {f"/static/{path.relative_to(static).as_posix()}": path for path in _shell_files(static)}
    extra = [WORKER_SOURCE, OFFLINE_TEMPLATE, *sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))]
    digest = hashlib.sha256()
    for name, path in [*files.items(), *((str(path.relative_to(ROOT)), path) for path in extra)]:
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    paths, version = (OFFLINE_PATH, *files), digest.hexdigest()[:16]
    return Shell(paths=paths, version=version, worker_script=_fill_worker(WORKER_SOURCE.read_text(), paths, version))


def shell(static: Path = STATIC, watch: bool = False) -> Shell:
    """The application shell. Computed once per process; with ``watch`` (development, templates reloading) it is
    computed again whenever a file's size or time changes, so an edit installs a new worker there too."""
    signature: tuple = ()
    if watch:
        extra = [WORKER_SOURCE, OFFLINE_TEMPLATE, *TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")]
        signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in [*_shell_files(static), *extra])
    return _shell_for(static, signature)
