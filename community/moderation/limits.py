"""Link and mention limits for new members (the usual first sign of spam or of a pile-on).

A member is *new* in a group when they have fewer than ``MODERATION_NEW_MEMBER_POSTS`` published posts and
messages there, or joined fewer than ``MODERATION_NEW_MEMBER_DAYS`` days ago. A new member's post or message
may carry at most ``MODERATION_NEW_MEMBER_MAX_LINKS`` links and ``MODERATION_NEW_MEMBER_MAX_MENTIONS``
@mentions; a group's moderation settings can set other counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from community.auth.models import User
from community.core.time import utcnow
from community.groups.models import Group, Membership
from community.moderation import signals
from community.moderation.settings import SettingsSnapshot

_LINK = re.compile(
    r"(?i)(?:\bhttps?://|\bwww\.)[^\s<>()]+|\b[\w-]{2,63}\.(?:nl|com|org|net|eu|io|be|de|info)\b(?:/\S*)?"
)
_MENTION = re.compile(r"(?<![\w@])@[\w.-]{1,40}")


_CODE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]*`|^(?: {4}|\t)[^\n]*", re.DOTALL | re.MULTILINE)
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")


def _outside_code(text: str) -> str:
    """Code is shown as written: a mention or an address in it links nowhere and tells nobody."""
    return _CODE.sub(" ", text)


def count_links(text: str) -> int:
    return len(_LINK.findall(_outside_code(text)))


def count_mentions(text: str) -> int:
    prose = _LINK_TARGET.sub(" ", _outside_code(text))
    return len(_MENTION.findall(_LINK.sub(" ", prose)))


def published_count(user: User, group: Group, limit: int, kinds: Sequence[str] = ("post", "message")) -> int:
    """How many published items of ``kinds`` ``user`` has in ``group``, counting no further than ``limit`` per
    kind. The features that own them answer (``signals.published_count``): moderation keeps no such tables."""
    answers = signals.published_count.send(user_id=user.id, group_id=group.id, limit=limit, kinds=tuple(kinds))
    return sum(count for _receiver, count in answers)


def is_new_member(user: User, group: Group, membership: Membership) -> bool:
    config = current_app.config
    days = config["MODERATION_NEW_MEMBER_DAYS"]
    if membership.joined_at is not None and membership.joined_at > utcnow() - timedelta(days=days):
        return True
    enough = config["MODERATION_NEW_MEMBER_POSTS"]
    return enough > 0 and published_count(user, group, enough) < enough


def limits_for(group: Group, settings: SettingsSnapshot | None) -> tuple[int, int]:
    """(links, mentions) a new member may use in one text in this group."""
    config = current_app.config
    links = config["MODERATION_NEW_MEMBER_MAX_LINKS"]
    mentions = config["MODERATION_NEW_MEMBER_MAX_MENTIONS"]
    if settings is not None:
        links = settings.new_member_max_links if settings.new_member_max_links is not None else links
        mentions = settings.new_member_max_mentions if settings.new_member_max_mentions is not None else mentions
    return links, mentions


def over_limit(
    user: User, group: Group, membership: Membership, text: str, settings: SettingsSnapshot | None
) -> str | None:
    """The reason shown to a new member whose text has too many links or mentions, or None."""
    links, mentions = count_links(text), count_mentions(text)
    max_links, max_mentions = limits_for(group, settings)
    if links <= max_links and mentions <= max_mentions:
        return None
    if not is_new_member(user, group, membership):
        return None
    if links > max_links:
        return _(
            "New members can put at most %(max)d link(s) in a post or message; this one has %(count)d. "
            "Remove some links and send it again.",
            max=max_links,
            count=links,
        )
    return _(
        "New members can mention at most %(max)d people in a post or message; this one mentions %(count)d. "
        "Mention fewer people and send it again.",
        max=max_mentions,
        count=mentions,
    )
