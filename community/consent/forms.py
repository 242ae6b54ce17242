"""WTForms of the consent pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.core.forms import language_choices, select_choices


class DecideForm(FlaskForm):
    submit = SubmitField(_l("Save my answers"))


class AcceptRulesForm(FlaskForm):
    version_id = HiddenField()
    submit = SubmitField(_l("I accept the group's rules"))


class WithdrawForm(FlaskForm):
    confirm = BooleanField(_l("I understand that my account is paused until I agree again"))
    submit = SubmitField(_l("Withdraw my consent"))


class GuardianResendForm(FlaskForm):
    guardian_email = StringField(_l("Email address of your parent or guardian"), validators=[Length(max=254)])
    submit = SubmitField(_l("Send the link again"))


class GuardianConfirmForm(FlaskForm):
    confirm = BooleanField(_l("I am this young person's parent or guardian and I agree"))
    submit = SubmitField(_l("Confirm"))


class RulesForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[], validate_choice=True)
    text = TextAreaField(_l("The group's rules (Markdown)"), validators=[DataRequired(), Length(max=100_000)])
    summary = TextAreaField(_l("What changed (shown to members)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Publish these rules"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[], validate_choice=True)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    required = BooleanField(_l("Members must agree to it"), default=True)
    submit = SubmitField(_l("Create document"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = select_choices(
            [("terms", str(_l("Terms of use"))), ("privacy", str(_l("Privacy notice"))),
             ("health_data", str(_l("Consent to process health information")))]
        )  # fmt: skip


class VersionForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[], validate_choice=True)
    text = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired(), Length(max=100_000)])
    summary = TextAreaField(_l("What changed since the last version"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save draft"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class PublishForm(FlaskForm):
    submit = SubmitField(_l("Publish this version"))
