"""A believable demo community, built through the real services so it obeys every rule.

Idempotent: people are found by username, groups by name, and a group's content is seeded only once.
An admin created through the setup link stays as it is.
"""

from __future__ import annotations

import os
import uuid

from flask import current_app
from sqlalchemy import func, select

from community.auth.models import User
from community.auth.services import create_account
from community.chat import sending as chat_sending
from community.chat import services as chat
from community.consent import demo as consent_demo
from community.extensions import db
from community.forum import writing as forum
from community.forum.models import Topic
from community.groups import services as groups
from community.groups.models import Group, Membership
from community.professionals import demo as professionals_demo

DEFAULT_DEMO_PASSWORD = "kring-demo-password"  # noqa: S105 (documented demo default; DEMO_PASSWORD overrides)

PEOPLE = [
    # username, display name, year of birth, language
    ("admin", "Kring admin", 1980, "en"),
    ("nurse", "Nurse Ingrid", 1979, "en"),
    ("youthworker", "Youth worker Ravi", 1990, "en"),
    ("sam", "Sam", 2009, "en"),
    ("noor", "Noor", 2008, "en"),
    ("milan", "Milan", 2010, "en"),
    ("alex", "Alex", 1986, "en"),
    ("fatima", "Fatima", 1984, "en"),
    ("jordan", "Jordan", 1991, "en"),
    ("dietitian", "Dietitian Lena", 1985, "en"),
    ("coordinator", "Coordinator Mira", 1975, "en"),
]

YOUNG = {
    "name": "Young people",
    "kind": "young_people",
    "description": "A closed group for young people who live with a long-term illness. Share what helps, "
    "ask what you want to know. Ravi, a youth worker, is here to help.",
    "moderator": "youthworker",
    "members": ["sam", "noor", "milan"],
    "staff": [],
}
PARENTS = {
    "name": "Parents of children with intensive care needs",
    "kind": "parents",
    "description": "For parents and carers of a child who needs intensive care at home. Nurse Ingrid from the "
    "children's hospital moderates and answers medical questions.",
    "moderator": "nurse",
    "members": ["alex", "fatima", "jordan"],
    # A professional (answers questions, does not moderate) and the group's manager (runs the group).
    "staff": [("dietitian", "professional"), ("coordinator", "manager")],
}


class DemoRefused(Exception):
    pass


def _person(username: str, display_name: str, year: int, language: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.username_key == username))
    if user is None:
        user = create_account(
            username=username, display_name=display_name, password=password, is_admin=(username == "admin"),
            language=language, year_of_birth=year, email=f"{username}@demo.kring.invalid",
        )  # fmt: skip
    return user


def _group(admin: User, spec: dict, people: dict[str, User]) -> tuple[Group, bool]:
    group = db.session.scalar(select(Group).where(Group.name == spec["name"]))
    created = group is None
    if group is None:
        group = groups.create_group(admin, name=spec["name"], description=spec["description"], kind=spec["kind"])
    wanted = [(spec["moderator"], "moderator"), *spec["staff"]] + [(username, "member") for username in spec["members"]]
    already_in = set(db.session.scalars(select(Membership.user_id).where(Membership.group_id == group.id)))
    for username, role in wanted:
        if people[username].id not in already_in:
            groups.add_member(admin, group, people[username], role=role)
    return group, created


def _access(user: User, group: Group) -> groups.GroupAccess:
    db.session.flush()
    return groups.open_group(user, group.slug)


def _say(user: User, group: Group, text: str) -> None:
    room = chat.group_room_conversation(group.id)
    chat_sending.send_message(user, _access(user, group), room, client_id=f"demo-{uuid.uuid4()}", body=text)


