"""Where shared files live: under ``UPLOAD_DIR`` (outside ``static/``), under random names, readable by Kring only.

A file is written only after every check of its upload passed, and removed again if the transaction that
stores its row does not commit; files whose rows go (an erasure, retention) are removed once that commit is
made; ``sweep_orphan_files`` catches the rows the database's cascade removed (a group, a topic deleted).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from community.attachments.models import Attachment
from community.core import jobs
from community.core.transaction import on_commit, on_rollback
from community.extensions import db


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def write(data: bytes, extension: str) -> str:
    """Write the bytes under a new random name (never the uploader's); returns the name relative to UPLOAD_DIR."""
    token = secrets.token_urlsafe(24)
    relative = f"{token[:2]}/{token}.{extension}"
    path = upload_dir() / relative
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    on_rollback(partial(path.unlink, missing_ok=True))  # the row goes with a rollback: the file too
    return relative


def remove_files(file_names: Iterable[str]) -> None:
    root = upload_dir()
    for name in file_names:
        (root / name).unlink(missing_ok=True)


def remove_after_commit(file_names: Iterable[str]) -> None:
    """The files of rows this transaction deletes go once it commits (kept if it rolls back)."""
    names = list(file_names)
    if names:
        on_commit(partial(remove_files, names))


@jobs.job("images.sweep", every=timedelta(days=1))
def sweep_orphan_files(*, grace_seconds: int = 3600) -> int:
    """Remove files under UPLOAD_DIR that no ``attachments`` row names any more: their post, message, topic or
    group was deleted by the database's cascade, which cannot reach the disk. Files younger than
    ``grace_seconds`` are left alone (their transaction may still be running). One query per folder of the
    4,096 ``xx/`` folders. Returns how many files were removed. For a scheduled job or a CLI command."""
    root = upload_dir()
    if not root.is_dir():
        return 0
    cutoff = time.time() - grace_seconds
    removed = 0
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        old = {
            f"{folder.name}/{path.name}": path
            for path in folder.iterdir()
            if path.is_file() and path.stat().st_mtime < cutoff
        }
        if not old:
            continue
        named = set(db.session.scalars(select(Attachment.file_name).where(Attachment.file_name.in_(list(old)))))
        for name, path in old.items():
            if name not in named:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
