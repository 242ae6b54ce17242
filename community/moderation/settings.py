"""A group's moderation settings as the screening reads them: plain values, kept per process.

Every message and post asks, so the row is read through ``core.config_cache`` (dropped when a moderator changes
it). ``None`` stands for the instance defaults (no row, or text outside groups)."""

from __future__ import annotations

from dataclasses import dataclass

from community.core import config_cache
from community.extensions import db
from community.groups.models import Group
from community.moderation.filter_models import GroupModerationSettings


@dataclass(frozen=True)
class SettingsSnapshot:
    """A group's moderation settings as plain values (what the pipeline reads; cached per process)."""

    personal_details_mode: str
    new_member_max_links: int | None
    new_member_max_mentions: int | None
    report_hide_threshold: int | None


SETTINGS_CACHE = "moderation.settings"
config_cache.register(SETTINGS_CACHE, GroupModerationSettings)


def settings_for(group: Group | None) -> SettingsSnapshot | None:
    """The group's settings row as plain values, or None (the instance defaults)."""
    if group is None:
        return None

    def load() -> SettingsSnapshot | None:
        row = db.session.get(GroupModerationSettings, group.id)
        if row is None:
            return None
        return SettingsSnapshot(
            row.personal_details_mode, row.new_member_max_links, row.new_member_max_mentions, row.report_hide_threshold
        )

    return config_cache.cached(SETTINGS_CACHE, group.id, load)
