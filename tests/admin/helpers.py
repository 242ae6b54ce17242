"""Shared set-up for the admin page tests: a small world built through the real services."""

from __future__ import annotations

import re

from sqlalchemy import select

from community.core.audit import AuditEntry
from community.extensions import db
from community.groups.models import Group, Membership
from tests.factories import add_to_group, make_group, make_user, sign_in


def build_world(app) -> dict:
    """An admin, a group with a member and a moderator, and a second group."""
    with app.app_context():
        boss = make_user("boss", admin=True, display_name="Boss", email="boss@example.org")
        young = make_group(boss, "Young people")
        other = make_group(boss, "Parents together")
        sam = make_user("sam", display_name="Sam", email="sam@example.org")
        mo = make_user("moe", display_name="Moe")
        add_to_group(boss, young, sam)
        add_to_group(boss, young, mo, role="moderator")
        return {"boss": boss.id, "sam": sam.id, "mo": mo.id, "group": young.id, "slug": young.slug, "other": other.id}


def admin_client(app):
    client = app.test_client()
    sign_in(client, "boss")
    return client


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def membership_of(app, world: dict, who: str) -> tuple[Group, Membership]:
    group = db.session.get(Group, world["group"])
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == world["group"], Membership.user_id == world[who])
    )
    return group, membership


def admin_urls(app, world: dict) -> list[tuple[str, str]]:
    """Every admin URL in the app's URL map, filled with real ids, with the methods it answers."""
    values = {"group_id": world["group"], "user_id": world["sam"], "change": "archive"}
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<[^>]*:?{name}>", str(values.get(name, 1)), path)  # other ids: 1
        urls.extend((method, path) for method in sorted(rule.methods & {"GET", "POST"}))
    return urls
