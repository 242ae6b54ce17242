"""Helpers for the safeguarding tests: the chat test world (a group with sam, noor and the moderator
youthworker, and otto in another group), plus a moderator of that other group."""

from __future__ import annotations

from sqlalchemy import select

from community.auth.models import User
from community.chat import services as chat_services
from community.core.audit import AuditEntry
from community.extensions import db
from community.groups.models import Group
from community.moderation.safeguarding import services
from community.moderation.safeguarding.models import SafeguardingCase
from tests.chat.helpers import World, build_world
from tests.factories import add_to_group, make_user

CRISIS = "I can't do this anymore. I want to kill myself."
ACUTE = "I am going to kill myself tonight, I have the pills ready."


def safeguarding_world(app) -> World:
    world = build_world(app)
    with app.app_context():
        admin = db.session.get(User, world.ids["admin"])
        other = db.session.get(Group, world.other_group_id)
        elsewhere = make_user("elsewhere_mod")
        add_to_group(admin, other, elsewhere, role="moderator")
        world.ids["elsewhere_mod"] = elsewhere.id
    return world


def cases(app) -> list[SafeguardingCase]:
    with app.app_context():
        rows = list(db.session.scalars(select(SafeguardingCase).order_by(SafeguardingCase.id)))
        db.session.expunge_all()
        return rows


def audit_rows(app, prefix: str = "safeguarding.") -> list[AuditEntry]:
    with app.app_context():
        rows = list(
            db.session.scalars(select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id))
        )
        db.session.expunge_all()
        return rows


def topic_form(client, slug: str, body: str, title: str = "A hard week"):
    from tests.factories import post_form

    return post_form(
        client,
        f"/g/{slug}/topics/new",
        {"title": title, "body": body, "content_warning": ""},
        follow_redirects=True,
    )


def add_matrix_case(people: dict, message_id: int) -> int:
    """For tests/auth/test_authorization_matrix.py: a safeguarding case the group's moderator raised about the
    member's chat message in the group's room."""
    moderator = people["moderator"]
    return services.raise_concern(moderator, chat_services.concern_about_message(moderator, message_id)).case.id
