"""Profile photos: checked and re-encoded by the shared image pipeline (``attachments.images.prepare_image``: Pillow
decodes the content, EXIF/GPS/XMP/ICC are left behind), stored outside ``static/`` under a random name, and
served only to people who may see the profile.

A photo written in a transaction that does not commit is removed again; a replaced photo is removed once the
new one is committed. Photos live in their own folder (``PROFESSIONAL_PHOTO_DIR``), never in the forum's
``UPLOAD_DIR``, whose sweep removes files that no post names.
"""

from __future__ import annotations

import io
import os
import secrets
from functools import partial
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from community.attachments import images
from community.core.errors import DomainError
from community.core.transaction import on_commit, on_rollback

PHOTO_MAX_BYTES = 5 * 1024 * 1024


def photo_dir() -> Path:
    configured = current_app.config.get("PROFESSIONAL_PHOTO_DIR") or ""
    if configured:
        return Path(configured)
    uploads = Path(current_app.config["UPLOAD_DIR"])
    return uploads.parent / f"{uploads.name}-professionals"


def chosen(upload: Any) -> bool:
    """A form's empty file input arrives as a FileStorage without a name."""
    return upload is not None and bool(getattr(upload, "filename", "x"))


def prepare_photo(upload: Any, alt_text: str) -> images.PreparedImage:
    """Check and re-encode. Refuses, with one clear message each, a file that is too large and anything that
    is not a still JPEG, PNG or WebP of acceptable size (including decompression bombs)."""
    stream = getattr(upload, "stream", upload)
    data = stream.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise DomainError(
            _("The photo is larger than %(mb)d MB. Please choose a smaller photo.", mb=PHOTO_MAX_BYTES >> 20),
            field="photo",
        )
    if not data:
        raise DomainError(_("The photo file is empty. Please choose a photo."), field="photo")
    try:
        prepared = images.prepare_image(io.BytesIO(data), alt_text, number=1)
    except DomainError:
        raise DomainError(
            _(
                "This file cannot be used as a photo. Choose a still JPEG, PNG or WebP picture "
                "of at most %(mp)d megapixels.",
                mp=images.MAX_PIXELS // 1_000_000,
            ),
            field="photo",
        ) from None
    return prepared


def write_photo(prepared: images.PreparedImage) -> str:
    """Write under a new random name, readable by Kring only; removed again if the transaction (or the savepoint
    it was written in) rolls back."""
    token = secrets.token_urlsafe(24)
    name = f"{token}.{prepared.extension}"
    folder = photo_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(prepared.data)
    on_rollback(partial(path.unlink, missing_ok=True))
    return name


def forget_photo(name: str | None) -> None:
    """Remove a replaced photo's file once the change is committed (kept if it rolls back)."""
    if name:
        on_commit(partial((photo_dir() / name).unlink, missing_ok=True))
