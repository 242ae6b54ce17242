"""The sections of a group's page that other features fill: the forum's announcements and topics, the chat's
latest messages.

Groups draws the page (the group's name, its people) and knows neither the forum nor the chat: each registers a
section at start-up (from its ``wiring``) with the partial template that draws it, the place on the page it
goes (``top``: above the page's buttons; ``main``: the main column), optionally a partial for the page's scripts
block (it sees the same data), and a function that reads its data for the member looking, through that
feature's read services. The page's route calls them all, so every statement the
page sends starts from the route. Sections appear in ``order`` within their place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from community.auth.models import User
from community.groups.services import GroupAccess

# (the member looking, their access to the group, the page's query arguments) -> the partial's data
SectionData = Callable[[User, GroupAccess, Mapping[str, str]], Mapping[str, Any]]
PLACES = ("top", "main")


@dataclass(frozen=True)
class Section:
    name: str
    order: int
    template: str  # a partial; it sees the page's ``access`` and its own data as ``section``
    data: SectionData
    place: str = "main"
    scripts: str | None = None  # a partial for the page's scripts block, with the same ``section`` data


_sections: dict[str, Section] = {}


def register(
    name: str, *, order: int, template: str, data: SectionData, place: str = "main", scripts: str | None = None
) -> None:
    """Add (or replace: every app made in one process registers again) the section called ``name``."""
    if place not in PLACES:
        raise ValueError(f"unknown place {place!r} for the group page section {name!r}")
    _sections[name] = Section(name, order, template, data, place, scripts)


def sections_for(
    viewer: User, access: GroupAccess, args: Mapping[str, str]
) -> dict[str, list[tuple[str, Mapping[str, Any]]]]:
    """For each place, (template, data) of its sections, in order, read for this member; under ``scripts``, the
    sections' script partials with their data."""
    ordered = sorted(_sections.values(), key=lambda section: (section.order, section.name))
    placed: dict[str, list[tuple[str, Mapping[str, Any]]]] = {place: [] for place in (*PLACES, "scripts")}
    for section in ordered:
        data = section.data(viewer, access, args)
        placed[section.place].append((section.template, data))
        if section.scripts is not None:
            placed["scripts"].append((section.scripts, data))
    return placed
