"""HTTP adapters for private conversations in a group: whom one may talk to (and the conversations one has
there), the moderators' list of the conversations that exist, and starting one.

The conversation itself is a chat page (``chat.conversation_page``, in ``page_routes``).
"""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from community.chat import bp, policy, private
from community.core.forms import form_action
from community.groups.services import GroupAccess, open_group

Page = str | Response | tuple[str, int]


def _page(access: GroupAccess, *, error: str = "", status: int = 200) -> tuple[str, int]:
    before = request.args.get("before", type=int)
    before = before if before and 0 < before < 2**31 else None
    mine, _more = private.my_conversations(current_user, group_id=access.group.id, limit=private.LIST_PAGE)
    overview, overview_more = [], False
    show_overview = policy.can_see_private_conversations_exist(current_user, access.group, access.membership)
    if show_overview:
        overview, overview_more = private.group_private_conversations(current_user, access, before_id=before)
    html = render_template(
        "chat/group_conversations.html",
        access=access,
        form=FlaskForm(),
        partners=private.possible_partners(current_user, access),
        mine=mine,
        overview=overview,
        show_overview=show_overview,
        older_url=(
            url_for("chat.group_conversations", slug=access.group.slug, before=overview[-1].conversation.id)
            if overview_more and overview
            else None
        ),
        error=error,
        can_start_care=policy.is_care_staff_in(current_user, access.group, access.membership),
    )
    return html, status


@bp.route("/g/<slug>/conversations")
def group_conversations(slug: str) -> Page:
    return _page(open_group(current_user, slug))


@bp.route("/g/<slug>/conversations/new", methods=["POST"])
def start_conversation(slug: str) -> Page:
    """Form field ``user_id``: the person to talk to. Opens the conversation the two already have, if any.
    (The CSRF token is checked for every POST before this view runs.)"""
    access = open_group(current_user, slug)
    raw = (request.form.get("user_id") or "").strip()
    if not raw.isdigit() or len(raw) > 10:
        return _page(access, error=_("Choose someone from the list to start a conversation with."), status=400)
    with form_action(passes=(), flash_unplaced=False) as action:  # every refusal is shown on the page
        started = private.start_private_conversation(current_user, access, int(raw))
    if action.error:
        return _page(access, error=str(action.error.message), status=action.error.status_code)
    return redirect(url_for("chat.conversation_page", conversation_id=started.conversation.id), 303)
