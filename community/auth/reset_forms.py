"""Password reset forms. They only shape the input; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class ResetRequestForm(FlaskForm):
    login = StringField(_l("Username or email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(FlaskForm):
    # No Length(max) here: the service says "at most 128 characters" in its own words, with the field marked.
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    password_again = PasswordField(_l("New password again"), validators=[DataRequired()])
    submit = SubmitField(_l("Save the new password"))
