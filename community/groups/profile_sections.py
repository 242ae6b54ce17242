"""The parts of another member's profile page that other features add (moderation: mute, block, report).

Groups draws the profile (name, pronouns, groups in common) and knows none of the features above it: each
registers a section at start-up (from its ``wiring``) with the partial template that draws it and a function
that reads its data for the member looking. The profile's route calls them, so every statement the page sends
starts from the route. Sections appear in ``order``; a partial sees the profile's person as ``person`` and its
own data as ``section``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from community.auth.models import User

ProfileData = Callable[[User, User], Mapping[str, Any]]  # (the member looking, the person shown) -> the data


@dataclass(frozen=True)
class ProfileSection:
    name: str
    order: int
    template: str
    data: ProfileData


_sections: dict[str, ProfileSection] = {}


def register(name: str, *, order: int, template: str, data: ProfileData) -> None:
    """Add (or replace: every app made in one process registers again) the section called ``name``."""
    _sections[name] = ProfileSection(name, order, template, data)


def sections_for(viewer: User, subject: User) -> list[tuple[str, Mapping[str, Any]]]:
    """(template, data) for each section, in order, read for this viewer."""
    ordered = sorted(_sections.values(), key=lambda section: (section.order, section.name))
    return [(section.template, section.data(viewer, subject)) for section in ordered]
