"""A value read the slow way is kept for the rest of the request like a preload, and forgotten when it changes."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Flask

from community.core import page_preloads


def test_a_kept_value_is_found_until_it_is_forgotten(app: Flask) -> None:
    member, other = SimpleNamespace(id=7), SimpleNamespace(id=8)
    with app.test_request_context("/"):
        assert page_preloads.get(member, "badge") is page_preloads.MISSING
        page_preloads.keep(member, "badge", 3)
        assert page_preloads.get(member, "badge") == 3
        assert page_preloads.get(other, "badge") is page_preloads.MISSING
        page_preloads.keep(other, "badge", 5)  # one member per request: another's value is not kept
        assert page_preloads.get(other, "badge") is page_preloads.MISSING
        page_preloads.forget(7, "badge")
        assert page_preloads.get(member, "badge") is page_preloads.MISSING


def test_keep_outside_a_request_does_nothing(app: Flask) -> None:
    with app.app_context():
        page_preloads.keep(7, "badge", 3)
        assert page_preloads.get(SimpleNamespace(id=7), "badge") is page_preloads.MISSING
