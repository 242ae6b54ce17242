"""Images members share: checked, re-encoded without metadata, not yet stored (``storage`` writes them).

Every upload is decoded by Pillow (the content decides what it is, never the file name) and only JPEG, PNG and
WebP are taken. The pixels are copied into a fresh image, so EXIF (with GPS positions), XMP, ICC profiles and
text chunks are all left behind; the camera's orientation is applied first and the long side is scaled down to
``MAX_SIDE``. Used by posts, chat messages and profile photos alike.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from community.core.errors import DomainError

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_IMAGES_PER_POST = 4
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048  # the long side after re-encoding: plenty for a screen, small enough to keep pages light
ALT_MAX = 300
JPEG_QUALITY = 85

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


def chosen(upload: Any) -> bool:
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
    picked = [(number, upload) for number, upload in enumerate(uploads, start=1) if chosen(upload)]
    if len(picked) > room:
        raise DomainError(_("A post can have at most %(max)d images.", max=MAX_IMAGES_PER_POST), field="image_1")
    alts = list(alt_texts) + [None] * len(uploads)
    return [prepare_image(upload, alts[number - 1], number=number) for number, upload in picked]
