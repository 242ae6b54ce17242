"""Images in posts: checked, re-encoded without metadata, stored outside ``static/``, served to members only.

Every upload is decoded by Pillow (the content decides what it is, never the file name) and only JPEG, PNG and
WebP are taken. The pixels are copied into a fresh image, so EXIF (with GPS positions), XMP, ICC profiles and
text chunks are all left behind; the camera's orientation is applied first and the long side is scaled down to
``MAX_SIDE``. All images of a post are checked before any file is written, and a file written in a
transaction that does not commit is removed again, so a refusal leaves nothing behind on disk or in the
database.
"""

from __future__ import annotations

import io
import os
import secrets
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from community.auth.models import User
from community.core import jobs
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.core.transaction import on_rollback
from community.extensions import db
from community.forum import policy
from community.forum.image_models import PostImage
from community.forum.models import Post, Topic
from community.groups.services import GroupAccess

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_IMAGES_PER_POST = 4
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048  # the long side after re-encoding: plenty for a screen, small enough to keep pages light
ALT_MAX = 300
JPEG_QUALITY = 85
_DB_INT_MAX = 2**31 - 1

# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; we also turn the warning into a refusal.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Pillow format -> (content type, file extension). Anything else (GIF, SVG, TIFF, BMP, ...) is refused.
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class PreparedImage:
    """A checked, re-encoded image, not yet written anywhere."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    alt_text: str


@dataclass(frozen=True)
class ServedImage:
    directory: str
    file_name: str
    content_type: str


# --- checking and re-encoding (no database, no disk) ---------------------------------------------------------


def _read_limited(upload: Any, number: int) -> bytes:
    stream = getattr(upload, "stream", upload)
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(
            _(
                "Image %(n)d is larger than %(mb)d MB. Please choose a smaller image.",
                n=number,
                mb=MAX_FILE_BYTES >> 20,
            ),
            field=f"image_{number}",
        )
    return data


def _not_an_image(number: int) -> DomainError:
    return DomainError(
        _("Image %(n)d is not a JPEG, PNG or WebP image. Only those can be added to a post.", n=number),
        field=f"image_{number}",
    )


def _too_many_pixels(number: int) -> DomainError:
    return DomainError(
        _(
            "Image %(n)d has too many pixels (at most %(mp)d megapixels). Please choose a smaller image.",
            n=number,
            mp=MAX_PIXELS // 1_000_000,
        ),
        field=f"image_{number}",
    )


def _decode(data: bytes, number: int) -> tuple[Image.Image, str]:
    """Open and fully decode, refusing anything that is not a still JPEG, PNG or WebP of acceptable size.
    Returns the image and its format (a camera's multi-picture JPEG counts as JPEG: its first picture)."""
    try:
        with warnings.catch_warnings():
            # A "decompression bomb" warning (more pixels than MAX_PIXELS) is a refusal, not a note in a log.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            kind = "JPEG" if image.format == "MPO" else image.format
            if kind not in FORMATS:
                raise _not_an_image(number)
            if image.width * image.height > MAX_PIXELS:
                raise _too_many_pixels(number)
            if kind != "JPEG" and getattr(image, "n_frames", 1) > 1:
                raise DomainError(
                    _("Image %(n)d is animated. Please choose a still JPEG, PNG or WebP image.", n=number),
                    field=f"image_{number}",
                )
            if kind == "JPEG":
                # Decode a large photo at a reduced scale straight away: far less memory and time.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(number) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        # Not an image, a format we do not take, or a broken or truncated file.
        raise _not_an_image(number) from None
    return image, kind


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Colours as they were meant, before the ICC profile is dropped; a profile that cannot be used is ignored."""
    if not icc_profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def _clean_pixels(image: Image.Image, icc_profile: bytes | None, keep_alpha: bool) -> Image.Image:
    """A new image holding only the pixels: no EXIF, GPS, XMP, ICC profile, comments or text chunks."""
    has_alpha = keep_alpha and (
        image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    )
    mode = "RGBA" if has_alpha else "RGB"
    converted = _to_srgb(image, icc_profile).convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def prepare_image(upload: Any, alt_text: str | None, *, number: int = 1) -> PreparedImage:
    """Check one upload and re-encode it. ``upload`` is a file-like object or a werkzeug ``FileStorage``;
    ``number`` is its place in the form (1-based), used in messages and as the field name ``image_<number>``."""
    alt = " ".join((alt_text or "").split())
    if not alt:
        raise DomainError(
            _("Describe image %(n)d in a few words, for people who cannot see it.", n=number),
            field=f"image_{number}_alt",
        )
    if len(alt) > ALT_MAX:
        raise DomainError(
            _("The description of image %(n)d can be at most %(max)d characters.", n=number, max=ALT_MAX),
            field=f"image_{number}_alt",
        )
    data = _read_limited(upload, number)
    source, kind = _decode(data, number)
    icc_profile = source.info.get("icc_profile")
    oriented = ImageOps.exif_transpose(source) or source  # apply the camera's rotation before EXIF is dropped
    oriented.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean = _clean_pixels(oriented, icc_profile, keep_alpha=kind != "JPEG")
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif kind == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=JPEG_QUALITY, method=4)
    content_type, extension = FORMATS[kind]
    return PreparedImage(out.getvalue(), content_type, extension, clean.width, clean.height, alt)


def _chosen(upload: Any) -> bool:
    """A form's empty file input arrives as a FileStorage without a name and without content."""
    if upload is None:
        return False
    if getattr(upload, "filename", None) == "" and not getattr(upload, "content_length", 0):
        stream = getattr(upload, "stream", None)
        if stream is None:
            return False
        head = stream.read(1)
        stream.seek(0)
        return bool(head)
    return True


def prepare_images(
    uploads: Sequence[Any], alt_texts: Sequence[str | None], *, room: int = MAX_IMAGES_PER_POST
) -> list[PreparedImage]:
    """Check every chosen upload (slots left empty are skipped) before anything is stored: all or none.
    ``room``: how many more images the post may have; the count is checked before any image is decoded."""
    chosen = [(number, upload) for number, upload in enumerate(uploads, start=1) if _chosen(upload)]
    if len(chosen) > room:
        raise DomainError(_("A post can have at most %(max)d images.", max=MAX_IMAGES_PER_POST), field="image_1")
    alts = list(alt_texts) + [None] * len(uploads)
    return [prepare_image(upload, alts[number - 1], number=number) for number, upload in chosen]


# --- storing ------------------------------------------------------------------------------------------------


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _write(prepared: PreparedImage) -> str:
    """Write the bytes under a new random name (never the uploader's); the file is readable by Kring only."""
    token = secrets.token_urlsafe(24)
    relative = f"{token[:2]}/{token}.{prepared.extension}"
    path = upload_dir() / relative
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(prepared.data)
    on_rollback(partial(path.unlink, missing_ok=True))  # the row goes with a rollback: the file too
    return relative


def attach_images(
    actor: User, access: GroupAccess, post: Post, files: Sequence[Any], alt_texts: Sequence[str | None]
) -> list[PostImage]:
    """Add the chosen images to a post the actor has just written, in the same transaction.

    Preconditions: ``access`` is the actor's (from ``open_group``) and ``post`` was flushed by the forum's
    writing service in this transaction. ``files`` and ``alt_texts`` are the form's slots in order (empty slots
    are skipped). Raises DomainError (field ``image_<n>`` or ``image_<n>_alt``) and stores nothing when any
    image is refused. Files are written only after every check passed, and removed again if the transaction
    does not commit.
    """
    if post.group_id != access.group.id or post.author_id != actor.id or post.state not in ("published", "held"):
        raise NotFound(_("We could not find that post. It may have been removed."))
    if not policy.can_post(actor, access.group, access.membership):
        raise DomainError(_("You cannot write in this group at the moment."))
    if not any(_chosen(upload) for upload in files):
        return []  # most posts: no images, no query
    already = db.session.scalar(select(func.count()).select_from(PostImage).where(PostImage.post_id == post.id)) or 0
    prepared = prepare_images(files, alt_texts, room=MAX_IMAGES_PER_POST - already)
    rows = [
        PostImage(
            post_id=post.id,
            group_id=access.group.id,
            file_name=_write(item),
            content_type=item.content_type,
            width=item.width,
            height=item.height,
            alt_text=item.alt_text,
            created_at=utcnow(),
        )
        for item in prepared
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


# --- serving ------------------------------------------------------------------------------------------------


def open_image(actor: User, access: GroupAccess, image_id: int) -> ServedImage:
    """The file of an image the actor may see; NotFound otherwise (an image of another group, of a post that
    is held for someone else, refused, hidden or removed). Two primary-key lookups, no writes."""
    image = db.session.get(PostImage, image_id) if 0 < image_id <= _DB_INT_MAX else None
    if image is None or image.group_id != access.group.id:
        raise NotFound(_("We could not find that image."))
    post = db.session.get(Post, image.post_id, options=[lazyload(Post.images)])
    topic = db.session.get(Topic, post.topic_id) if post is not None else None
    if post is None or topic is None:
        raise NotFound(_("We could not find that image."))
    if not policy.can_see_post_images(actor, access.group, access.membership, post, topic):
        raise NotFound(_("We could not find that image."))
    return ServedImage(str(upload_dir()), image.file_name, image.content_type)


@jobs.job("images.sweep", every=timedelta(days=1))
def sweep_orphan_files(*, grace_seconds: int = 3600) -> int:
    """Remove files under UPLOAD_DIR that no ``post_images`` row names any more: their post, topic or group was
    deleted by the database's cascade, which cannot reach the disk. Files younger than ``grace_seconds`` are
    left alone (their transaction may still be running). One query per folder of the 4,096 ``xx/`` folders.
    Returns how many files were removed. For a scheduled job or a CLI command."""
    root = upload_dir()
    if not root.is_dir():
        return 0
    cutoff = time.time() - grace_seconds
    removed = 0
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        old = {
            f"{folder.name}/{path.name}": path
            for path in folder.iterdir()
            if path.is_file() and path.stat().st_mtime < cutoff
        }
        if not old:
            continue
        named = set(db.session.scalars(select(PostImage.file_name).where(PostImage.file_name.in_(list(old)))))
        for name, path in old.items():
            if name not in named:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
