"""A small world for the consent and privacy tests: one group with a member, a moderator and an admin."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from community.auth.models import User
from community.consent import documents
from community.consent import services as consent
from community.consent.models import ConsentRecord
from community.core.audit import AuditEntry
from community.extensions import db
from tests.factories import add_to_group, make_group, make_user, sign_in

TEXTS = {
    "terms": "# Terms of use\n\nBe kind to each other.\nNo advertising.",
    "privacy": "# Privacy notice\n\nWe store what you write.\nOnly your group reads it.",
    "health_data": "# Health information\n\nI agree that Kring stores health information I share.",
}


@dataclass
class World:
    app: Flask
    ids: dict[str, int]
    slug: str

    def client(self, username: str | None = None) -> FlaskClient:
        client = self.app.test_client()
        if username:
            sign_in(client, username)
        return client

    def user(self, username: str) -> User:
        return db.session.get(User, self.ids[username])


def build_world(app: Flask) -> World:
    with app.app_context():
        admin = make_user("admin1", admin=True, display_name="Admin One")
        group = make_group(admin, "Parents")
        ids = {"admin1": admin.id}
        for username, role in (("mia", "member"), ("mona", "moderator"), ("otto", "member")):
            person = make_user(
                username, display_name=f"{username.capitalize()} Person", email=f"{username}@example.org"
            )
            add_to_group(admin, group, person, role=role)
            ids[username] = person.id
        return World(app, ids, group.slug)


def publish_required(app: Flask, *, texts: dict[str, str] | None = None) -> dict[str, int]:
    """Publish the three required documents (or a new version of them); returns kind -> version id."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.is_admin.is_(True)))
        result = {}
        for kind, text in (texts or TEXTS).items():
            document = documents.instance_document(kind) or documents.create_document(
                admin, kind=kind, title=kind.title()
            )
            version = documents.publish(admin, documents.save_draft(admin, document, language="en", text=text))
            result[kind] = version.id
        db.session.commit()
        return result


def agree_all(app: Flask, *usernames: str) -> None:
    with app.app_context():
        for username in usernames:
            user = db.session.scalar(select(User).where(User.username == username))
            consent.decide(user, {item.current.id: True for item in consent.missing(user)})
        db.session.commit()


def records(app: Flask, user_id: int | None = None) -> list[tuple]:
    with app.app_context():
        query = select(ConsentRecord).order_by(ConsentRecord.id)
        if user_id is not None:
            query = query.where(ConsentRecord.user_id == user_id)
        return [
            (r.id, r.user_id, r.version_id, r.decision, r.method, r.language, r.confirmed_by, r.created_at)
            for r in db.session.scalars(query)
        ]


def audit_actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
