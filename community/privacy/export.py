"""Download everything: a ZIP with JSON files and the member's images, for the member alone.

What is in it is what the member made or what is about them: each feature that holds personal data adds its
part (the ``member_export_requested`` signal; the parts live in each feature's ``member_data`` module): profile
and sessions, posts (and the titles of topics they opened) and reactions, chat messages, consent records (and
the guardian confirmation), preferences, notifications and their settings, moderation, safeguarding,
professionals, and the access-log lines about them. Nothing of anyone else: no other person's posts or
messages, no other person's name (a notification says "someone", a topic opened by someone else appears by id
only).

Small accounts get their ZIP at once; one with more than EXPORT_INLINE_MAX_ITEMS items is queued and built by
``flask privacy build-exports`` (cron-safe: each run builds what is queued and deletes what has expired).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.auth.signals import member_export_requested, member_export_size
from community.core import jobs
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.privacy.models import DataExport

_test_dir: str | None = None


def export_dir() -> Path:
    configured = current_app.config.get("EXPORT_DIR", "")
    if configured:
        return Path(configured)
    if current_app.testing:
        global _test_dir
        _test_dir = _test_dir or tempfile.mkdtemp(prefix="kring-test-exports-")
        return Path(_test_dir)
    return Path(os.environ.get("KRING_INSTANCE_DIR", Path(current_app.root_path).parent / "instance")) / "exports"


def item_count(user: User) -> int:
    """How many items (posts, messages) the export of this member holds: the features answer."""
    return sum(count or 0 for _receiver, count in member_export_size.send(user))


def request_export(user: User) -> DataExport:
    """Queue (or, for a small account, build at once) an export. One open request at a time."""
    open_one = db.session.scalar(
        select(DataExport).where(DataExport.user_id == user.id, DataExport.state == "queued").limit(1)
    )
    if open_one is not None:
        raise DomainError(_l("Your download is already being prepared. Come back to this page a little later."))
    export = DataExport(user_id=user.id, state="queued", created_at=utcnow())
    db.session.add(export)
    db.session.flush()
    if item_count(user) <= current_app.config["EXPORT_INLINE_MAX_ITEMS"]:
        build(export)
    return export


def exports_of(user: User) -> list[DataExport]:
    return list(
        db.session.scalars(
            select(DataExport).where(DataExport.user_id == user.id).order_by(DataExport.id.desc()).limit(10)
        )
    )


def open_export(user: User, export_id: int) -> Path:
    """The file of the owner's ready, unexpired export. Anyone else's, or a stale one: not found."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != user.id or export.state != "ready" or not export.file_name:
        raise NotFound(_l("We could not find that download. Ask for a new one on your privacy page."))
    if export.expires_at is None or export.expires_at <= utcnow():
        raise NotFound(_l("This download has expired. Ask for a new one on your privacy page."))
    return export_dir() / export.file_name


# --- what goes in ---------------------------------------------------------------------------------------------


def collect(user: User) -> tuple[dict[str, Any], list[tuple[str, Path]]]:
    """The JSON documents and the files (name in the ZIP, path on disk) of one member: each feature that holds
    personal data answers ``member_export_requested`` with its part (see that signal)."""
    documents: dict[str, Any] = {}
    files: list[tuple[str, Path]] = []
    names: set[str] = set()
    for receiver, part in member_export_requested.send(user):
        for name, content in (part or {}).items():
            if name in names:  # two features may not write the same file: one would hide the other
                raise RuntimeError(f"{receiver.__module__} answers {name}, which another part already has")
            names.add(name)
            if isinstance(content, Path):
                files.append((name, content))
            else:
                documents[name] = content
    return documents, files


def _default(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def build(export: DataExport) -> DataExport:
    """Write the ZIP (readable by Kring only) and mark the export ready for EXPORT_TTL_HOURS."""
    user = db.session.get(User, export.user_id)
    if user is None:
        export.state = "failed"
        return export
    documents, images = collect(user)
    folder = export_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(24)}.zip"
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", "Your data from Kring. Each .json file is one kind of data; images/ holds "
                                       "the images you added to your posts; professional/ your profile photo, "
                                       "if you have one.\n")  # fmt: skip
        for file_name, content in documents.items():
            archive.writestr(file_name, json.dumps(content, ensure_ascii=False, indent=2, default=_default))
        for zip_name, disk_path in images:
            if disk_path.is_file():
                archive.write(disk_path, zip_name)
    now = utcnow()
    export.state, export.file_name, export.size_bytes = "ready", name, path.stat().st_size
    export.ready_at, export.expires_at = now, now + timedelta(hours=current_app.config["EXPORT_TTL_HOURS"])
    db.session.flush()
    return export


@jobs.job("privacy.build-exports", every=timedelta(minutes=5))
def build_queued(limit: int = 20) -> tuple[int, int]:
    """For ``flask privacy build-exports``: build what is queued, delete what has expired. Returns (built, expired).
    Each export commits on its own, so a crash loses at most one and a re-run continues."""
    built = expired = 0
    for export in db.session.scalars(
        select(DataExport).where(DataExport.state == "queued").order_by(DataExport.id).limit(limit)
    ).all():
        build(export)
        db.session.commit()
        built += 1
    now = utcnow()
    for export in db.session.scalars(
        select(DataExport).where(DataExport.state == "ready", DataExport.expires_at <= now).limit(1000)
    ).all():
        remove_file(export)
        export.state = "expired"
        db.session.commit()
        expired += 1
    return built, expired


def remove_file(export: DataExport) -> None:
    if export.file_name:
        (export_dir() / export.file_name).unlink(missing_ok=True)
    export.file_name = None
