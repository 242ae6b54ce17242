"""PDF files for tests, made with pypdf's writer: a plain leaflet, and each kind of file the checks refuse."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _writer(pages: int = 1) -> PdfWriter:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    return writer


def leaflet(pages: int = 2) -> bytes:
    """A plain PDF, as a leaflet is, with a link to a web page."""
    writer = _writer(pages)
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(10), NumberObject(10), NumberObject(100), NumberObject(30)]),
        NameObject("/A"): DictionaryObject({
            NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://example.org/parking"),
        }),
    })  # fmt: skip
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def with_open_action_javascript() -> bytes:
    writer = _writer()
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return _written(writer)


def with_page_additional_actions() -> bytes:
    """JavaScript run when a page opens (/AA on the page), not in the catalogue."""
    writer = _writer()
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    return _written(writer)


def with_names_javascript() -> bytes:
    """A document-level script in the /Names /JavaScript tree, with no open action."""
    writer = _writer()
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})
    tree = DictionaryObject({
        NameObject("/Names"): ArrayObject([TextStringObject("init"), writer._add_object(action)]),
    })  # fmt: skip
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    return _written(writer)


def with_form() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject()})
    return _written(writer)


def with_embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("setup.exe", b"MZ\x90\x00 not really a program")
    return _written(writer)


def with_launch_action() -> bytes:
    writer = _writer()
    launch = DictionaryObject({
        NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("C:\\Windows\\calc.exe"),
    })  # fmt: skip
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(launch)
    return _written(writer)


def with_file_link() -> bytes:
    """A link whose address opens a local file rather than a web page."""
    writer = _writer()
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/A"): DictionaryObject({
            NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("file:///etc/passwd"),
        }),
    })  # fmt: skip
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def many_pages(pages: int = 500) -> bytes:
    return _written(_writer(pages))


def encrypted() -> bytes:
    writer = _writer()
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    return _written(writer)


def restricted() -> bytes:
    """Encrypted with an owner password only (printing restricted, say): it opens without a password, so it
    can be checked, and is taken."""
    writer = _writer()
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    return _written(writer)


# A Windows program renamed to "leaflet.pdf": the name says PDF, the content does not.
RENAMED_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
