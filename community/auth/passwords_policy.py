"""What a password may not be: one of the most common passwords, or the person's own username or email.

No composition rules ("one digit, one capital"): they make passwords harder to remember, not harder to guess
(NIST SP 800-63B, section 5.1.1.2). A blocklist of passwords attackers try first does more.

The list is ``common_passwords.txt`` beside this module: the 10,000 most common passwords of 8 characters or
more, lower-cased (its first line says where it comes from and under which licence). Shorter ones are refused
by the length rule already, so the list leaves them out.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

from community.core.errors import DomainError

LIST_PATH = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list, read once per process (about 100 KB in memory)."""
    lines = LIST_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _folded(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold().strip()


def is_common_password(password: str) -> bool:
    return _folded(password) in common_passwords()


def check_not_guessable(password: str, *, username: str | None = None, email: str | None = None) -> None:
    """Refuse a common password, or one that is the person's username or email (case does not matter).

    Precondition: the length rules were checked already (``services.check_password_rules`` does both).
    """
    folded = _folded(password)
    if is_common_password(password):
        raise DomainError(
            _(
                "This is one of the most common passwords, so it is easy to guess. "
                "Choose another one, for example a few words that you will remember."
            ),
            field="password",
        )
    if username and folded == _folded(username):
        raise DomainError(_("Your password cannot be your username. Choose something else."), field="password")
    if email and folded == _folded(email):
        raise DomainError(_("Your password cannot be your email address. Choose something else."), field="password")
