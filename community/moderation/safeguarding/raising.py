"""The "I'm worried about this person" form page, for the adapters of the features that own the post or message
(``forum.routes``, ``chat.page_routes``): they find what the worry is about with their own read rules, and this
shows the form, calls ``services.raise_concern``, commits once and redirects, or shows the form again with the
reason (HTTP 400)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.errors import NotFound
from community.core.forms import form_action
from community.core.security import member_limit
from community.moderation.safeguarding import helplines, services
from community.moderation.safeguarding.forms import ConcernForm

Page = str | Response | tuple[str, int]
# Per member, one allowance for every "I'm worried" page and the safeguarding:raise socket event (same bucket).
raise_limit = member_limit("SAFEGUARDING_RAISE_RATE", services.RAISE_LIMIT_SCOPE, methods=["POST"])


def concern_page(about: services.ConcernTarget, cancel_url: str, context: dict[str, Any]) -> Page:
    form = ConcernForm()
    if form.validate_on_submit():
        # A refusal about the note goes beside it, any other above the form.
        with form_action(form, passes=(NotFound,), flash_unplaced=False) as action:
            services.raise_concern(current_user, about, note=form.note.data or "", danger_now=form.danger_now.data)
        form_error = action.message
        if action.ok:
            flash(
                _(
                    "Thank you for telling us. The group's moderators have been alerted and will look at this "
                    "soon. You did the right thing."
                ),
                "posted",
            )
            return redirect(url_for("safeguarding.help_page", raised=1), 303)
    else:
        form_error = None
    html = render_template(
        "moderation/safeguarding/raise.html",
        form=form,
        form_error=form_error,
        cancel_url=cancel_url,
        lines=helplines.helplines(current_user.language),
        **context,
    )
    return html, 400 if request.method == "POST" else 200
