"""HTTP adapter for another member's profile (``groups.profiles``; the parts other features add:
``groups.profile_sections``)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from community.groups import bp, profile_sections, profiles


@bp.route("/people/<int:user_id>")
def person(user_id: int) -> str:
    profile = profiles.view_profile(current_user, user_id)  # NotFound becomes a 404 page
    sections = profile_sections.sections_for(current_user, profile.subject)
    return render_template("groups/profile.html", profile=profile, sections=sections)
