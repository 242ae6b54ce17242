"""Two-step sign-in secrets at rest: encrypted with the keys in TWO_FACTOR_KEYS (Fernet: AES-128-CBC with an
HMAC-SHA256, from ``cryptography``), so a copy of the database (a backup, a dump, a stolen disk) does not hand
out anyone's codes. The secret must be readable to check a code, so it cannot be hashed like a password.

The first key encrypts, every key decrypts (MultiFernet). Rotation: put a new key first, run
``flask auth rotate-two-factor-keys`` (re-encrypts every secret with the first key), then drop the old key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select, update

from community.auth.two_factor_models import TwoFactorSetting
from community.core import audit
from community.extensions import db

log = logging.getLogger(__name__)
ROTATE_BATCH = 500


class SecretUnreadable(Exception):
    """No key in TWO_FACTOR_KEYS opens this stored secret (a key was dropped too early, or the wrong one is set)."""


def _keys() -> MultiFernet:
    keys = tuple(current_app.config["TWO_FACTOR_KEYS"])
    cache = current_app.extensions.setdefault("kring_two_factor_keys", {})
    if keys not in cache:
        cache.clear()
        cache[keys] = MultiFernet([Fernet(key) for key in keys])  # config.py checked every key at start
    return cache[keys]


def seal(secret: str) -> str:
    """The stored form of a secret: a Fernet token (url-safe base64 text, ~140 characters for 32)."""
    return _keys().encrypt(secret.encode()).decode()


def unseal(stored: str) -> str:
    try:
        return _keys().decrypt(stored.encode()).decode()
    except InvalidToken:
        log.error("a two-step sign-in secret could not be decrypted: no key in TWO_FACTOR_KEYS fits it")
        raise SecretUnreadable from None


@dataclass
class RotationReport:
    rotated: int = 0
    unreadable: int = 0


def rotate_all(*, batch: int = ROTATE_BATCH) -> RotationReport:
    """Re-encrypt every stored secret with the first key, a batch per transaction (the caller need not commit).
    Rows no key can open are left as they are and counted: the operator still has the key they need to add."""
    report = RotationReport()
    keys = _keys()
    after = -1
    while True:
        rows = db.session.execute(
            select(TwoFactorSetting.user_id, TwoFactorSetting.secret_encrypted)
            .where(TwoFactorSetting.user_id > after)
            .order_by(TwoFactorSetting.user_id)
            .limit(batch)
        ).all()
        if not rows:
            break
        for user_id, stored in rows:
            try:
                rotated = keys.rotate(stored.encode()).decode()
            except InvalidToken:
                report.unreadable += 1
                continue
            db.session.execute(
                update(TwoFactorSetting)
                .where(TwoFactorSetting.user_id == user_id, TwoFactorSetting.secret_encrypted == stored)
                .values(secret_encrypted=rotated)
                .execution_options(synchronize_session=False)
            )
            report.rotated += 1
        after = rows[-1].user_id
        db.session.commit()
    audit.record(
        "two_factor.keys_rotated",
        actor_id=None,
        target_type="instance",
        details={
            "rotated": report.rotated,
            "unreadable": report.unreadable,
            "keys": len(current_app.config["TWO_FACTOR_KEYS"]),
        },
    )
    db.session.commit()
    return report
