"""Invitation forms. They only shape the input; the rules live in community.groups.invitations."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from community.core.forms import language_choices, select_choices
from community.groups.labels import role_label

DAY_CHOICES = select_choices(
    [("1", _l("1 day")), ("3", _l("3 days")), ("7", _l("7 days")), ("14", _l("14 days")), ("30", _l("30 days"))]
)


def role_choices(roles: Sequence[str]) -> list[SelectChoice]:
    """The roles the inviting person may give, in the order of ``ROLES``."""
    return select_choices([(role, role_label(role)) for role in roles])


class AcceptForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    language = SelectField(_l("Language"), choices=[], validate_choice=True)
    year_of_birth = StringField(_l("Year of birth (optional)"), validators=[Optional(), Length(max=8)])
    # Asked when the year of birth says the person is younger than MINOR_CONSENT_AGE: a guardian confirms.
    guardian_email = StringField(_l("Email address of a parent or guardian"), validators=[Optional(), Length(max=254)])
    consent = BooleanField(_l("I agree to the terms of use and the privacy notice"))
    submit = SubmitField(_l("Create my account and join"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class JoinForm(FlaskForm):
    submit = SubmitField(_l("Join"))


class CodeForm(FlaskForm):
    code = StringField(_l("Invitation code"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Continue"))


class StaffForm(FlaskForm):
    class Meta:
        # Three forms share one page under prefixes; the app-wide CSRFProtect checks the page's single
        # csrf_token on every POST, so the forms do not each carry (and check) their own prefixed copy.
        csrf = False


class EmailInviteForm(StaffForm):
    email = StringField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[], validate_choice=False)  # the service says which roles one may give
    days = SelectField(_l("Valid for"), choices=DAY_CHOICES, default="7")
    submit = SubmitField(_l("Send the invitation"))


class CodeInviteForm(StaffForm):
    role = SelectField(_l("Role"), choices=[], validate_choice=False)  # the service says which roles one may give
    days = SelectField(_l("Valid for"), choices=DAY_CHOICES, default="7")
    max_uses = StringField(_l("How many people may use it (optional)"), validators=[Optional(), Length(max=6)])
    submit = SubmitField(_l("Create a code"))


class BulkInviteForm(StaffForm):
    emails = TextAreaField(_l("Email addresses"), validators=[DataRequired(), Length(max=100_000)])
    role = SelectField(_l("Role"), choices=[], validate_choice=False)  # the service says which roles one may give
    days = SelectField(_l("Valid for"), choices=DAY_CHOICES, default="7")
    submit = SubmitField(_l("Invite them all"))


STAFF_FORMS: dict[str, type[FlaskForm]] = {"email": EmailInviteForm, "code": CodeInviteForm, "bulk": BulkInviteForm}


def staff_forms(roles: Sequence[str], submitted: str | None = None) -> dict[str, FlaskForm]:
    """The invite forms of the invitations page. Only the submitted one reads the request; each has its own
    prefix, so the ids of their fields never clash on the page."""
    forms: dict[str, FlaskForm] = {}
    for name, form_class in STAFF_FORMS.items():
        extra = {} if name == submitted else {"formdata": None}
        form = form_class(prefix=name, **extra)
        form.role.choices = role_choices(roles)
        forms[name] = form
    return forms
