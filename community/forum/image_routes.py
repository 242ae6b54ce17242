"""HTTP adapter serving post images at their forum address, to the members who may see the post (others get
404). The same service and response as ``attachments.download``; kept so the images' addresses stay as they were."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from community.attachments import services as attachments
from community.attachments.serving import file_response
from community.forum import bp
from community.groups.services import open_group


@bp.route("/g/<slug>/images/<int:image_id>")
def post_image(slug: str, image_id: int) -> Response:
    access = open_group(current_user, slug)
    image = attachments.open_attachment(current_user, image_id)
    if image.group_id != access.group.id or image.kind != "image" or image.post_id is None:
        raise attachments.not_found()
    return file_response(image)
