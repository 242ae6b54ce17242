"""A small world for the professionals' tests, built through the real services.

Group A ("Parents") has two professionals (Ingrid, approved; Bram, approved) and a member (Alex); group B
("Young people") has a professional (Ravi, approved) and a member (Sam). An admin is in no group.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from community.auth.models import User
from community.extensions import db
from community.groups.models import Group
from community.professionals import profiles, review
from community.professionals.models import ProfessionalProfile, Specialty
from tests.factories import add_to_group, make_group, make_user


@dataclass
class World:
    admin: User
    group: Group
    other_group: Group
    member: User
    other_member: User
    pro: User
    colleague: User
    other_pro: User
    anxiety: Specialty
    grief: Specialty
    profile: ProfessionalProfile
    colleague_profile: ProfessionalProfile
    other_profile: ProfessionalProfile


ALL_WEEK = [[day, "00:00", "23:59"] for day in range(7)]


def make_profile(admin: User, user: User, name: str, *, languages=("en",), specialty_ids=(), approve=True):
    profile = profiles.save_profile(
        user, public_name=name, role_title="Nurse", organisation="City care", intro="I help with **worries**.",
        languages=list(languages), allowed_languages=["en", "nl", "ar", "tr", "pl"],
        specialty_ids=list(specialty_ids),
    )  # fmt: skip
    profile.availability = ALL_WEEK
    db.session.commit()
    if approve:
        review.approve_profile(admin, profile.id)
        db.session.commit()
    return profile


def build_world() -> World:
    admin = make_user("admin", admin=True)
    group, other_group = make_group(admin, "Parents"), make_group(admin, "Young people")
    people = {}
    for username, target, role in (
        ("alex", group, "member"), ("sam", other_group, "member"), ("ingrid", group, "moderator"),
        ("bram", group, "moderator"), ("ravi", other_group, "moderator"),
    ):  # fmt: skip
        people[username] = make_user(username, email=f"{username}@example.org")
        add_to_group(admin, target, people[username], role=role)
    anxiety, grief = review.add_specialty(admin, "Anxiety"), review.add_specialty(admin, "Grief")
    db.session.commit()
    profile = make_profile(admin, people["ingrid"], "Nurse Ingrid", languages=("en", "nl"), specialty_ids=[anxiety.id])
    colleague_profile = make_profile(admin, people["bram"], "Bram", languages=("ar",), specialty_ids=[grief.id])
    other_profile = make_profile(admin, people["ravi"], "Ravi", languages=("en",))
    return World(
        admin, group, other_group, people["alex"], people["sam"], people["ingrid"], people["bram"], people["ravi"],
        anxiety, grief, profile, colleague_profile, other_profile,
    )  # fmt: skip


@pytest.fixture
def world(db_app: Flask, tmp_path) -> World:
    db_app.config["PROFESSIONAL_PHOTO_DIR"] = str(tmp_path / "photos")
    with db_app.app_context():
        built = build_world()
        for value in vars(built).values():
            db.session.refresh(value)  # loaded, so the tests can read ids and names after the context ends
        db.session.expunge_all()
    return built
