"""Forms of a member's own membership: they only shape the input; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class LeaveForm(FlaskForm):
    """Leaving a group: a button and its CSRF token; the page before it says what happens."""

    submit = SubmitField(_l("Leave this group"))
