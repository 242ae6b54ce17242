"""The translated names of group roles (``role_label`` in templates) and of the premoderation modes, for every page
that shows one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "member": _l("Member"),
    "professional": _l("Professional"),
    "moderator": _l("Moderator"),
    "manager": _l("Group manager"),
}

PREMODERATION_LABELS = {
    "none": _l("No: posts appear at once"),
    "new_members": _l("Posts and chat messages by new members"),
    "all": _l("All posts"),
}


def role_label(role: str) -> str:
    """The role's name in the reader's language; an unknown value as it is."""
    label = ROLE_LABELS.get(role)
    return str(label) if label is not None else role