def _seed_young_people(group: Group, p: dict[str, User]) -> None:
    topic = forum.create_topic(
        p["youthworker"], _access(p["youthworker"], group),
        title="Welcome! Start here",
        body="Hi everyone, I'm Ravi. This is *your* place: be kind, keep other people's stories here, "
        "and tell me if something worries you.\n\nWhat would you like this group to be about?",
        as_coach=True,
    ).topic  # fmt: skip
    topic.pinned = True
    forum.reply(
        p["sam"],
        _access(p["sam"], group),
        topic.id,
        body="Hi! Mostly how to deal with school when you miss a lot of days.",
    )
    forum.reply(p["noor"], _access(p["noor"], group), topic.id, body="Same. And how to explain it to friends.")
    exams = forum.create_topic(
        p["noor"], _access(p["noor"], group),
        title="Exams while in and out of hospital",
        body="I have my exams in spring and I keep missing weeks. Did anyone get extra time or split exams?",
    ).topic  # fmt: skip
    forum.reply(
        p["milan"],
        _access(p["milan"], group),
        exams.id,
        body="My mentor arranged split exams. Ask your school's care coordinator!",
    )
    forum.reply(
        p["youthworker"], _access(p["youthworker"], group), exams.id,
        body="Good tip, Milan. Noor, schools can make a **personal plan**; I can help you prepare that talk.",
        as_coach=True,
    )  # fmt: skip
    _say(p["sam"], group, "Anyone else awake? Hospital nights are so long")
    _say(p["noor"], group, "Yes! Watching a series with the sound really low 😄")
    _say(p["youthworker"], group, "Evening both. I'm online until 22:00 if you want to talk.")


def _seed_parents(group: Group, p: dict[str, User]) -> None:
    topic = forum.create_topic(
        p["alex"], _access(p["alex"], group),
        title="Night care: how do you get enough sleep?",
        body="Our daughter has a feeding pump at night and alarms go off 3-4 times. How do you share the nights?",
        content_warning="medical detail",
    ).topic  # fmt: skip
    forum.reply(
        p["fatima"],
        _access(p["fatima"], group),
        topic.id,
        body="We take turns per week, and we got night care at home twice a week through the care budget.",
    )
    forum.reply(
        p["nurse"], _access(p["nurse"], group), topic.id,
        body="Many parents find a fixed rota helps. Ask your home-care team about *respite nights*; "
        "it is often possible to arrange.",
        as_coach=True,
    )  # fmt: skip
    _say(p["fatima"], group, "Did anyone go to the parents' evening at the hospital last week?")
    _say(p["alex"], group, "Yes, the talk about school was really useful. Slides are on the hospital site.")
    # The group checks a new member's first post: Jordan's question waits in the moderation queue.
    group.premoderation, group.premoderation_first_posts = "new_members", 1
    db.session.flush()
    forum.create_topic(
        p["jordan"], _access(p["jordan"], group),
        title="New here: tube feeding at school?",
        body="Hello, we're new. Our son starts school in January with tube feeding. Who did that at school?",
    )  # fmt: skip


def seed_demo() -> list[str]:
    if current_app.config.get("ENV_NAME") == "production" or not current_app.config.get("DEMO_ALLOWED", False):
        raise DemoRefused("The demo community cannot be created under the production configuration.")
    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
    people = {u: _person(u, name, year, lang, password) for u, name, year, lang in PEOPLE}
    admin = people["admin"]
    if not admin.is_admin:  # "admin" was taken by a non-admin account; act as any real admin instead
        admin = db.session.scalar(select(User).where(User.is_admin.is_(True)).limit(1)) or admin
    consent_demo.seed(admin, list(people.values()))  # documents and agreement, or sign-in stops
    young, _ = _group(admin, YOUNG, people)
    parents, _ = _group(admin, PARENTS, people)
    for group, seed in ((young, _seed_young_people), (parents, _seed_parents)):
        if not db.session.scalar(select(func.count()).select_from(Topic).where(Topic.group_id == group.id)):
            seed(group, people)
    professionals_demo.seed(admin, people)  # approved professional profiles
    db.session.commit()
    shown = "the DEMO_PASSWORD you set" if os.environ.get("DEMO_PASSWORD") else f"'{password}'"
    return [
        "Demo community ready.",
        f"Accounts: {', '.join(u for u, *_ in PEOPLE)}; password: {shown}.",
        "sam is in 'Young people' only; alex is in 'Parents of children with intensive care needs' only.",
    ]
