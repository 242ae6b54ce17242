"""HTTP adapters: the member's home (their groups), a group's page (its sections come from other features:
``page_sections``) and leaving a group."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.forms import form_action
from community.groups import bp, leaving, page_sections, services
from community.groups.forms import LeaveForm


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


@bp.route("/g/<slug>/leave", methods=["GET", "POST"])
def leave_page(slug: str) -> str | Response | tuple[str, int]:
    """What leaving means, then the button (no JavaScript needed); a refusal comes back on the same page."""
    group, membership = leaving.open_leaving(current_user, slug)
    form = LeaveForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            error = _("The form had expired. Please try again.")
            return render_template("groups/leave.html", group=group, form=form, error=error), 400
        with form_action(flash_unplaced=False) as done:
            leaving.leave_group(current_user, slug)
        if done.ok:
            flash(_("You left %(group)s. Your posts stay there under the group's rules.", group=group.name), "success")
            return redirect(url_for("groups.home"), 303)
        return render_template("groups/leave.html", group=group, form=form, error=done.message), 400
    last_moderator = leaving.is_last_moderator_in(group, current_user, membership)
    return render_template("groups/leave.html", group=group, form=form, last_moderator=last_moderator)
