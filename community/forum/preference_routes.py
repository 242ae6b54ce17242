"""HTTP adapters for the member's forum preferences: the content warnings they keep collapsed
(``forum.warning_preferences``; one of the account pages, under ``/account/``, in the account menu), and muting
a topic from the inbox (``notices.mute_topic_for``)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.forms import form_action
from community.extensions import db, limiter
from community.forum import bp, notices, warning_preferences
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


@bp.route("/notifications/topics/<int:topic_id>/mute", methods=["POST"])
def mute_topic(topic_id: int) -> Response:
    """From the inbox: stop (or start again) hearing about a topic. The address stays under /notifications."""
    muted = request.form.get("muted") == "1"
    slug = notices.mute_topic_for(current_user, topic_id, muted=muted)  # NotFound for a topic one cannot read
    db.session.commit()
    flash(_("You will not hear about this topic any more.") if muted else _("You will hear about this topic again."),
          "success")  # fmt: skip
    return redirect(url_for("forum.topic_page", slug=slug, topic_id=topic_id), 303)
