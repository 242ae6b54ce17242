"""Download everything: a ZIP with JSON files and the member's images, for the member alone.

What is in it is what the member made or what is about them: profile, posts (and the titles of topics they
opened), chat messages, reactions, consent records (and the guardian confirmation), preferences,
notifications, sessions, and the access-log lines about them; export_more.py adds moderation, safeguarding,
professionals and notification settings. Nothing of anyone else: no other person's
posts or messages, no other person's name (a notification says "someone", a topic opened by someone else
appears by id only).

Small accounts get their ZIP at once; one with more than EXPORT_INLINE_MAX_ITEMS items is queued and built by
``flask privacy build-exports`` (cron-safe: each run builds what is queued and deletes what has expired).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.accessibility.models import MemberPreferences
from community.auth.models import User, UserSession
from community.chat.models import Conversation, Message
from community.consent import ledger as consent_ledger
from community.consent.models import GuardianConfirmation
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.forum.image_models import PostImage
from community.forum.models import Post, Reaction, Topic
from community.groups import access_log
from community.groups.models import Group
from community.notifications.models import Notification
from community.privacy import export_more
from community.privacy.models import DataExport

BATCH = 500
_test_dir: str | None = None


def export_dir() -> Path:
    configured = current_app.config.get("EXPORT_DIR", "")
    if configured:
        return Path(configured)
    if current_app.testing:
        global _test_dir
        _test_dir = _test_dir or tempfile.mkdtemp(prefix="kring-test-exports-")
        return Path(_test_dir)
    return Path(os.environ.get("KRING_INSTANCE_DIR", Path(current_app.root_path).parent / "instance")) / "exports"


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def item_count(user_id: int) -> int:
    posts = db.session.scalar(select(func.count()).select_from(Post).where(Post.author_id == user_id)) or 0
    messages = db.session.scalar(select(func.count()).select_from(Message).where(Message.author_id == user_id)) or 0
    return posts + messages


def request_export(user: User) -> DataExport:
    """Queue (or, for a small account, build at once) an export. One open request at a time."""
    open_one = db.session.scalar(
        select(DataExport).where(DataExport.user_id == user.id, DataExport.state == "queued").limit(1)
    )
    if open_one is not None:
        raise DomainError(_l("Your download is already being prepared. Come back to this page a little later."))
    export = DataExport(user_id=user.id, state="queued", created_at=utcnow())
    db.session.add(export)
    db.session.flush()
    if item_count(user.id) <= current_app.config["EXPORT_INLINE_MAX_ITEMS"]:
        build(export)
    return export


def exports_of(user: User) -> list[DataExport]:
    return list(
        db.session.scalars(
            select(DataExport).where(DataExport.user_id == user.id).order_by(DataExport.id.desc()).limit(10)
        )
    )


def open_export(user: User, export_id: int) -> Path:
    """The file of the owner's ready, unexpired export. Anyone else's, or a stale one: not found."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != user.id or export.state != "ready" or not export.file_name:
        raise NotFound(_l("We could not find that download. Ask for a new one on your privacy page."))
    if export.expires_at is None or export.expires_at <= utcnow():
        raise NotFound(_l("This download has expired. Ask for a new one on your privacy page."))
    return export_dir() / export.file_name


# --- what goes in ---------------------------------------------------------------------------------------------


def _batched(query: Any, key: Any) -> Any:
    last = 0
    while True:
        rows = db.session.execute(query.where(key > last).order_by(key).limit(BATCH)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0].id


