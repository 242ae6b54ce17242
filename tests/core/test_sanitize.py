"""The one sanitizer: Markdown in, safe HTML out, visible text kept."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from community.core.sanitize import ALLOWED_TAGS, render_markdown


class _Elements(HTMLParser):
    """Collects every element and attribute the browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "![tracker](https://tracker.example/pixel.png)",
    "<iframe src=https://evil.example></iframe>",
    "[x](&#106;avascript:alert(1))",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_nothing_executable_or_remote_comes_out(source):
    for tag, attrs in elements(render_markdown(source)):
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") or name == "style" or name == "src" for name in attrs)
        href = attrs.get("href", "").strip().lower()
        assert href == "" or href.startswith(("https:", "http:", "mailto:")), href


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markup_stays_visible_as_text(source):
    """Nothing the member typed silently disappears: it shows as text, it just does not run."""
    html = render_markdown(source)
    assert html.strip() != "" or source.startswith("![")


def test_visible_text_is_kept_and_markdown_is_rendered():
    html = render_markdown("Hello **you** & _me_ <3\n\n- one\n- two")
    assert "<strong>you</strong>" in html and "<em>me</em>" in html
    assert "&amp;" in html and "&lt;3" in html
    assert "<li>one</li>" in html


def test_links_are_marked_as_user_content():
    html = render_markdown("[the hospital](https://example.org/info)")
    assert 'href="https://example.org/info"' in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html


def test_headings_never_outrank_the_page():
    assert "<h3>" in render_markdown("# Big") and "<h1>" not in render_markdown("# Big")
