"""An image and a PDF document sent with a chat message, and who may read them: chat's side of
``community.attachments``.

A message carries at most one image (with its description) and one document (with its title). They are
checked before the message is sent (``prepare``), and written by ``sending.send`` after the message row, in
its transaction: a refusal of the files or of the message leaves nothing behind. A file is read with its
message, through ``open_conversation`` (so a moderator reads a private conversation's file only on the same
grounds as its words, and the reading is in the access log).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from community.attachments import services as attachments
from community.attachments.documents import PreparedDocument, prepare_document
from community.attachments.images import PreparedImage, chosen, prepare_images
from community.attachments.models import Attachment
from community.auth.models import User
from community.chat import policy
from community.chat.models import Message
from community.chat.services import open_conversation
from community.core.errors import DomainError
from community.extensions import db

MAX_IMAGES_PER_MESSAGE = 1


@dataclass(frozen=True)
class MessageFiles:
    """Checked files, not yet written anywhere."""

    images: Sequence[PreparedImage] = field(default_factory=tuple)
    document: PreparedDocument | None = None

    def __bool__(self) -> bool:
        return bool(self.images) or self.document is not None


def prepare(
    files: Sequence[Any], alt_texts: Sequence[str | None], document: Any = None, document_title: str | None = None
) -> MessageFiles:
    """Check what the message box brought (its empty slots are skipped). Raises DomainError (field
    ``image_1``, ``image_1_alt``, ``document`` or ``document_title``) with what to do."""
    has_document = chosen(document)
    if not has_document and (document_title or "").strip():
        raise DomainError(_("Choose the PDF document the title is for, or leave the title empty."), field="document")
    images = prepare_images(files, alt_texts, room=MAX_IMAGES_PER_MESSAGE) if any(map(chosen, files)) else []
    return MessageFiles(tuple(images), prepare_document(document, document_title) if has_document else None)


def store(message: Message, group_id: int, files: MessageFiles) -> list[Attachment]:
    """Write the checked files of a message just flushed by ``sending.send``, in its transaction."""
    return attachments.store(group_id=group_id, message_id=message.id, images=files.images, document=files.document)


def check_reader(actor: User, attachment: Attachment) -> None:
    """Chat's owner check for ``attachments.open_attachment``: a message's file is read with its message."""
    message = db.session.get(Message, attachment.message_id)
    if message is None:
        raise attachments.not_found()
    access = open_conversation(actor, message.conversation_id)  # logs a staff reading of a private conversation
    if access.group.id != attachment.group_id or not policy.can_see_message(actor, access.membership, message):
        raise attachments.not_found()
    if message.seq <= access.reads_from_seq:  # someone added to a care conversation later reads from then on
        raise attachments.not_found()
