"""WTForms of the privacy pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, RadioField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from community.core.forms import select_choices


def _modes() -> list:
    return select_choices([
        ("anonymise", str(_l("Keep my posts and messages, without my name: they show as written by “former member”."))),
        ("remove", str(_l("Remove my posts and messages. A topic others replied to keeps a note instead."))),
    ])  # fmt: skip


class ExportForm(FlaskForm):
    submit = SubmitField(_l("Prepare my download"))


class EraseForm(FlaskForm):
    mode = RadioField(_l("What should happen to what you wrote in the groups?"), choices=[])
    password = PasswordField(_l("Your current password"), validators=[Length(max=256)])
    confirm = BooleanField(_l("I understand that this cannot be undone"))
    submit = SubmitField(_l("Delete my account"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.mode.choices = _modes()


class AdminEraseForm(FlaskForm):
    mode = RadioField(_l("What should happen to what they wrote in the groups?"), choices=[])
    reason = TextAreaField(_l("On whose request, and why"), validators=[Length(max=500)])
    submit = SubmitField(_l("Erase this account"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.mode.choices = _modes()


class RetentionForm(FlaskForm):
    """A group's retention periods on the admin group page. Empty: the instance default (or keep everything)."""

    chat_days = IntegerField(_l("Delete chat messages after (days)"), validators=[Optional()])
    posts_days = IntegerField(_l("Delete forum posts after (days)"), validators=[Optional()])
    submit = SubmitField(_l("Save the retention periods"))
