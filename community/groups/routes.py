"""HTTP adapters: the member's home (their groups) and a group's page (its sections come from other features:
``page_sections``)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from community.groups import bp, page_sections, services


@bp.route("/")
def home() -> str:
    return render_template("groups/home.html", groups=services.memberships_of(current_user))


@bp.route("/g/<slug>")
def group_page(slug: str) -> str:
    access = services.open_group(current_user, slug)
    return render_template(
        "groups/group.html",
        access=access,
        sections=page_sections.sections_for(current_user, access, request.args),
        members=services.member_list(access.group, limit=50),
    )
