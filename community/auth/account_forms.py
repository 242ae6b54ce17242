"""Forms of the member's own account pages. They only shape the input; the rules live in account.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ProfileForm(FlaskForm):
    # Lengths are checked by the service with a friendlier message; these bounds only stop absurd input.
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=200)])
    pronouns = StringField(_l("Pronouns (optional)"), validators=[Optional(), Length(max=200)])
    bio = TextAreaField(_l("About you (optional)"), validators=[Optional(), Length(max=2000)])
    language = SelectField(_l("Language"), validators=[DataRequired()])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])
    current_password = PasswordField(_l("Current password"), validators=[Optional(), Length(max=128)])
    submit = SubmitField(_l("Save profile"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])
    new_password_again = PasswordField(_l("New password again"), validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("Change password"))
