"""The sections of a group's page that other features fill: the forum's topics, the chat's latest messages.

Groups draws the page (the group's name, its people) and knows neither the forum nor the chat: each registers a
section at start-up (from its ``wiring``) with the partial template that draws it and a function that reads its
data through that feature's read services. Sections appear in ``order``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from community.groups.services import GroupAccess

SectionData = Callable[[GroupAccess, Mapping[str, str]], Mapping[str, Any]]


@dataclass(frozen=True)
class Section:
    name: str
    order: int
    template: str  # a partial; it sees the page's ``access`` and its own data as ``section``
    data: SectionData  # (the member's access to the group, the page's query arguments) -> the partial's data


_sections: dict[str, Section] = {}


def register(name: str, *, order: int, template: str, data: SectionData) -> None:
    """Add (or replace: every app made in one process registers again) the section called ``name``."""
    _sections[name] = Section(name, order, template, data)


def sections_for(access: GroupAccess, args: Mapping[str, str]) -> list[tuple[str, Mapping[str, Any]]]:
    """(template, data) for each section, in order, read for this member."""
    ordered = sorted(_sections.values(), key=lambda section: (section.order, section.name))
    return [(section.template, section.data(access, args)) for section in ordered]