def collect(user: User) -> tuple[dict[str, Any], list[tuple[str, Path]]]:
    """The JSON documents and the image files (name in the ZIP, path on disk) of one member."""
    profile = {
        "username": user.username, "display_name": user.display_name, "email": user.email,
        "language": user.language, "pronouns": user.pronouns, "bio": user.bio, "year_of_birth": user.year_of_birth,
        "state": user.state, "created_at": _when(user.created_at),
    }  # fmt: skip
    posts, images = [], []
    for post, topic, group_name in _batched(
        select(Post, Topic, Group.name).join(Topic, Topic.id == Post.topic_id).join(Group, Group.id == Post.group_id)
        .where(Post.author_id == user.id), Post.id
    ):  # fmt: skip
        files = []
        for image in db.session.scalars(select(PostImage).where(PostImage.post_id == post.id)):
            name = f"images/{image.id}{Path(image.file_name).suffix}"
            files.append({"file": name, "alt_text": image.alt_text})
            images.append((name, Path(current_app.config["UPLOAD_DIR"]) / image.file_name))
        posts.append({
            "id": post.id, "group": group_name, "topic_id": topic.id,
            # A topic's title is its opener's words: included only when that is this member.
            "topic_title": topic.title if topic.author_id == user.id else None,
            "text": post.body_source, "content_warning": post.content_warning, "state": post.state,
            "created_at": _when(post.created_at), "edited_at": _when(post.edited_at), "images": files,
        })  # fmt: skip
    messages = [
        {"id": m.id, "conversation_id": c.id, "conversation": "private" if c.kind == "private" else "group room",
         "group": g, "text": m.body_source, "state": m.state, "created_at": _when(m.created_at),
         "edited_at": _when(m.edited_at)}
        for m, c, g in _batched(
            select(Message, Conversation, Group.name).join(Conversation, Conversation.id == Message.conversation_id)
            .join(Group, Group.id == Conversation.group_id).where(Message.author_id == user.id), Message.id
        )
    ]  # fmt: skip
    reactions = [
        {"kind": r.kind, "post_id": r.post_id, "message_id": r.message_id, "created_at": _when(r.created_at)}
        for (r,) in _batched(select(Reaction).where(Reaction.user_id == user.id), Reaction.id)
    ]
    consent_lines = [
        {"document": line.document.kind, "title": line.document.title, "version": line.version.version,
         "language": line.record.language, "text_hash": line.version.text_hash, "decision": line.record.decision,
         "method": line.record.method, "confirmed_by": line.record.confirmed_by,
         "decided_at": _when(line.record.created_at)}
        for line in consent_ledger.history(user.id, limit=10_000)
    ]  # fmt: skip
    guardians = [
        {"guardian_email": g.guardian_email, "asked_at": _when(g.created_at), "confirmed_at": _when(g.confirmed_at)}
        for g in db.session.scalars(select(GuardianConfirmation).where(GuardianConfirmation.user_id == user.id))
    ]
    preferences_row = db.session.get(MemberPreferences, user.id)
    preferences = (
        {c.key: getattr(preferences_row, c.key) for c in MemberPreferences.__table__.columns if c.key != "user_id"}
        if preferences_row
        else {}
    )
    notifications = [
        # Who caused it is another person: left out.
        {"kind": n.kind, "target_type": n.target_type, "target_id": n.target_id, "created_at": _when(n.created_at),
         "read_at": _when(n.read_at)}
        for (n,) in _batched(select(Notification).where(Notification.user_id == user.id), Notification.id)
    ]  # fmt: skip
    sessions = [
        {"signed_in_at": _when(s.created_at), "last_seen_at": _when(s.last_seen_at), "browser": s.user_agent,
         "ended_at": _when(s.ended_at)}
        for s in db.session.scalars(
            select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id.desc()).limit(500)
        )
    ]  # fmt: skip
    accesses = [
        {"when": _when(e.created_at), "what": e.what, "role": e.role, "on_behalf_of": e.on_behalf_of}
        for e, _name in access_log.entries_about(user.id, limit=10_000)
    ]
    documents = {
        "profile.json": profile, "posts.json": posts, "messages.json": messages, "reactions.json": reactions,
        "consent_records.json": {"records": consent_lines, "guardian_confirmations": guardians},
        "preferences.json": preferences, "notifications.json": notifications, "sessions.json": sessions,
        "access_log.json": accesses,
    }  # fmt: skip
    more, more_files = export_more.collect_more(user)  # moderation, safeguarding, professionals, notifications
    documents.update(more)
    return documents, images + more_files


def _default(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def build(export: DataExport) -> DataExport:
    """Write the ZIP (readable by Kring only) and mark the export ready for EXPORT_TTL_HOURS."""
    user = db.session.get(User, export.user_id)
    if user is None:
        export.state = "failed"
        return export
    documents, images = collect(user)
    folder = export_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(24)}.zip"
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", "Your data from Kring. Each .json file is one kind of data; images/ holds "
                                       "the images you added to your posts; professional/ your profile photo, "
                                       "if you have one.\n")  # fmt: skip
        for file_name, content in documents.items():
            archive.writestr(file_name, json.dumps(content, ensure_ascii=False, indent=2, default=_default))
        for zip_name, disk_path in images:
            if disk_path.is_file():
                archive.write(disk_path, zip_name)
    now = utcnow()
    export.state, export.file_name, export.size_bytes = "ready", name, path.stat().st_size
    export.ready_at, export.expires_at = now, now + timedelta(hours=current_app.config["EXPORT_TTL_HOURS"])
    db.session.flush()
    return export


def build_queued(limit: int = 20) -> tuple[int, int]:
    """For ``flask privacy build-exports``: build what is queued, delete what has expired. Returns (built, expired).
    Each export commits on its own, so a crash loses at most one and a re-run continues."""
    built = expired = 0
    for export in db.session.scalars(
        select(DataExport).where(DataExport.state == "queued").order_by(DataExport.id).limit(limit)
    ).all():
        build(export)
        db.session.commit()
        built += 1
    now = utcnow()
    for export in db.session.scalars(
        select(DataExport).where(DataExport.state == "ready", DataExport.expires_at <= now).limit(1000)
    ).all():
        remove_file(export)
        export.state = "expired"
        db.session.commit()
        expired += 1
    return built, expired


def remove_file(export: DataExport) -> None:
    if export.file_name:
        (export_dir() / export.file_name).unlink(missing_ok=True)
    export.file_name = None
