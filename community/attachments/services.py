"""Storing the checked files of a post or a message, and opening one for a reader.

Who may read a file is decided by the feature that owns it: the forum registers the check for a post's files
(``register_owner("post", ...)``: the group, the topic, the post's state) and chat for a message's
(``"message"``: ``open_conversation``, which logs a staff reading). This package knows neither.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from community.attachments import storage
from community.attachments.documents import PreparedDocument
from community.attachments.images import PreparedImage
from community.attachments.models import Attachment
from community.auth.models import User
from community.core.errors import NotFound
from community.core.time import utcnow
from community.extensions import db

_DB_INT_MAX = 2**31 - 1
OwnerCheck = Callable[[User, Attachment], None]
_OWNERS: dict[str, OwnerCheck] = {}


def register_owner(kind: str, check: OwnerCheck) -> None:
    """``check(actor, attachment)`` returns when the actor may read the file now, and raises NotFound
    otherwise. Called by the owning feature's wiring at start-up: ``"post"`` (forum), ``"message"`` (chat)."""
    _OWNERS[kind] = check


def not_found() -> NotFound:
    return NotFound(_("We could not find that file. It may have been removed."))


def open_attachment(actor: User, attachment_id: int) -> Attachment:
    """The attachment if its owner's feature says the actor may read it now; NotFound otherwise (also for an
    id that does not exist). A staff reading of a private conversation is logged by chat's check, in the
    caller's transaction: the adapter commits it."""
    attachment = db.session.get(Attachment, attachment_id) if 0 < attachment_id <= _DB_INT_MAX else None
    if attachment is None:
        raise not_found()
    check = _OWNERS.get(attachment.owner[0])
    if check is None:
        raise not_found()
    check(actor, attachment)
    return attachment


def store(
    *,
    group_id: int,
    post_id: int | None = None,
    message_id: int | None = None,
    images: Sequence[PreparedImage] = (),
    document: PreparedDocument | None = None,
) -> list[Attachment]:
    """Write the files (already checked: nothing can be refused half-way) and add their rows, in the caller's
    transaction; a rollback removes the files again. Precondition: the owner's feature checked the writer."""
    rows = [
        Attachment(
            kind="image",
            post_id=post_id,
            message_id=message_id,
            group_id=group_id,
            file_name=storage.write(image.data, image.extension),
            content_type=image.content_type,
            byte_size=len(image.data),
            width=image.width,
            height=image.height,
            alt_text=image.alt_text,
            created_at=utcnow(),
        )
        for image in images
    ]
    if document is not None:
        rows.append(
            Attachment(
                kind="document",
                post_id=post_id,
                message_id=message_id,
                group_id=group_id,
                file_name=storage.write(document.data, document.extension),
                content_type=document.content_type,
                byte_size=len(document.data),
                title=document.title,
                page_count=document.page_count,
                created_at=utcnow(),
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return rows


def export_entries(attachments: Sequence[Attachment]) -> tuple[list[dict[str, Any]], dict[str, Path]]:
    """For a member's export: a JSON entry per file and the file itself under ``images/`` or ``documents/``."""
    entries: list[dict[str, Any]] = []
    files: dict[str, Path] = {}
    root = storage.upload_dir()
    for attachment in attachments:
        name = f"{attachment.kind}s/{attachment.id}.{attachment.extension}"
        entry: dict[str, Any] = {"file": name, "kind": attachment.kind}
        if attachment.kind == "image":
            entry["alt_text"] = attachment.alt_text
        else:
            entry |= {"title": attachment.title, "pages": attachment.page_count}
        entries.append(entry)
        files[name] = root / attachment.file_name
    return entries, files


def file_names_of(*, post_ids: Sequence[int] = (), message_ids: Sequence[int] = ()) -> list[str]:
    """The stored files of these posts or messages (before deleting them: the cascade cannot reach the disk)."""
    names: list[str] = []
    if post_ids:
        names += db.session.scalars(select(Attachment.file_name).where(Attachment.post_id.in_(list(post_ids))))
    if message_ids:
        names += db.session.scalars(select(Attachment.file_name).where(Attachment.message_id.in_(list(message_ids))))
    return names
