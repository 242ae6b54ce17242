"""HTTP adapter serving a shared file to the people who may read where it was shared (others get 404)."""

from __future__ import annotations

from flask import Response, current_app
from flask_babel import gettext as _
from flask_login import current_user

from community.attachments import bp, services
from community.attachments.serving import file_response
from community.extensions import db


@bp.route("/files/<int:attachment_id>")
def download(attachment_id: int) -> Response:
    attachment = services.open_attachment(current_user, attachment_id)
    db.session.commit()  # a staff reading of a private conversation is in the access log
    return file_response(attachment)


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """``340 KB``, ``2.4 MB``: how large a download is, next to its link."""
    if size < 1024 * 1024:
        return _("%(n)s KB", n=max(1, round(size / 1024)))
    return _("%(n)s MB", n=f"{size / 1024 / 1024:.1f}")


@bp.app_template_global("document_hint")
def document_hint() -> str:
    """The hint above a form's document slot: the limits ``attachments.documents`` enforces. It reads only the
    settings, which do not change while the process runs, so kept (cached) forms may show it."""
    return _(
        "A leaflet, a map or a plan as a PDF: at most %(mb)s MB and %(pages)d pages, without forms, scripts or "
        "attached files. Only the people who can read this can download it. If it cannot be sent, choose the "
        "file again.",
        mb=f"{current_app.config['DOCUMENT_MAX_BYTES'] / 1024 / 1024:.3g}",
        pages=current_app.config["DOCUMENT_MAX_PAGES"],
    )
