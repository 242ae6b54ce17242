"""The HTTP response for a file the reader may see (``services.open_attachment`` said so first).

Images are shown in the page (``inline``): they were re-encoded by us, so their type is ours. Documents are
always a download (``Content-Disposition: attachment``, named after their title), never opened by the
browser in Kring's origin. Both: ``nosniff``, and ``private, no-store`` (health data: never kept by a shared
browser or a proxy).
"""

from __future__ import annotations

import re

from flask import Response, send_from_directory

from community.attachments import storage
from community.attachments.models import Attachment

_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def download_name(attachment: Attachment) -> str:
    """The title as a file name: no path separators or control characters; werkzeug adds ``filename*``."""
    stem = " ".join(_UNSAFE_IN_NAME.sub(" ", attachment.title).split()).strip(". ")[:120] or "document"
    return f"{stem}.{attachment.extension}"


def file_response(attachment: Attachment) -> Response:
    is_document = attachment.kind == "document"
    response = send_from_directory(
        str(storage.upload_dir()),
        attachment.file_name,
        mimetype=attachment.content_type,
        as_attachment=is_document,
        download_name=download_name(attachment) if is_document else None,
        conditional=False,
        etag=False,
        max_age=None,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not is_document:
        response.headers["Content-Disposition"] = "inline"
    return response
