"""Finding "@Display Name" of a group's members in sanitized HTML, and linking each to their profile: the pure
name matching both the forum (posts) and chat (messages) use. Telling the people mentioned is each feature's own
(``forum/mentions.py``, ``chat/notices.py``).

Why display names and not usernames: a username is the login name, which only admins see
(``auth.policy.can_see_private_details``); members know each other by display name only. Display names are not
unique, so a name two people in the group share is left as plain text and nobody is told (never the wrong person).

Why this is safe: mentions are found in the sanitizer's output, never in the source. Only text outside tags,
links and code is looked at; the text is unescaped, the matched "@Name" is escaped again and wrapped in a link
built here from a member id, and the result goes through the sanitizer's cleaner once more. Member text cannot
make this produce anything the sanitizer would not.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import func, or_, select

from community.auth.models import User
from community.auth.names import DISPLAY_NAME_MAX, DISPLAY_NAME_MIN
from community.core.sanitize import clean_html
from community.extensions import db
from community.groups.models import Membership
from community.groups.policy import READING_STATES

SITES_LOOKED_AT = 50  # "@" signs examined per post, so a post full of "@" costs a bounded query
_TAG = re.compile(r"(<[^>]*>)")
_SITE = re.compile(r"(?<![\w@])@(?=\w)")  # an "@" that starts a word: not the one inside an email address
_WORD = re.compile(r"\w")
_SKIPPED_ELEMENTS = ("a", "code", "pre")  # a mention inside a link or code stays as written


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _candidates(text: str, start: int) -> list[tuple[int, str, str]]:
    """Possible names after the "@" at ``start``: (end, name as typed, key), longest first.

    A name ends where a word ends (the next character is not a letter, digit or underscore), so "@Sam," and "@Sam Jones"
    are both found, and "@Samantha" is never read as "@Sam".
    """
    tail = text[start + 1 : start + 1 + DISPLAY_NAME_MAX].split("\n", 1)[0]
    found = []
    for end in range(len(tail), DISPLAY_NAME_MIN - 1, -1):
        typed = tail[:end]
        if typed[-1].isspace() or (end < len(tail) and _WORD.match(tail[end])):
            continue
        found.append((start + 1 + end, typed, _key(typed)))
    return found


def _text_segments(body_html: str) -> list[tuple[int, str]]:
    """(index, unescaped text) of the pieces of sanitized HTML outside tags, links and code."""
    parts = _TAG.split(body_html)
    segments, skipping = [], 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            name = re.match(r"</?([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in _SKIPPED_ELEMENTS:
                skipping += -1 if part.startswith("</") else 1
        elif skipping <= 0 and "@" in part:
            segments.append((index, html.unescape(part)))
    return segments


def _members_named(group_id: int, typed_names: set[str]) -> dict[str, int]:
    """Readers of the group whose display name matches one of these, by key; names two people share are
    left out. ASCII case is ignored by the database; other letters must match as typed (SQLite's lower())."""
    if not typed_names:
        return {}
    rows = db.session.execute(
        select(User.id, User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.group_id == group_id,
            Membership.state.in_(READING_STATES),
            User.state == "active",
            or_(
                User.display_name.in_(sorted(typed_names)),
                func.lower(User.display_name).in_(sorted({name.lower() for name in typed_names})),
            ),
        )
        # No LIMIT: a cut-off list could hide the second "Sam" and make the name look unique. The rows are
        # bounded anyway: members of one group whose name is one of at most SITES_LOOKED_AT * 40 candidates.
    ).all()
    wanted = {_key(name) for name in typed_names}
    by_key: dict[str, list[int]] = {}
    for user_id, display_name in rows:
        if _key(display_name) in wanted:
            by_key.setdefault(_key(display_name), []).append(user_id)
    return {key: ids[0] for key, ids in by_key.items() if len(ids) == 1}


def link_mentions(group_id: int, body_html: str) -> tuple[str, list[int]]:
    """Link every "@Name" of a group member in sanitized HTML to their profile.

    Returns the new HTML and the ids of the people mentioned, in order of first mention. Precondition:
    ``body_html`` came from ``core.sanitize.render_markdown``.
    """
    segments = _text_segments(body_html)
    sites: list[tuple[int, int, list[tuple[int, str, str]]]] = []  # (segment, position, candidates)
    for segment, text in segments:
        for match in _SITE.finditer(text):
            if len(sites) >= SITES_LOOKED_AT:
                break
            sites.append((segment, match.start(), _candidates(text, match.start())))
    members = _members_named(group_id, {typed for *_, found in sites for _, typed, _ in found})
    if not members:
        return body_html, []
    parts = _TAG.split(body_html)
    texts = dict(segments)
    mentioned: list[int] = []
    for segment in sorted({segment for segment, _, _ in sites}):
        text, pieces, cursor = texts[segment], [], 0
        for site_segment, position, found in sites:
            if site_segment != segment or position < cursor:
                continue
            match = next(((end, key) for end, _, key in found if key in members), None)
            if match is None:
                continue
            end, key = match
            user_id = members[key]
            pieces.append(html.escape(text[cursor:position], quote=False))
            pieces.append(f'<a href="/people/{user_id}">{html.escape(text[position:end], quote=False)}</a>')
            cursor = end
            mentioned.append(user_id)
        pieces.append(html.escape(text[cursor:], quote=False))
        parts[segment] = "".join(pieces)
    return clean_html("".join(parts)), list(dict.fromkeys(mentioned))
