"""PDF documents members share (a leaflet, a parking map, a care plan): checked with pypdf, stored as sent.

The content decides what it is: the file must start with the PDF header, whatever its name. pypdf then reads
the whole object graph reachable from the document catalogue, and a document is refused when it is larger or
longer than the settings allow (``DOCUMENT_MAX_BYTES``, ``DOCUMENT_MAX_PAGES``), when it cannot be read (broken,
or encrypted with a password we do not have), or when it holds anything that acts rather than shows:
JavaScript, automatic actions (``/AA``, an ``/OpenAction`` that is not a page to open at), form fields (AcroForm,
XFA), embedded or attached files, or actions that start programs or open other files (``/Launch``, ``/GoToR``,
links to anything other than web pages and email addresses). The bytes are stored unchanged only after all that.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from community.core.errors import DomainError

TITLE_MAX = 200
CONTENT_TYPE = "application/pdf"
MAX_OBJECTS = 200_000  # a leaflet has a few thousand; a file with more is refused rather than walked for ever
_LINK_SCHEMES = ("http://", "https://", "mailto:")

# What a key or an action type (/S) says about the document -> which refusal it is.
_SCRIPT = "script"
_FORM = "form"
_EMBEDDED = "embedded"
_LAUNCH = "launch"
_KEYS = {
    "/JS": _SCRIPT,
    "/JavaScript": _SCRIPT,
    "/AA": _SCRIPT,
    "/AcroForm": _FORM,
    "/XFA": _FORM,
    "/EmbeddedFiles": _EMBEDDED,
    "/EmbeddedFile": _EMBEDDED,
    "/RichMedia": _EMBEDDED,
}
_ACTIONS = {
    "/JavaScript": _SCRIPT,
    "/Rendition": _SCRIPT,
    "/SubmitForm": _FORM,
    "/ResetForm": _FORM,
    "/ImportData": _FORM,
    "/GoToE": _EMBEDDED,
    "/RichMediaExecute": _EMBEDDED,
    "/Launch": _LAUNCH,
    "/GoToR": _LAUNCH,
}
_SUBTYPES = {"/FileAttachment": _EMBEDDED, "/RichMedia": _EMBEDDED, "/Widget": _FORM}

# pypdf notes damaged structures of what members upload through logging: noise in an operator's log.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class PreparedDocument:
    """A checked PDF, not yet written anywhere."""

    data: bytes
    title: str
    page_count: int
    content_type: str = CONTENT_TYPE
    extension: str = "pdf"


def _refusal(reason: str) -> DomainError:
    messages = {
        _SCRIPT: _("This PDF contains JavaScript or actions that run by themselves. Please save it as a plain PDF."),
        _FORM: _('This PDF contains a fillable form. Please print it to a plain PDF ("Save as PDF") first.'),
        _EMBEDDED: _("This PDF contains embedded or attached files. Please save it as a plain PDF without them."),
        _LAUNCH: _("This PDF contains actions that open programs or other files. Please save it as a plain PDF."),
    }
    return DomainError(messages[reason], field="document")


def clean_title(title: str | None) -> str:
    text = " ".join((title or "").split())
    if not text:
        raise DomainError(_("Give the document a title, so others know what it is."), field="document_title")
    if len(text) > TITLE_MAX:
        raise DomainError(_("The title can be at most %(max)d characters.", max=TITLE_MAX), field="document_title")
    return text


def _read_limited(upload: Any) -> bytes:
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    stream = getattr(upload, "stream", upload)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise DomainError(
            _("The document is larger than %(mb)s MB. Please choose a smaller file.", mb=_megabytes(limit)),
            field="document",
        )
    return data


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.3g}"


def _objects(root: PdfObject) -> Iterator[DictionaryObject]:
    """Every dictionary reachable from ``root`` (through dictionaries and arrays), each indirect object once
    (cycles are common: a page names its parent)."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    count = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        count += 1
        if count > MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _finding(item: DictionaryObject) -> str | None:
    """Why this dictionary makes the document unsafe to pass on, or None."""
    for key in item:
        if key in _KEYS:
            return _KEYS[key]
    action = item.get("/S")
    if isinstance(action, NameObject) and action in _ACTIONS:
        return _ACTIONS[action]
    subtype = item.get("/Subtype")
    if isinstance(subtype, NameObject) and subtype in _SUBTYPES:
        return _SUBTYPES[subtype]
    if isinstance(action, NameObject) and action == "/URI":
        uri = item.get("/URI")
        uri = uri.get_object() if isinstance(uri, IndirectObject) else uri
        if not isinstance(uri, str) or not uri.strip().lower().startswith(_LINK_SCHEMES):
            return _LAUNCH  # a link that opens a file or a program rather than a web page or an email
    return None


def _check(data: bytes) -> int:
    """The page count of a PDF that passed every check; DomainError otherwise."""
    unreadable = DomainError(
        _("This file is not a PDF we can read. Only PDF documents can be added, at most %(pages)d pages.",
          pages=current_app.config["DOCUMENT_MAX_PAGES"]),
        field="document",
    )  # fmt: skip
    if not data.startswith(b"%PDF-"):
        raise unreadable
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DomainError(
                _("This PDF is protected with a password. Please save it without a password first."),
                field="document",
            )
        pages = len(reader.pages)
        finding = None
        if pages <= current_app.config["DOCUMENT_MAX_PAGES"]:
            finding = next(filter(None, map(_finding, _objects(reader.trailer["/Root"]))), None)
    except DomainError:
        raise
    except Exception:  # noqa: BLE001  (a parser of untrusted bytes may raise anything: it is then not readable)
        raise unreadable from None
    if pages < 1:
        raise unreadable
    if pages > current_app.config["DOCUMENT_MAX_PAGES"]:
        raise DomainError(
            _("The document has %(n)d pages; at most %(max)d can be added. Please share a shorter part.",
              n=pages, max=current_app.config["DOCUMENT_MAX_PAGES"]),
            field="document",
        )  # fmt: skip
    if finding is not None:
        raise _refusal(finding)
    return pages


def prepare_document(upload: Any, title: str | None) -> PreparedDocument:
    """Check one upload (a file-like object or a werkzeug ``FileStorage``) and its title. Raises DomainError
    (field ``document`` or ``document_title``) with what to do; reads at most ``DOCUMENT_MAX_BYTES`` + 1."""
    text = clean_title(title)
    data = _read_limited(upload)
    return PreparedDocument(data, text, _check(data))
