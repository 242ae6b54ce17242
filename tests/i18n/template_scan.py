"""A heuristic scan of the Jinja templates for words shown to people but not passed through _() / ngettext.

Text nodes (between tags) and the attributes people read or hear (title, alt, placeholder, aria-label,
aria-description, value of buttons) must contain no letters outside Jinja expressions. Anything between
{{ }}, {% %} or {# #} is removed first, then tags; what remains with letters is reported with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]*>", re.DOTALL)
READ_ATTRIBUTES = re.compile(r"""\b(title|alt|placeholder|aria-label|aria-description)\s*=\s*("[^"]*"|'[^']*')""")
LETTERS = re.compile(r"[^\W\d_]{2,}")

# Text that is the same in every language: the product's name, and symbols.
ALLOWED = {"Kring"}


@dataclass(frozen=True)
class Finding:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def _blank(match: re.Match) -> str:
    """Replace a match with spaces and the same newlines, so line numbers stay right."""
    return re.sub(r"[^\n]", " ", match.group(0))


def scan_source(source: str, name: str) -> list[Finding]:
    text = JINJA.sub(_blank, source)
    text = SCRIPT_OR_STYLE.sub(_blank, text)
    findings: list[Finding] = []
    for attribute in READ_ATTRIBUTES.finditer(text):
        value = attribute.group(2)[1:-1]
        if LETTERS.search(value.replace("Kring", "")):
            findings.append(Finding(name, text.count("\n", 0, attribute.start()) + 1, value.strip()))
    without_tags = TAG.sub(_blank, text)
    for number, line in enumerate(without_tags.splitlines(), start=1):
        words = line.strip()
        rest = words
        for allowed in ALLOWED:
            rest = rest.replace(allowed, "")
        if LETTERS.search(rest):
            findings.append(Finding(name, number, words))
    return findings


def scan_templates(root: Path = TEMPLATES) -> list[Finding]:
    findings: list[Finding] = []
    for path in sorted(root.rglob("*.html")):
        findings.extend(scan_source(path.read_text(encoding="utf-8"), str(path.relative_to(root))))
    return findings


if __name__ == "__main__":  # python -m tests.i18n.template_scan: list what is not translatable yet
    for finding in scan_templates():
        print(finding)
