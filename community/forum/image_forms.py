"""The image fields of the new-topic and reply forms: four slots, each a file and its description.

A mixin, so the forum's forms gain the fields by inheriting it. The rules (formats, sizes, the description
being required) live in ``forum.images``; the fields only carry the input, and their names (``image_<n>``,
``image_<n>_alt``) are the ``field`` of the service's DomainError, so a refusal shows next to the right slot.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField

from community.forum.images import ALT_MAX, FORMATS, MAX_IMAGES_PER_POST

_ACCEPT = ",".join(content_type for content_type, _extension in FORMATS.values())
SLOTS = tuple(range(1, MAX_IMAGES_PER_POST + 1))


def _file(number: int) -> FileField:
    return FileField(_l("Image %(n)d", n=number), render_kw={"accept": _ACCEPT})


def _alt(number: int) -> StringField:
    return StringField(
        _l("Description of image %(n)d", n=number), render_kw={"maxlength": ALT_MAX, "autocomplete": "off"}
    )


class ImageFieldsMixin:
    image_1, image_1_alt = _file(1), _alt(1)
    image_2, image_2_alt = _file(2), _alt(2)
    image_3, image_3_alt = _file(3), _alt(3)
    image_4, image_4_alt = _file(4), _alt(4)


def image_inputs(form: Any) -> tuple[list[Any], list[str | None]]:
    """The files (None for an empty slot) and their descriptions, slot by slot, for ``images.attach_images``."""
    files = [getattr(form, f"image_{number}").data for number in SLOTS]
    alt_texts = [getattr(form, f"image_{number}_alt").data for number in SLOTS]
    return files, alt_texts
