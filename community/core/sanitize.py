"""The only producer of HTML from member text: Markdown (markdown-it-py, raw HTML off) then nh3's allowlist.

Rendered once at write time and stored in ``*_html`` fields; templates mark nothing else ``|safe``.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "blockquote", "ul", "ol", "li", "code", "pre", "a", "hr",
    "h3", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# "html": False makes raw HTML in the source plain text; images by URL are not rendered ("image" disabled),
# so member text can never make a reader's browser contact another server.
_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("strikethrough")
    .disable("image")
)


def render_markdown(source: str) -> str:
    """Member Markdown to safe HTML. Headings are shifted to h3+ so posts never outrank the page's own."""
    html = _markdown.render(source)
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return clean_html(html)


def clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )
