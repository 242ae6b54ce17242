"""The browser's scripts are ES modules: loaded with type="module", tied together by import, checked by TypeScript.

`make js-check` runs the type check itself; these tests keep the templates and files in the shape it relies on.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "static" / "js").glob("*.js"))
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.S)
# The vendored Socket.IO client is not a module: it stays a classic script that sets globalThis.io.
CLASSIC = {"vendor/socket.io.min.js"}


def script_tags() -> list[tuple[str, str]]:
    """(template, tag) for every <script> tag in the templates."""
    return [(path.name, tag) for path in TEMPLATES for tag in SCRIPT_TAG.findall(path.read_text())]


def test_every_script_is_type_checked_and_shares_nothing_through_a_global() -> None:
    assert SCRIPTS
    for path in SCRIPTS:
        text = path.read_text()
        assert text.startswith("// @ts-check\n"), f"{path.name} must start with // @ts-check"
        assert "window.Kring" not in text and "Kring." not in text, f"{path.name} must import, not use a global"


def test_templates_load_the_scripts_as_modules_and_never_inline() -> None:
    loaded = set()
    for template, tag in script_tags():
        if 'type="application/json"' in tag:
            continue  # data for the scripts, never run
        source = re.search(r"filename='([^']+)'", tag)
        assert source, f"{template}: {tag} (an inline script: the CSP refuses it)"
        loaded.add(source.group(1))
        if source.group(1) in CLASSIC:
            assert 'type="module"' not in tag, f"{template}: {tag}"
        else:
            assert 'type="module"' in tag and "defer" not in tag, f"{template}: {tag} (modules are deferred anyway)"
    # What a page loads by itself; the rest (chat-view.js, realtime.js, ...) comes in through imports.
    assert "js/realtime.js" not in loaded, "realtime.js is imported by the scripts that need it"
    imported = {
        name for path in SCRIPTS for name in re.findall(r'^import .* from "\./([\w-]+\.js)";$', path.read_text(), re.M)
    }
    assert {path.name for path in SCRIPTS} == {name.removeprefix("js/") for name in loaded - CLASSIC} | imported
