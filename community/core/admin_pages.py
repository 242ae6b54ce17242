"""The pages the admin area's navigation lists besides its own: features below ``admin`` keep their admin pages
on their own blueprints (under ``/admin``, for admins only) and register a link here from their ``wiring``, so
the admin area lists them without those features importing it. Links appear in ``order``, after admin's own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AdminPage:
    endpoint: str
    label: object  # a lazy string, translated when the navigation is drawn
    order: int


_pages: dict[str, AdminPage] = {}


def register(endpoint: str, label: object, *, order: int = 100) -> None:
    """Add (or replace: every app made in one process registers again) the link to ``endpoint``."""
    _pages[endpoint] = AdminPage(endpoint, label, order)


def pages() -> list[AdminPage]:
    return sorted(_pages.values(), key=lambda page: (page.order, page.endpoint))
