"""The parts of the invitation page's sign-up form that other features add (consent: the documents one agrees
to). Groups draws the form and knows none of the features above it: each registers a section at start-up (from
its ``wiring``) with the partial template that draws it and a function that reads its data. The page's route
calls them, so every statement the page sends starts from the route. The submitted form reaches the features
through ``groups.signals.joining_with_new_account``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

SignupData = Callable[[], Mapping[str, Any]]  # () -> the partial's data (the page is public: nobody signed in)


@dataclass(frozen=True)
class SignupSection:
    name: str
    order: int
    template: str  # a partial inside the form; it sees its own data as ``section``
    data: SignupData


_sections: dict[str, SignupSection] = {}


def register(name: str, *, order: int, template: str, data: SignupData) -> None:
    """Add (or replace: every app made in one process registers again) the section called ``name``."""
    _sections[name] = SignupSection(name, order, template, data)


def sections_for() -> list[tuple[str, Mapping[str, Any]]]:
    """(template, data) for each section, in order."""
    ordered = sorted(_sections.values(), key=lambda section: (section.order, section.name))
    return [(section.template, section.data()) for section in ordered]
