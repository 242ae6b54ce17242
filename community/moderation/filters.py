"""Keyword and pattern filters: instance-wide (admins) and per group (the group's moderators).

A rule matches text in one of three ways: ``contains`` (the words anywhere, also inside a longer word),
``word`` (as a whole word or phrase) or ``regex`` (a regular expression). Matching ignores case and
compatibility forms (NFKC), so full-width letters match their plain forms.

Regular expressions are run with RE2 (``moderation/regex.py``), whose matching time grows linearly with the
text whatever the pattern, so no pattern can backtrack catastrophically. A pattern is checked before it is
stored: at most ``MODERATION_REGEX_MAX_LENGTH`` characters, compiled by RE2 (no back-references or
look-arounds), not matching empty text, and a trial run on long hostile texts must finish within
``REGEX_TRIAL_MS`` (linear can still be slow for a huge pattern). A regex only ever searches the first
``MODERATION_REGEX_TEXT_MAX`` characters of a text; a sample text is at most ``SAMPLE_MAX`` characters.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from community.auth.models import User
from community.core import audit, config_cache
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership
from community.moderation import filters_policy as policy
from community.moderation import regex
from community.moderation.filter_models import FILTER_ACTIONS, MATCH_KINDS, KeywordFilter

log = logging.getLogger(__name__)

RULES_MAX = 500  # per scope: a bounded list, read on every screening
PATTERN_MAX, REASON_MAX, SAMPLE_MAX = 200, 200, 2_000
REGEX_TRIAL_MS = 50
_TRIAL_TEXTS = ("a" * 3000 + "!", "ab" * 1500 + "!", " " * 3000 + "x", "0" * 3000 + "-", "word " * 600 + "!")


@dataclass(frozen=True)
class FilterMatch:
    rule_id: int | None  # None: the draft rule being tested on the form
    action: str
    reason: str
    scope: str  # "instance" or "group"


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


# --- checking a rule ----------------------------------------------------------------------------------------


def check_pattern(pattern: str | None, match: str) -> str:
    """The cleaned pattern, or a DomainError (field ``pattern``) saying what to change."""
    pattern = (pattern or "").strip()
    if match not in MATCH_KINDS:
        raise DomainError(_("Choose how the rule matches: contains, whole word or regular expression."), field="match")
    limit = min(PATTERN_MAX, current_app.config["MODERATION_REGEX_MAX_LENGTH"]) if match == "regex" else PATTERN_MAX
    if not pattern or len(pattern) > limit:
        raise DomainError(_("Enter a word, phrase or pattern of 1 to %(max)d characters.", max=limit), field="pattern")
    if match != "regex":
        if len(normalise(pattern).strip()) < 2:
            raise DomainError(_("A word or phrase needs at least 2 letters."), field="pattern")
        return pattern
    try:
        compiled = regex.compile_pattern(pattern)
    except regex.PatternError as error:
        raise DomainError(
            _(
                "This regular expression cannot be used (%(problem)s). Filters do not support back-references "
                "such as \\1 or look-arounds such as (?=...).",
                problem=str(error),
            ),
            field="pattern",
        ) from None
    if compiled.search(""):
        raise DomainError(_("This pattern matches empty text, so it would match every post."), field="pattern")
    started = time.perf_counter()
    for trial in _TRIAL_TEXTS:
        compiled.search(trial)
    if (time.perf_counter() - started) * 1000 > REGEX_TRIAL_MS:
        raise DomainError(_("This pattern is too slow on long texts. Make it simpler."), field="pattern")
    return pattern


def _check_fields(match: str, action: str, reason: str | None) -> str:
    if action not in FILTER_ACTIONS:
        raise DomainError(_("Choose what happens on a match: hold for a moderator, or refuse."), field="action")
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise DomainError(_("Keep the reason to %(max)d characters.", max=REASON_MAX), field="reason")
    return reason


# --- matching -----------------------------------------------------------------------------------------------


@lru_cache(maxsize=2048)
def _compiled(pattern: str, match: str) -> re.Pattern[str] | regex.Regexp | None:
    """The compiled rule. Words and phrases are escaped literals (Python's ``re``, for its Unicode word edges);
    regular expressions go to RE2. None: a stored regex RE2 refuses (saved before filters used RE2)."""
    if match == "regex":
        try:
            return regex.compile_pattern(pattern)
        except regex.PatternError:
            log.warning("A regex filter cannot be compiled by RE2 and is skipped; edit it on the filters page.")
            return None
    words = re.escape(normalise(pattern).strip())
    words = re.sub(r"(\\ )+", r"\\s+", words)  # a phrase matches across any white space
    return re.compile(rf"(?<!\w){words}(?!\w)" if match == "word" else words)


def rule_matches(pattern: str, match: str, text: str) -> bool:
    compiled = _compiled(pattern, match)
    if compiled is None:
        return False
    if match == "regex":
        return compiled.search(text[: current_app.config["MODERATION_REGEX_TEXT_MAX"]]) is not None
    return compiled.search(normalise(text)) is not None


def usable(pattern: str, match: str) -> bool:
    """False for a stored regex that RE2 refuses: it matches nothing until a moderator rewrites it."""
    return _compiled(pattern, match) is not None


@dataclass(frozen=True)
class Rule:
    """An enabled rule as plain values (what :func:`matches` reads; cached per process)."""

    id: int
    group_id: int | None
    pattern: str
    match: str
    action: str
    reason: str


RULES_CACHE = "moderation.filters"
config_cache.register(RULES_CACHE, KeywordFilter)


def rules_for(group: Group | None) -> tuple[Rule, ...]:
    """Enabled rules that apply to text in ``group`` (or outside groups: instance-wide only). Bounded. Every
    message and post asks, so they are kept per process (``core.config_cache``)."""
    group_id = group.id if group is not None else None

    def load() -> tuple[Rule, ...]:
        scope = KeywordFilter.group_id.is_(None)
        if group_id is not None:
            scope = or_(scope, KeywordFilter.group_id == group_id)
        query = select(KeywordFilter).where(KeywordFilter.enabled.is_(True), scope).order_by(KeywordFilter.id)
        return tuple(
            Rule(row.id, row.group_id, row.pattern, row.match, row.action, row.reason)
            for row in db.session.scalars(query.limit(2 * RULES_MAX))
        )

    return config_cache.cached(RULES_CACHE, group_id, load)


def matches(text: str, rules: Sequence[KeywordFilter | Rule]) -> list[FilterMatch]:
    """The rules that match ``text``, refusals first (a refusal decides), in rule order."""
    found = [
        FilterMatch(rule.id, rule.action, rule.reason, "instance" if rule.group_id is None else "group")
        for rule in rules
        if rule_matches(rule.pattern, rule.match, text)
    ]
    return sorted(found, key=lambda hit: hit.action != "refuse")


# --- managing rules -----------------------------------------------------------------------------------------


def _check_manage(actor: User, group: Group | None, membership: Membership | None) -> None:
    if not policy.can_manage_filters(actor, group, membership):
        raise NotFound(_("We could not find that page."))


def list_rules(actor: User, group: Group | None, membership: Membership | None) -> list[KeywordFilter]:
    _check_manage(actor, group, membership)
    scope = KeywordFilter.group_id.is_(None) if group is None else KeywordFilter.group_id == group.id
    return list(db.session.scalars(select(KeywordFilter).where(scope).order_by(KeywordFilter.id).limit(RULES_MAX)))


def get_rule(actor: User, group: Group | None, membership: Membership | None, rule_id: int) -> KeywordFilter:
    _check_manage(actor, group, membership)
    rule = db.session.get(KeywordFilter, rule_id) if 0 < rule_id < 2**31 else None
    if rule is None or rule.group_id != (group.id if group else None):
        raise NotFound(_("We could not find that filter. It may have been deleted."))
    return rule


def _count(group: Group | None) -> int:
    scope = KeywordFilter.group_id.is_(None) if group is None else KeywordFilter.group_id == group.id
    return len(db.session.scalars(select(KeywordFilter.id).where(scope).limit(RULES_MAX)).all())


def save_rule(
    actor: User,
    group: Group | None,
    membership: Membership | None,
    *,
    pattern: str,
    match: str,
    action: str,
    reason: str = "",
    enabled: bool = True,
    rule_id: int | None = None,
) -> KeywordFilter:
    """Create (``rule_id`` None) or change a rule. Audited as ``filter.created`` / ``filter.updated``; the
    audit row keeps the settings, not the pattern (a pattern can be a name or a slur)."""
    rule = get_rule(actor, group, membership, rule_id) if rule_id else None
    pattern = check_pattern(pattern, match)
    reason = _check_fields(match, action, reason)
    if rule is None:
        if _count(group) >= RULES_MAX:
            raise DomainError(_("This list has the most filters allowed (%(max)d). Delete one first.", max=RULES_MAX))
        rule = KeywordFilter(group_id=group.id if group else None, created_by_id=actor.id, created_at=utcnow())
        db.session.add(rule)
    rule.pattern, rule.match, rule.action, rule.reason, rule.enabled = pattern, match, action, reason, bool(enabled)
    rule.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "filter.updated" if rule_id else "filter.created",
        actor_id=actor.id,
        target_type="filter",
        target_id=rule.id,
        group_id=group.id if group else None,
        details={"match": match, "action": action, "enabled": bool(enabled)},
    )
    return rule


def delete_rule(actor: User, group: Group | None, membership: Membership | None, rule_id: int) -> None:
    rule = get_rule(actor, group, membership, rule_id)
    audit.record(
        "filter.deleted",
        actor_id=actor.id,
        target_type="filter",
        target_id=rule.id,
        group_id=group.id if group else None,
        details={"match": rule.match, "action": rule.action},
    )
    db.session.delete(rule)
    db.session.flush()


@dataclass(frozen=True)
class SampleResult:
    draft_matches: bool | None  # None: no draft pattern given
    matches: list[FilterMatch]  # saved rules (of this list and, for a group, the instance's) that match


def test_sample(
    actor: User,
    group: Group | None,
    membership: Membership | None,
    sample: str,
    *,
    pattern: str = "",
    match: str = "word",
) -> SampleResult:
    """Which rules match a sample text, before saving: the draft rule, and the saved rules that apply here.
    Nothing is stored. An unsafe or invalid draft is refused with the same words as on saving."""
    _check_manage(actor, group, membership)
    sample = (sample or "").strip()
    if not sample or len(sample) > SAMPLE_MAX:
        raise DomainError(_("Enter a sample text of 1 to %(max)d characters.", max=SAMPLE_MAX), field="sample")
    draft = None
    if (pattern or "").strip():
        draft = rule_matches(check_pattern(pattern, match), match, sample)
    return SampleResult(draft, matches(sample, rules_for(group)))
