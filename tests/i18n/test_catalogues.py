"""The shipped catalogues are complete: every string the sources mark for translation is in every language's
.po, translated, not fuzzy, with the same placeholders; and no template shows words outside _().

When this fails after you added or changed a string: run `make translations`, translate the new entries in
translations/<lang>/LC_MESSAGES/messages.po (docs/glossary.md has the terms), and run the test again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask

from config import Config
from tests.i18n.template_scan import scan_source, scan_templates

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
LANGUAGES = [code for code in Config.LANGUAGES if code != Config.BABEL_DEFAULT_LOCALE]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


@pytest.fixture(scope="module")
def source_catalog() -> Catalog:
    """What `pybabel extract -F babel.cfg` would write to messages.pot, built in memory from the sources."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    assert len(catalog) > 100, "extraction found almost nothing: is babel.cfg right?"
    return catalog


def _load(language: str) -> Catalog:
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def _describe(message_id: object) -> str:
    return repr(message_id[0] if isinstance(message_id, tuple) else message_id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(source_catalog: Catalog, language: str) -> None:
    shipped = _load(language)
    missing, untranslated, fuzzy = [], [], []
    for message in source_catalog:
        if not message.id:
            continue
        found = shipped.get(message.id, context=message.context)
        if found is None:
            missing.append(_describe(message.id))
        elif found.fuzzy:
            fuzzy.append(_describe(message.id))
        elif not (all(found.string) if isinstance(found.string, tuple | list) else found.string):
            untranslated.append(_describe(message.id))
    problems = [
        f"{len(missing)} missing from {language}/messages.po (run `make translations`): {missing[:15]}",
        f"{len(untranslated)} not translated: {untranslated[:15]}",
        f"{len(fuzzy)} marked fuzzy (check and remove the flag): {fuzzy[:15]}",
    ]
    assert not (missing or untranslated or fuzzy), "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language: str) -> None:
    """A translation that drops or renames %(name)s would crash the page or show the wrong value."""
    shipped = _load(language)
    errors = [f"{_describe(message.id)}: {'; '.join(map(str, problems))}" for message, problems in shipped.check()]
    assert not errors, "\n".join(errors[:20])


def test_every_template_string_is_translatable() -> None:
    findings = scan_templates()
    assert not findings, 'wrap these in {{ _("...") }}:\n' + "\n".join(map(str, findings))


def test_the_template_scan_catches_bare_words_and_read_attributes() -> None:
    """The scan itself: it must report bare text and an untranslated title, and accept translated ones."""
    bad = '<p>Hello there</p>\n<a title="Open it" href="#">{{ _("Go") }}</a>'
    assert [(f.line, f.text) for f in scan_source(bad, "x.html")] == [(2, "Open it"), (1, "Hello there")]
    good = '<p>{{ _("Hello there") }}</p><a title="{{ _(\'Open it\') }}">{{ count }} · Kring</a>'
    assert scan_source(good, "y.html") == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nl", "Naar de inhoud"), ("ar", "انتقل إلى المحتوى"), ("tr", "İçeriğe geç"), ("pl", "Przejdź do treści")],
)
def test_pages_are_shown_in_the_browser_language(app: Flask, language: str, expected: str) -> None:
    page = app.test_client().get("/login", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'lang="{language}"' in page
    assert expected in page


def test_a_missing_or_stale_catalogue_is_compiled_at_start_up(tmp_path: Path) -> None:
    """A fresh clone has no .mo files: the app builds them, and rebuilds one whose .po changed."""
    import os

    from community.core.i18n import compile_catalogues

    po_dir = tmp_path / "nl" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    po = po_dir / "messages.po"
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    po.write_text(header + 'msgid "Hello"\nmsgstr "Hallo"\n')
    assert compile_catalogues(tmp_path) == ["nl"]
    assert (po_dir / "messages.mo").exists()
    assert compile_catalogues(tmp_path) == []  # up to date: nothing to do
    os.utime(po, (po.stat().st_mtime + 10, po.stat().st_mtime + 10))
    assert compile_catalogues(tmp_path) == ["nl"]


def test_templates_follow_a_locale_forced_in_the_middle_of_a_request(app: Flask) -> None:
    """Templates look the catalogue up once per request (core.i18n); a mail rendered under ``force_locale``
    in the recipient's language must still get that language, and the page after it the request's own."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Sign out') }}"
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert render_template_string(page) == "Uitloggen"
        with force_locale("pl"):
            assert render_template_string(page) == "Wyloguj się"
        with force_locale("en"):
            assert render_template_string(page) == "Sign out"
        assert render_template_string(page) == "Uitloggen"
