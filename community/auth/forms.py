"""Sign-in and setup forms. Validation of rules lives in the services; these only shape the input."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional


class SignInForm(FlaskForm):
    login = StringField(_l("Username or email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("Sign in"))


class SetupForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=32)])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=40)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])
    password = PasswordField(_l("Password (at least 12 characters)"), validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("Create the admin account"))
