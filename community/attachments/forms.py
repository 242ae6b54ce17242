"""The file fields of the forms that share files (the forum's new-topic and reply forms, chat's message box):
image slots, each a file and its description, and one PDF document with its title.

Mixins, so a form gains the fields by inheriting one. The rules (formats, sizes, the description and the title
being required) live in ``attachments.images`` and ``attachments.documents``; the fields only carry the input,
and their names (``image_<n>``, ``image_<n>_alt``, ``document``, ``document_title``) are the ``field`` of the
services' DomainError, so a refusal shows next to the right slot.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField

from community.attachments.documents import CONTENT_TYPE, TITLE_MAX
from community.attachments.images import ALT_MAX, FORMATS, MAX_IMAGES_PER_POST

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


class OneImageMixin:
    """One image slot (chat's message box)."""

    image_1, image_1_alt = _file(1), _alt(1)


class DocumentFieldsMixin:
    document = FileField(_l("PDF document"), render_kw={"accept": CONTENT_TYPE})
    document_title = StringField(_l("Title of the document"), render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})


def image_inputs(form: Any) -> tuple[list[Any], list[str | None]]:
    """The files (None for an empty slot) and their descriptions, slot by slot, for the attaching services."""
    slots = [number for number in SLOTS if hasattr(form, f"image_{number}")]
    files = [getattr(form, f"image_{number}").data for number in slots]
    alt_texts = [getattr(form, f"image_{number}_alt").data for number in slots]
    return files, alt_texts


def document_input(form: Any) -> tuple[Any, str | None]:
    """The document (None when none was chosen) and its title, for the attaching services."""
    return form.document.data, form.document_title.data
