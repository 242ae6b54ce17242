"""HTTP adapter serving post images, to the members who may see the post (others get 404)."""

from __future__ import annotations

from flask import Response, send_from_directory
from flask_login import current_user

from community.forum import bp, images
from community.groups.services import open_group


@bp.route("/g/<slug>/images/<int:image_id>")
def post_image(slug: str, image_id: int) -> Response:
    access = open_group(current_user, slug)
    image = images.open_image(current_user, access, image_id)
    response = send_from_directory(
        image.directory, image.file_name, mimetype=image.content_type, conditional=False, etag=False, max_age=None
    )
    # Health data: never kept by a shared browser or a proxy. The type is ours (we re-encoded the file).
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
