"""Erasure: the member deletes their account (password re-entered), choosing to remove or anonymise what
they wrote; an admin can erase on request (audited). Afterwards nothing leads back to the person."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from community.auth.models import User
from community.chat.models import Conversation, Message
from community.consent.models import ConsentRecord
from community.core.audit import AuditEntry
from community.extensions import db
from community.forum.models import Post
from community.reactions.models import Reaction
from tests.consent.helpers import agree_all, audit_actions, build_world, publish_required
from tests.factories import PASSWORD, post_form
from tests.privacy.content import make_content


@pytest.fixture
def world(db_app):
    world = build_world(db_app)
    world.content = make_content(world)
    return world


def search(client, query: str) -> str:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def found(html: str) -> bool:
    return 'class="search-result__title"' in html


def erase(client, mode: str, password: str = PASSWORD, confirm: bool = True):
    data = {"mode": mode, "password": password}
    if confirm:
        data["confirm"] = "y"
    return post_form(client, "/account/delete", data)


def snapshot(world) -> tuple:
    with world.app.app_context():
        user = world.user("mia")
        return (user.username, user.email, user.state, db.session.scalar(select(db.func.count()).select_from(Post)),
                db.session.scalar(select(db.func.count()).select_from(Message)))  # fmt: skip


def test_wrong_password_or_no_confirmation_changes_nothing(world):
    client = world.client("mia")
    before = snapshot(world)
    assert erase(client, "remove", password="wrong-password-here").status_code == 400
    assert erase(client, "remove", confirm=False).status_code == 400
    assert erase(client, "neither").status_code == 400
    assert snapshot(world) == before and before[2] == "active"


def test_erasure_with_removal_leaves_nothing_findable(world):
    publish_required(world.app)
    agree_all(world.app, "mia", "otto", "mona", "admin1")
    upload_dir = Path(world.app.config["UPLOAD_DIR"])
    assert (upload_dir / world.content.image_files[0]).exists()
    otto = world.client("otto")
    assert found(search(otto, "zebracorn")) and found(search(otto, "Miaword"))

    response = erase(world.client("mia"), "remove")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    for query in ("zebracorn", "Miaword", "Mia Person", "mia@example.org", "mia"):
        assert not found(search(otto, query)), query
    # Otto's words in mia's topic stay; the topic keeps a placeholder.
    assert found(search(otto, "Ottoword"))
    page = otto.get(f"/g/{world.slug}/t/{world.content.ids['topic']}")
    if page.status_code == 200:
        html = page.get_data(as_text=True)
        assert "Mia Person" not in html and "zebracorn" not in html.lower()
    assert not (upload_dir / world.content.image_files[0]).exists()
    with world.app.app_context():
        user = world.user("mia")
        assert user.state == "deleted" and user.email is None and user.username.startswith("member-")
        assert user.display_name == "former member" and user.password_hash is None
        assert db.session.get(Conversation, world.content.ids["private"]) is None
        assert db.session.scalar(select(Message).where(Message.body_source.like("%Monasecret%"))) is None
        assert db.session.scalar(select(Reaction).where(Reaction.user_id == user.id)) is None
        assert db.session.scalar(select(Post).where(Post.body_source.like("%zebracorn%"))) is None
        # Consent records are evidence: kept, pointing at the pseudonymous account.
        assert db.session.scalar(select(db.func.count()).select_from(ConsentRecord).where(
            ConsentRecord.user_id == user.id)) == 3  # fmt: skip
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.erased"))
        assert entry.actor_id == user.id and entry.details["mode"] == "remove"
    # Signed out: the old session no longer works.
    assert world.client("otto").get(f"/people/{world.ids['mia']}").status_code == 404


def test_anonymising_erasure_keeps_the_words_under_former_member(world):
    otto = world.client("otto")
    assert erase(world.client("mia"), "anonymise").status_code == 303
    html = search(otto, "zebracorn")
    assert found(html) and "former member" in html and "Mia Person" not in html
    for query in ("Mia Person", "mia@example.org"):
        assert not found(search(otto, query))
    page = otto.get(f"/g/{world.slug}/t/{world.content.ids['topic']}").get_data(as_text=True)
    assert "Our zebracorn sleeps badly." in page and "former member" in page and "Mia Person" not in page
    with world.app.app_context():
        post = db.session.get(Post, world.content.ids["post"])
        assert post.author_id is None and post.images == []
        assert db.session.get(Conversation, world.content.ids["private"]) is None


def test_an_admin_erases_on_request_and_it_is_audited(world):
    admin = world.client("admin1")
    path = f"/admin/accounts/{world.ids['mia']}/erase"
    assert world.client("otto").get(path).status_code == 404
    assert (
        post_form(
            world.client("mona"), path, {"mode": "remove", "reason": "asked"}, form_page="/account/privacy"
        ).status_code
        == 404
    )
    no_reason = post_form(admin, path, {"mode": "remove", "reason": ""})
    assert no_reason.status_code == 400 and snapshot(world)[2] == "active"
    assert post_form(admin, path, {"mode": "anonymise", "reason": "Mail of 1 March"}).status_code == 303
    assert "account.erased" in audit_actions(world.app)
    with world.app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.erased"))
        assert entry.actor_id == world.ids["admin1"] and entry.details["by"] == "admin"
        assert db.session.get(User, world.ids["mia"]).state == "deleted"
    # Erased once: the page is gone for good.
    assert admin.get(path).status_code == 404
