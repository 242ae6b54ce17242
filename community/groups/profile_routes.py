"""HTTP adapter for another member's profile (``groups.profiles``)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from community.groups import bp, profiles


@bp.route("/people/<int:user_id>")
def person(user_id: int) -> str:
    profile = profiles.view_profile(current_user, user_id)  # NotFound becomes a 404 page
    return render_template("groups/profile.html", profile=profile)
