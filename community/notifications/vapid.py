"""The installation's VAPID key (RFC 8292): it signs every push, and its public half is the
``applicationServerKey`` browsers subscribe with, so a push service takes pushes for those subscriptions from
this server only.

VAPID_PRIVATE_KEY when set; otherwise a key made once, at the first need, and kept in the instance folder
(``vapid_private_key.pem``, mode 0600), so ``make run`` needs no step of its own. Two processes starting at once
make one key between them: the file is linked into place only if it is not there yet.
"""

from __future__ import annotations

import base64
import logging
import os
import tempfile
import threading
from email.utils import parseaddr
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from flask import Flask, current_app
from py_vapid import Vapid, VapidException

log = logging.getLogger(__name__)
KEY_FILE = "vapid_private_key.pem"
_EXTENSION = "kring_vapid"
_lock = threading.Lock()


def _from_config(value: str) -> Vapid:
    if "-----BEGIN" in value:
        return Vapid.from_pem(value.encode())
    return Vapid.from_string(value)  # raw (32 bytes) or DER, base64url


def _from_instance(app: Flask) -> Vapid:
    folder = Path(app.instance_path)
    path = folder / KEY_FILE
    if not path.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fresh = Vapid()
        fresh.generate_keys()
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".vapid-")  # mode 0600
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(fresh.private_pem())
            os.link(temporary, path)  # fails if another process was first: its key is the one
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return Vapid.from_pem(path.read_bytes())


def key(app: Flask | None = None) -> Vapid:
    """The signing key, loaded (or made) once per app."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(_EXTENSION)
    if found is None:
        with _lock:
            found = app.extensions.get(_EXTENSION)
            if found is None:
                configured = (app.config.get("VAPID_PRIVATE_KEY") or "").strip()
                found = _from_config(configured) if configured else _from_instance(app)
                app.extensions[_EXTENSION] = found
    return found


def public_key() -> str:
    """The public key as browsers want it: the uncompressed P-256 point, base64url without padding."""
    point = key().public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


def browser_key() -> str | None:
    """The public key for the settings page, or None (with a warning in the log) when it cannot be had, e.g. an
    instance folder that cannot be written and no VAPID_PRIVATE_KEY: the page then offers no push."""
    try:
        return public_key()
    except (OSError, ValueError, VapidException) as error:
        log.warning("no VAPID key, push is off: %s", type(error).__name__)
        return None


def subject() -> str:
    """How a push service reaches the operator: VAPID_SUBJECT, else MAIL_FROM's address, else BASE_URL."""
    config = current_app.config
    if config.get("VAPID_SUBJECT"):
        return config["VAPID_SUBJECT"]
    address = parseaddr(config.get("MAIL_FROM") or "")[1]
    return f"mailto:{address}" if "@" in address else config["BASE_URL"]
