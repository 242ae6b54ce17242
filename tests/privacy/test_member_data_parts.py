"""Each feature that holds personal data adds its own part to a member's export and erasure (the signals in
``community.auth.signals``, answered from each feature's ``member_data`` module): the set of contributors is
the expected one, a second app in the same process connects nothing twice, and the ZIP lists the same files
as before the parts were split up."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from community.auth.signals import (
    member_erasing,
    member_evidence_released,
    member_export_requested,
    member_export_size,
)
from community.extensions import db
from community.privacy.models import DataExport
from tests.conftest import build_app
from tests.consent.helpers import build_world
from tests.factories import post_form
from tests.privacy.content import make_content
from tests.privacy.test_moderation_professional_notification_data import make_extra

WITH_PERSONAL_DATA = {
    "community.auth.member_data",
    "community.groups.member_data",
    "community.accessibility.member_data",
    "community.forum.member_data",
    "community.chat.member_data",
    "community.notifications.member_data",
    "community.moderation.member_data",
    "community.moderation.safeguarding.member_data",
    "community.professionals.member_data",
    "community.consent.member_data",
    "community.events.member_data",
}
# What the ZIP held when privacy still read every feature's tables itself.
ARCHIVE = {
    "README.txt", "profile.json", "posts.json", "messages.json", "reactions.json", "consent_records.json",
    "preferences.json", "notifications.json", "sessions.json", "access_log.json", "moderation.json",
    "safeguarding.json", "professionals.json", "notification_settings.json",
}  # fmt: skip


def contributors(signal) -> list[str]:
    return [receiver.__module__ for receiver in signal.receivers_for(None)]


def test_every_feature_with_personal_data_adds_its_part_once(app):
    assert set(contributors(member_export_requested)) == WITH_PERSONAL_DATA
    assert set(contributors(member_erasing)) == WITH_PERSONAL_DATA
    # Posts and messages are what makes an export large; held evidence is posts, messages and case texts.
    assert set(contributors(member_export_size)) == {"community.forum.member_data", "community.chat.member_data"}
    assert set(contributors(member_evidence_released)) == {
        "community.forum.member_data", "community.chat.member_data", "community.moderation.member_data",
        "community.moderation.safeguarding.member_data",
    }  # fmt: skip
    before = [len(signal.receivers) for signal in (member_export_requested, member_erasing, member_export_size)]
    build_app("sqlite://")  # a second app in the same process
    after = [len(signal.receivers) for signal in (member_export_requested, member_erasing, member_export_size)]
    assert after == before
    for signal in (member_export_requested, member_erasing, member_export_size, member_evidence_released):
        names = contributors(signal)
        assert len(names) == len(set(names))


def test_the_archive_lists_the_same_files_as_before(db_app):
    world = build_world(db_app)
    make_content(world)
    make_extra(world)
    for username, files in (("mia", {"images/1.png"}), ("mona", {"professional/photo.png"}), ("otto", set())):
        client = world.client(username)
        assert post_form(client, "/account/privacy/export", {}, form_page="/account/privacy").status_code == 303
        with world.app.app_context():
            export_id = db.session.scalar(select(DataExport.id).order_by(DataExport.id.desc()))
        archive = zipfile.ZipFile(io.BytesIO(client.get(f"/account/privacy/exports/{export_id}").data))
        assert set(archive.namelist()) == ARCHIVE | files, username
