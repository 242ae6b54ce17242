"""Words and small look-ups for the moderation pages, as template globals: the names of queue kinds, actions and
states, the sentence a member reads about a decision, durations, and the per-request member look-ups (whether
to show the "Moderation" link, whom the reader muted)."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.moderation import bp, reports, safety

KIND_LABELS = {
    "held": _l("Held by the filters"),
    "report": _l("Reported"),
    "appeal": _l("Appeal"),
    "safeguarding": _l("Safeguarding"),
    "conflict": _l("Heated conversation"),
}
ACTION_LABELS = {
    "approve": _l("Approved"), "edit_approve": _l("Edited and approved"), "refuse": _l("Refused"),
    "rephrase": _l("Sent back to rephrase"), "hide": _l("Hidden"), "delete": _l("Deleted"),
    "dismiss": _l("Reports dismissed"), "warn": _l("Warning"), "mute": _l("Muted in the group"),
    "suspend": _l("Suspended from the group"), "remove": _l("Removed from the group"),
    "uphold": _l("Appeal answered: decision kept"), "overturn": _l("Appeal answered: decision undone"),
    "appeal_upheld": _l("Appeal answered: decision kept"), "appeal_overturned": _l("Appeal answered: decision undone"),
    "sanction_ended": _l("Mute or suspension ended"),
}  # fmt: skip
STATE_LABELS = {
    "published": _l("published"), "held": _l("waiting for a moderator"), "refused": _l("refused"),
    "hidden": _l("hidden"), "removed": _l("deleted"), "deleted": _l("deleted by the writer"),
    "rephrase": _l("waiting for the writer to rephrase"), "active": _l("active"), "muted": _l("muted"),
    "suspended": _l("suspended"),
}  # fmt: skip
SENTENCES = {
    "approve": _l("A moderator approved what you wrote: it is now shown."),
    "edit_approve": _l("A moderator edited what you wrote and then published it."),
    "refuse": _l("A moderator refused what you wrote: it is not shown."),
    "rephrase": _l("A moderator asks you to rephrase what you wrote before it is shown."),
    "hide": _l("A moderator hid what you wrote."),
    "delete": _l("A moderator deleted what you wrote."),
    "warn": _l("A moderator gave you a warning."),
    "mute": _l("A moderator muted you in this group: you can read, but not write, for now."),
    "suspend": _l("A moderator suspended you from this group."),
    "remove": _l("A moderator removed you from this group."),
    "appeal_upheld": _l("Another moderator looked again at your appeal: the decision stands."),
    "appeal_overturned": _l("Another moderator looked again at your appeal and undid the decision."),
    "sanction_ended": _l("Your mute or suspension has ended: you can take part again."),
}


@bp.app_template_global("queue_kind_label")
def queue_kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@bp.app_template_global("action_label")
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@bp.app_template_global("content_state_label")
def content_state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@bp.app_template_global("membership_state_label")
def membership_state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@bp.app_template_global("decision_sentence")
def decision_sentence(row) -> str:
    return str(SENTENCES.get(row.action, ACTION_LABELS.get(row.action, row.action)))


@bp.app_template_global("report_reason_label")
def report_reason_label(code: str) -> str:
    return str(dict(reports.REASONS).get(code, code))


@bp.app_template_global("queue_target_label")
def queue_target_label(item) -> str:
    labels = {
        "post": _("a post"), "message": _("a chat message"), "user": _("a profile"), "appeal": _("an appeal"),
        "topic": _("a topic"), "conversation": _("the chat room"),
        "pro_question": _("a question to the professionals"), "pro_request": _("a request to talk with a professional"),
    }  # fmt: skip
    return labels.get(item.target_type, item.target_type)


@bp.app_template_global("duration_words")
def duration_words(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return _("%(num)d seconds", num=seconds)
    if seconds < 7200:
        return _("%(num)d minutes", num=seconds // 60)
    if seconds < 172800:
        return _("%(num)d hours", num=seconds // 3600)
    return _("%(num)d days", num=seconds // 86400)


@bp.app_template_global("muted_authors")
def muted_authors() -> set[int]:
    """Whose posts and messages collapse for the signed-in member (one query per request)."""
    if not current_user.is_authenticated:
        return set()
    if "kring_muted_authors" not in g:
        g.kring_muted_authors = safety.muted_author_ids(current_user)
    return g.kring_muted_authors


@bp.app_template_global("safety_kinds")
def safety_kinds(other_id: int) -> set[str]:
    return safety.relation_kinds(current_user, other_id)
