"""Moderation forms: they only shape the input; the rules live in the services, so a refusal reads the same
from a form, a socket event or the CLI."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from community.moderation.reports import REASONS

DAY_CHOICES = [
    SelectChoice("1", _l("1 day")),
    SelectChoice("3", _l("3 days")),
    SelectChoice("7", _l("7 days")),
    SelectChoice("30", _l("30 days")),
    SelectChoice("0", _l("Until a moderator lifts it (suspension only)")),
]


class ActionForm(FlaskForm):
    action = HiddenField()
    reason = TextAreaField(_l("Reason (the member reads it)"), render_kw={"rows": 3})
    body = TextAreaField(_l("The text as it will be published"), render_kw={"rows": 8})
    days = SelectField(_l("How long"), choices=DAY_CHOICES, validate_choice=False, default="1")
    # Shown with "remove" only when the member joined through an invitation that is still open.
    revoke_codes = BooleanField(
        _l("Also withdraw the invitation they joined with, so nobody else can join with it"), default=True
    )


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("Why are you reporting this?"),
        choices=[SelectChoice(code, label) for code, label in REASONS],
        validate_choice=False,
    )
    note = TextAreaField(_l("Anything the moderators should know (optional)"), render_kw={"rows": 4})
    submit = SubmitField(_l("Send the report"))


class AppealForm(FlaskForm):
    note = TextAreaField(_l("Why should a moderator look again?"), render_kw={"rows": 5})
    submit = SubmitField(_l("Ask for another look"))


class RephraseForm(FlaskForm):
    body = TextAreaField(_l("Your rephrased text"), render_kw={"rows": 8})
    submit = SubmitField(_l("Send it back to the moderators"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("New note"), render_kw={"rows": 4})
    submit = SubmitField(_l("Add the note"))


class PlainForm(FlaskForm):
    """Buttons only (claim, release, mute, block): the CSRF token."""


class PremoderationForm(FlaskForm):
    """One member's pre-moderation (``member_premoderation``): the choice and the reason for the other moderators."""

    choice = RadioField(
        _l("Pre-moderation for this member"),
        choices=[
            SelectChoice("default", _l("As the group's rule says")),
            SelectChoice("kept", _l("Keep under pre-moderation: a moderator checks every post and message first")),
            SelectChoice("released", _l("Release from new-member pre-moderation now")),
        ],
        validate_choice=False,
    )
    reason = TextAreaField(_l("Why (only moderators read it)"), render_kw={"rows": 3})
    submit = SubmitField(_l("Save the choice"))
