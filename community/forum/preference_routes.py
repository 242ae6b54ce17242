"""HTTP adapter for the content warnings a member keeps collapsed in the forum (``forum.warning_preferences``).
One of the member's account pages (under ``/account/``, in the account menu), owned by the forum."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.forms import form_action
from community.extensions import limiter
from community.forum import bp, warning_preferences
from community.forum.forms import CollapsedWarningsForm


@bp.route("/account/content-warnings", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def content_warnings() -> str | Response | tuple[str, int]:
    """Which content warnings the member keeps collapsed in the forum."""
    form = CollapsedWarningsForm()
    if form.validate_on_submit():
        with form_action(form, "collapsed_warnings", passes=()) as action:
            warning_preferences.set_collapsed_warnings(current_user, form.collapsed_warnings.data or [])
        if action.ok:
            flash(_("Your choice of content warnings is saved."), "success")
            return redirect(url_for("forum.content_warnings"))
    elif not form.is_submitted():
        form.collapsed_warnings.data = sorted(warning_preferences.collapsed_warnings(current_user))
    return render_template("forum/content_warnings.html", form=form), 400 if form.errors else 200
