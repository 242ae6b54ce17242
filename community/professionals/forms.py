"""Forms of the professionals feature. They only shape the input; the services judge it (lengths, choices,
screening), so a refusal reads the same whatever the way in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional


def int_or_none(value: object) -> int | None:
    """A submitted id (query argument or field) as a number, or None when it is not one a database id can be."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 10 else None


WEEKDAY_LABELS = (
    _l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday"),
)  # fmt: skip


class ProfileForm(FlaskForm):
    public_name = StringField(_l("Name you want to be known by"), render_kw={"autocomplete": "name"})
    role_title = StringField(_l("Role (for example: nurse, youth worker)"))
    organisation = StringField(_l("Organisation"), render_kw={"autocomplete": "organization"})
    intro = TextAreaField(_l("A short introduction, in your own words"), render_kw={"rows": 6})
    languages = SelectMultipleField(_l("Languages you speak"), validate_choice=False)
    specialties = SelectMultipleField(_l("Specialties"), validate_choice=False)
    photo = FileField(_l("Photo (optional)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_photo = BooleanField(_l("Remove my photo"))
    submit = SubmitField(_l("Save and send for approval"))


class _AvailabilityBase(FlaskForm):
    away_until = DateField(_l("Away until (inclusive)"), validators=[Optional()])
    paused = BooleanField(_l("Pause new requests"))
    submit = SubmitField(_l("Save availability"))


def _day_fields() -> dict:
    fields = {}
    for number, label in enumerate(WEEKDAY_LABELS):
        fields[f"day_{number}_start"] = StringField(label, render_kw={"type": "time"})
        fields[f"day_{number}_end"] = StringField(label, render_kw={"type": "time"})
    return fields


AvailabilityForm = type("AvailabilityForm", (_AvailabilityBase,), _day_fields())


class RequestForm(FlaskForm):
    group_id = SelectField(_l("Which group is this about?"), validate_choice=False)
    message = TextAreaField(_l("A short message (optional)"), render_kw={"rows": 4, "maxlength": 500})
    email_me = BooleanField(_l("Also tell me by email when there is an answer (the email holds only a link)"))
    submit = SubmitField(_l("Send the request"))


class DeclineForm(FlaskForm):
    note = TextAreaField(_l("A kind note for the member (optional)"), render_kw={"rows": 3, "maxlength": 500})
    suggested_profile_id = SelectField(_l("Suggest a colleague (optional)"), validate_choice=False)
    submit = SubmitField(_l("Decline the request"))


class QuestionForm(FlaskForm):
    body = TextAreaField(_l("Your question"), render_kw={"rows": 8})
    email_me = BooleanField(_l("Also tell me by email when it is answered (the email holds only a link)"))
    client_token = HiddenField()
    submit = SubmitField(_l("Send the question"))


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Your answer"), render_kw={"rows": 8})
    submit = SubmitField(_l("Send the answer"))


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("What should the professional change?"), render_kw={"rows": 3})
    submit = SubmitField(_l("Send back"))


class SpecialtyForm(FlaskForm):
    name = StringField(_l("Specialty"))
    active = BooleanField(_l("Offered to professionals"), default=True)
    submit = SubmitField(_l("Save"))


class ActionForm(FlaskForm):
    """A button that changes something (CSRF only)."""

    submit = SubmitField(_l("Confirm"))
