"""Images and a document added to a post, and who may read them: the forum's side of ``community.attachments``.

A post carries up to ``MAX_IMAGES_PER_POST`` images (each with its description) and one PDF document (with
its title). Everything chosen is checked before any file is written, in the writing service's transaction, so
a refusal leaves nothing behind on disk or in the database. A file is read with its post: by readers of a
published post in a topic they may read; a held post's files by its writer and the group's moderators only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from community.attachments import services as attachments
from community.attachments.documents import prepare_document
from community.attachments.images import MAX_IMAGES_PER_POST, chosen, prepare_images
from community.attachments.models import Attachment
from community.auth.models import User
from community.core.errors import DomainError, NotFound
from community.extensions import db
from community.forum import policy
from community.forum.models import Post, Topic
from community.groups.models import Group
from community.groups.services import GroupAccess, open_group


def _check_writer(actor: User, access: GroupAccess, post: Post) -> None:
    if post.group_id != access.group.id or post.author_id != actor.id or post.state not in ("published", "held"):
        raise NotFound(_("We could not find that post. It may have been removed."))
    if not policy.can_post(actor, access.group, access.membership):
        raise DomainError(_("You cannot write in this group at the moment."))


def _count(post: Post, kind: str) -> int:
    query = select(func.count()).select_from(Attachment).where(Attachment.post_id == post.id, Attachment.kind == kind)
    return db.session.scalar(query) or 0


def attach_files(
    actor: User,
    access: GroupAccess,
    post: Post,
    files: Sequence[Any],
    alt_texts: Sequence[str | None],
    document: Any = None,
    document_title: str | None = None,
) -> list[Attachment]:
    """Add the chosen images and document to a post the actor has just written, in the same transaction.

    Preconditions: ``access`` is the actor's (from ``open_group``) and ``post`` was flushed by the forum's
    writing service in this transaction. ``files`` and ``alt_texts`` are the form's image slots in order (empty
    slots are skipped). Raises DomainError (field ``image_<n>``, ``image_<n>_alt``, ``document`` or
    ``document_title``) and stores nothing when anything is refused.
    """
    _check_writer(actor, access, post)
    has_document = chosen(document)
    if not has_document and (document_title or "").strip():
        raise DomainError(_("Choose the PDF document the title is for, or leave the title empty."), field="document")
    if not has_document and not any(chosen(upload) for upload in files):
        return []  # most posts: no files, no query
    images = []
    if any(chosen(upload) for upload in files):
        images = prepare_images(files, alt_texts, room=MAX_IMAGES_PER_POST - _count(post, "image"))
    prepared_document = None
    if has_document:
        if _count(post, "document"):
            raise DomainError(_("A post can have one document."), field="document")
        prepared_document = prepare_document(document, document_title)
    return attachments.store(group_id=access.group.id, post_id=post.id, images=images, document=prepared_document)


def attach_images(
    actor: User, access: GroupAccess, post: Post, files: Sequence[Any], alt_texts: Sequence[str | None]
) -> list[Attachment]:
    """Images only (see ``attach_files``)."""
    return attach_files(actor, access, post, files, alt_texts)


def check_reader(actor: User, attachment: Attachment) -> None:
    """The forum's owner check for ``attachments.open_attachment``: a post's file is read with its post."""
    group = db.session.get(Group, attachment.group_id)
    post = db.session.get(Post, attachment.post_id, options=[lazyload(Post.attachments)])
    if group is None or post is None:
        raise attachments.not_found()
    access = open_group(actor, group.slug)  # "not found" for a group the actor is not in
    topic = db.session.get(Topic, post.topic_id)
    if topic is None or not policy.can_see_post_images(actor, access.group, access.membership, post, topic):
        raise attachments.not_found()
