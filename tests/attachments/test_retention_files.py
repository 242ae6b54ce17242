"""Retention takes the files with their posts and messages: rows and files on disk; newer files stay."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from community.attachments.models import Attachment
from community.auth.models import User
from community.chat import message_files, sending
from community.chat import services as chat
from community.chat.models import Message
from community.core.time import utcnow
from community.extensions import db
from community.forum import post_files
from community.forum import writing as forum
from community.forum.models import Post, Topic
from community.groups import services as groups
from community.groups.models import Group
from community.privacy import retention
from tests.attachments import pdfs
from tests.consent.helpers import build_world


@pytest.fixture
def world(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    world = build_world(app)
    ten_days_ago = utcnow() - timedelta(days=10)
    with app.app_context():
        mia = world.user("mia")
        access = groups.open_group(mia, world.slug)
        old = forum.create_topic(mia, access, title="Old leaflet", body="The old map.")
        post_files.attach_files(mia, access, old.post, [], [], io.BytesIO(pdfs.leaflet()), "Old map")
        new = forum.create_topic(mia, access, title="New leaflet", body="The new map.")
        post_files.attach_files(mia, access, new.post, [], [], io.BytesIO(pdfs.leaflet()), "New map")
        room = chat.open_group_room(mia, access)
        for client_id in ("old", "new"):
            files = message_files.prepare([], [], io.BytesIO(pdfs.leaflet()), f"{client_id} plan")
            sent = sending.send(room, client_id=client_id, body="", files=files)
        db.session.execute(update(Post).where(Post.id == old.post.id).values(created_at=ten_days_ago))
        db.session.execute(update(Topic).where(Topic.id == old.topic.id).values(created_at=ten_days_ago))
        db.session.execute(update(Message).where(Message.client_id == "old").values(created_at=ten_days_ago))
        group = db.session.scalar(select(Group).where(Group.slug == world.slug))
        admin = db.session.scalar(select(User).where(User.is_admin.is_(True)))
        retention.set_group_retention(admin, group, chat_days=7, posts_days=7)
        db.session.commit()
        assert sent.message.attachments
    return world


def test_retention_deletes_the_files_of_old_posts_and_messages_and_keeps_the_new(world):
    root = Path(world.app.config["UPLOAD_DIR"])
    assert len([path for path in root.rglob("*") if path.is_file()]) == 4
    result = world.app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    with world.app.app_context():
        kept = list(db.session.scalars(select(Attachment).order_by(Attachment.id)))
        assert {attachment.title for attachment in kept} == {"New map", "new plan"}
        names = {attachment.file_name for attachment in kept}
    assert {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} == names
