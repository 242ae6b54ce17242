"""Admin forms. They only shape the input; the services decide what is allowed and say what to fix.

Choice fields do not validate their choices here (``validate_choice=False``): the service refuses an unknown
value with a sentence tied to the field, the same way for the pages, the CLI and the tests.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from community.core.forms import select_choices
from community.groups import forms as groups_forms
from community.groups.labels import ROLE_LABELS

KIND_LABELS = {
    "young_people": _l("Young people"),
    "parents": _l("Parents"),
    "family": _l("Family and friends"),
    "other": _l("Other"),
}


def choices(labels: dict) -> list[SelectChoice]:
    return select_choices(labels.items())


STATE_LABELS = {
    "active": _l("Active"),
    "archived": _l("Archived"),
    "muted": _l("Muted"),
    "suspended": _l("Suspended"),
    "removed": _l("Removed"),
    "paused": _l("Paused"),
    "deleted": _l("Deleted"),
}


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    description = TextAreaField(_l("Description (members see it)"), validators=[Length(max=2000)])
    kind = SelectField(_l("Kind of group"), choices=choices(KIND_LABELS), validate_choice=False)


class GroupSettingsForm(groups_forms.GroupSettingsForm):
    """The manager's settings and, for the admin only, the kind of group."""

    kind = SelectField(_l("Kind of group"), choices=choices(KIND_LABELS), validate_choice=False)


class AddMemberForm(FlaskForm):
    username = StringField(_l("Username of an existing account"), validators=[Length(max=64)])
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS), validate_choice=False)


class RoleForm(FlaskForm):
    role = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (staff only; the member does not see it)"), validators=[Length(max=1000)])


class RemoveForm(ReasonForm):
    revoke_codes = BooleanField(
        _l("Also withdraw the invitation they joined with, so nobody else can join with it"), default=True
    )


class SuspendForm(ReasonForm):
    until = DateField(_l("Suspended until (optional; empty: until an admin lifts it)"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A button with a CSRF token: for actions that need no input but must be a deliberate POST."""


class AccountSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search that changes nothing

    q = StringField(_l("Username, display name or email"), validators=[Length(max=100)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    group = SelectField(_l("Group"), validate_choice=False)
    # Searching the log: who, on what, and when.
    actor = StringField(_l("Done by (username)"), validators=[Length(max=64)])
    target_type = StringField(_l("On (kind, e.g. user, post, message)"), validators=[Length(max=32)])
    target_id = StringField(_l("On (number)"), validators=[Length(max=12)])
    since = DateField(_l("From (date)"), validators=[Optional()])
    until = DateField(_l("Up to and including (date)"), validators=[Optional()])


TOPIC_LABELS = {
    "suicide": _l("Suicide"),
    "self_harm": _l("Self-harm"),
    "abuse": _l("Abuse"),
    "medical_emergency": _l("Medical emergency"),
}


class HelplineForm(ReasonForm):
    """A helpline; the service checks the numbers, the web address, the language and the topics."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    phone = StringField(_l("Phone number (optional)"), validators=[Length(max=80)])
    sms = StringField(_l("Number to text (optional)"), validators=[Length(max=80)])
    url = StringField(_l("Web address (optional)"), validators=[Length(max=400)])
    hours = StringField(_l("When it is open (optional)"), validators=[Length(max=200)])
    description = TextAreaField(_l("Who it is for (optional)"), validators=[Length(max=400)])
    language = SelectField(_l("Shown to"), validate_choice=False)
    topics = SelectMultipleField(_l("First line for (optional)"), choices=choices(TOPIC_LABELS), validate_choice=False)
    acute = BooleanField(_l("An emergency number (shown first, to someone in danger)"))
    position = IntegerField(
        _l("Place in the list (lower comes first)"),
        default=0,
        validators=[InputRequired(message=_l("Give a place in the list from 0 to 999."))],
    )
    active = BooleanField(_l("Shown"), default=True)
