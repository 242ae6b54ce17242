"""The registry of notification kinds: what each one is called, whether it points at member content, and how it
reaches people by default.

Every feature that calls :func:`community.notifications.services.notify` uses a kind from this table; an unknown
kind is a programming error and raises :class:`UnknownNotificationKind` at once (nothing is stored).

"Content-bearing" kinds point at something a member wrote (a post, an answer). Their inbox line may show a topic
title to the recipient, who can read it anyway; their emails never do: no email carries member content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

EMAIL_MODES = ("immediately", "daily", "weekly", "never")


class UnknownNotificationKind(ValueError):
    """A feature asked for a kind that is not in :data:`KINDS` (a bug in the caller, never the member's doing)."""


@dataclass(frozen=True)
class Kind:
    name: str
    label: object  # a lazy string: the preferences page and the inbox's heading for the kind
    content_bearing: bool
    in_app: bool = True  # default: shown in the notification centre
    email: str = "daily"  # default email mode, one of EMAIL_MODES
    # One email line per kind; {count} notifications of it. No member text, no names, no group names.
    email_one: object = ""
    email_many: object = ""
    # Default for pushing it to the member's devices (Web Push); the push says email_one/email_many, nothing more.
    push: bool = True
    # One notification per target until the member reads it (a private conversation): further events on the
    # same target add no new row while an unread one is there.
    once_until_read: bool = False


_ALL = (
    Kind("mention", _l("Someone mentioned you"), True, email="immediately",
         email_one=_l("Someone mentioned you."), email_many=_l("You were mentioned %(count)d times.")),
    Kind("reply", _l("Replies to your topics, posts and messages"), True, email="daily",
         email_one=_l("You have a new reply."), email_many=_l("You have %(count)d new replies.")),
    Kind("professional_answer", _l("Answers from a professional"), True, email="immediately",
         email_one=_l("A professional answered your question."),
         email_many=_l("Professionals answered %(count)d of your questions.")),
    Kind("request_accepted", _l("Your request was accepted"), False, email="immediately",
         email_one=_l("One of your requests was accepted."),
         email_many=_l("%(count)d of your requests were accepted.")),
    Kind("request_declined", _l("Your request was declined"), False, email="immediately",
         email_one=_l("One of your requests was declined."),
         email_many=_l("%(count)d of your requests were declined.")),
    Kind("moderation_outcome", _l("Decisions about your posts and messages"), False, email="immediately",
         email_one=_l("A moderator made a decision about something you wrote."),
         email_many=_l("Moderators made %(count)d decisions about what you wrote.")),
    Kind("appeal_outcome", _l("Answers to your appeals"), False, email="immediately",
         email_one=_l("Your appeal has been answered."), email_many=_l("%(count)d of your appeals were answered.")),
    Kind("request_received", _l("Requests to talk with you (professionals)"), True, email="immediately",
         email_one=_l("Someone asked to talk with you."), email_many=_l("%(count)d people asked to talk with you.")),
    Kind("question_waiting", _l("Questions waiting for your team (professionals)"), True, email="daily",
         email_one=_l("A question is waiting for your team."),
         email_many=_l("%(count)d questions are waiting for your team.")),
    Kind("announcement", _l("New announcements in your groups"), True, email="daily",
         email_one=_l("There is a new announcement."), email_many=_l("There are %(count)d new announcements.")),
    # Like a messenger: at once, but once per conversation until the member has read it (chat clears it).
    Kind("private_message", _l("Private messages"), True, email="immediately", once_until_read=True,
         email_one=_l("Someone wrote to you."),
         email_many=_l("You have new private messages in %(count)d conversations.")),
    Kind("chat_mention", _l("Someone mentioned you in a chat"), True, email="immediately",
         email_one=_l("Someone mentioned you in a chat."),
         email_many=_l("You were mentioned %(count)d times in chats.")),
    # Off unless the member asks for it per group (GroupNotificationSetting.new_topics): the forum tells only them.
    Kind("new_topic", _l("New topics in the groups you chose"), True, email="daily",
         email_one=_l("There is a new topic."), email_many=_l("There are %(count)d new topics.")),
    Kind("held_item", _l("Posts and messages waiting for review (moderators)"), False, email="immediately",
         once_until_read=True,
         email_one=_l("Something is waiting for review."),
         email_many=_l("Posts or messages are waiting for review in %(count)d groups.")),
    Kind("safeguarding_case", _l("New safeguarding cases (moderators)"), False, email="immediately",
         email_one=_l("A safeguarding case was opened."),
         email_many=_l("%(count)d safeguarding cases were opened.")),
    # Safeguarding leads: a case nobody took in time. The escalation itself mails the lead (with the link), so
    # the notification's own email is off by default; in-app and push are on.
    Kind("safeguarding_escalation", _l("Safeguarding cases nobody took in time (safeguarding leads)"), False,
         email="never",
         email_one=_l("A safeguarding case needs a lead."),
         email_many=_l("%(count)d safeguarding cases need a lead.")),
    # Events (community/events): not content-bearing, so whom someone muted never hides a reminder or a
    # cancellation; the lines name no event, no place, no group.
    Kind("event_reminder", _l("Reminders of events you are going to"), False, email="immediately",
         email_one=_l("An event you are going to starts soon."),
         email_many=_l("%(count)d events you are going to start soon.")),
    Kind("event_cancelled", _l("Events you were going to that were cancelled"), False, email="immediately",
         email_one=_l("An event you were going to was cancelled."),
         email_many=_l("%(count)d events you were going to were cancelled.")),
)  # fmt: skip
KINDS: dict[str, Kind] = {kind.name: kind for kind in _ALL}


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownNotificationKind(
            f"unknown notification kind {name!r}; add it to community/notifications/kinds.py first"
        ) from None


def email_line(name: str, count: int) -> str:
    kind = get_kind(name)
    return str(kind.email_one) if count == 1 else kind.email_many % {"count": count}


# Where "Open" leads for a target that is not a forum post: (target_id, group slug) -> a path, or None. Features
# register theirs (professionals: "question", "request"; moderation: "queue_item", "appeal"). The page behind the
# link checks access again; a target without a registered link shows as text only.
_TARGET_LINKS: dict[str, Callable[[int | None, str | None], str | None]] = {}


def register_target_link(target_type: str, build: Callable[[int | None, str | None], str | None]) -> None:
    _TARGET_LINKS[target_type] = build


def target_link(target_type: str, target_id: int | None, group_slug: str | None) -> str | None:
    build = _TARGET_LINKS.get(target_type)
    return build(target_id, group_slug) if build else None


# What an inbox line shows of a target that lives in a topic (the forum registers "post"): for one page's targets
# of that type, {target_id: (topic_id, topic_title)} for those still shown. A target left out, or of a type with
# no lookup, shows as no longer available; for a post, "Open" then leads nowhere and no topic can be muted.
TopicLookup = Callable[[list[int]], dict[int, tuple[int, str]]]
_TARGET_TOPICS: dict[str, TopicLookup] = {}


def register_target_topics(target_type: str, lookup: TopicLookup) -> None:
    _TARGET_TOPICS[target_type] = lookup


def target_topics(target_type: str, target_ids: list[int]) -> dict[int, tuple[int, str]]:
    lookup = _TARGET_TOPICS.get(target_type)
    return lookup(sorted(set(target_ids))) if lookup and target_ids else {}


register_target_link("announcement", lambda _id, slug: f"/g/{slug}" if slug else None)
register_target_link("professional_request", lambda target_id, _slug: f"/professionals/requests/{target_id}")
register_target_link(
    "professional_question", lambda target_id, slug: f"/g/{slug}/questions/{target_id}" if slug else None
)
register_target_link("moderation_action", lambda target_id, _slug: f"/decisions/{target_id}")
register_target_link("group", lambda _id, slug: f"/g/{slug}" if slug else None)
