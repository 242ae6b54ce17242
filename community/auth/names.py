"""Usernames and display names: normalised, bounded, and unable to imitate staff."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

from community.core.errors import DomainError

USERNAME_MIN, USERNAME_MAX = 3, 32
DISPLAY_NAME_MIN, DISPLAY_NAME_MAX = 2, 40
USERNAME_PATTERN = re.compile(r"^[\w.-]+$")
# Words that would let a member pass as staff, compared after folding look-alike characters.
RESERVED_WORDS = ("admin", "administrator", "moderator", "kring", "staff", "support", "system", "root")
# A "skeleton" in the spirit of Unicode TR39: characters that look alike share one form, so names that read
# the same compare equal. l, I, i, 1, | and ! all become "l"; Cyrillic and Greek look-alikes become Latin.
CONFUSABLES = str.maketrans({
    "0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s",
    "1": "l", "i": "l", "|": "l", "!": "l", "ı": "l",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "l", "ј": "j",
    "ο": "o", "α": "a", "ι": "l", "ν": "v", "ѕ": "s", "ԁ": "d", "ɑ": "a", "ɡ": "g",
})  # fmt: skip
MULTI_CHARACTER_LOOKALIKES = (("rn", "m"), ("vv", "w"))


def _refuse_invisible(value: str, message: str) -> None:
    for char in value:
        category = unicodedata.category(char)
        # Cc control, Cf format (zero-width joiners, bidi overrides), Co private use, Cs surrogates.
        if category in {"Cc", "Cf", "Co", "Cs", "Cn"}:
            raise DomainError(message)


def skeleton(value: str) -> str:
    """A key for comparing names as a person reads them: NFKC, case-folded, look-alikes folded to one form,
    spaces and punctuation dropped."""
    folded = unicodedata.normalize("NFKC", value).casefold().translate(CONFUSABLES)
    for pair, single in MULTI_CHARACTER_LOOKALIKES:
        folded = folded.replace(pair, single)
    return re.sub(r"[\W_]+", "", folded)


_RESERVED_SKELETONS = frozenset(skeleton(word) for word in RESERVED_WORDS)
# Words that pass for staff even glued to another word ("sysadmin", "moderatorteam"). Only these two: as a
# part of a word, "staff" or "support" are ordinary ("Staffan", "Supportive mum").
_GLUED_SKELETONS = (skeleton("admin"), skeleton("moderator"))


def _words(value: str) -> list[str]:
    """The words of a name, split at spaces, punctuation and camel case ("AdminTeam" is two words)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", unicodedata.normalize("NFKC", value))
    return [word for word in re.split(r"[\W_]+", spaced) if word]


def looks_like_staff(value: str) -> bool:
    """True when a word of the name reads as a staff word ("admin", "Adm1n", "M0derator", "Kring Support"),
    when the whole name does ("S t a f f"), or when it glues admin/moderator to another word ("sysadmin")."""
    if skeleton(value) in _RESERVED_SKELETONS:
        return True
    for word in _words(value):
        key = skeleton(word)
        if key in _RESERVED_SKELETONS or any(key.startswith(g) or key.endswith(g) for g in _GLUED_SKELETONS):
            return True
    return False


def imitates(value: str, staff_names: list[str]) -> bool:
    """True when the name reads the same as one of these staff members' names."""
    key = skeleton(value)
    return any(key == skeleton(name) for name in staff_names if name)


def normalise_username(raw: str, *, allow_staff_words: bool = False) -> tuple[str, str]:
    """Return (username as shown, uniqueness key) or raise a DomainError saying what to change."""
    value = unicodedata.normalize("NFKC", raw or "").strip()
    _refuse_invisible(value, _("Your username contains an invisible or control character. Please type it again."))
    if not USERNAME_MIN <= len(value) <= USERNAME_MAX:
        raise DomainError(
            _(
                "Choose a username of %(username_min)d to %(username_max)d characters.",
                username_min=USERNAME_MIN,
                username_max=USERNAME_MAX,
            ),
            field="username",
        )
    if not USERNAME_PATTERN.match(value):
        raise DomainError(
            _("A username can have letters, digits, dots, dashes and underscores, and no spaces."), field="username"
        )
    if not allow_staff_words and looks_like_staff(value):
        raise DomainError(
            _("That username could be mistaken for a staff member. Please choose another."), field="username"
        )
    return value, value.casefold()


def normalise_display_name(raw: str, *, allow_staff_words: bool = False) -> str:
    value = " ".join(unicodedata.normalize("NFKC", raw or "").split())
    _refuse_invisible(value, _("Your display name contains an invisible or control character. Please type it again."))
    if not DISPLAY_NAME_MIN <= len(value) <= DISPLAY_NAME_MAX:
        raise DomainError(
            _(
                "Choose a display name of %(display_name_min)d to %(display_name_max)d characters.",
                display_name_min=DISPLAY_NAME_MIN,
                display_name_max=DISPLAY_NAME_MAX,
            ),
            field="display_name",
        )
    if not allow_staff_words and looks_like_staff(value):
        raise DomainError(
            _("That name could be mistaken for a staff member. Please choose another."), field="display_name"
        )
    return value
