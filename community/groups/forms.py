"""Forms of groups: a group's settings (the manager's page; the admin area's adds the kind of group) and a
member's own membership. They only shape the input; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from community.core.forms import select_choices
from community.groups.labels import PREMODERATION_LABELS


class GroupSettingsForm(FlaskForm):
    """What ``services.update_group`` takes besides the kind of group."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    description = TextAreaField(_l("Description (members see it)"), validators=[Length(max=2000)])
    premoderation = SelectField(
        _l("Which posts does a moderator check before others see them?"),
        choices=select_choices(PREMODERATION_LABELS.items()),
        validate_choice=False,
    )
    member_messages_allowed = BooleanField(_l("Members may send each other private messages"))
    moderators_can_invite = BooleanField(_l("Moderators may invite people to this group"))
    outreach_allowed = BooleanField(_l("The group's staff may write to a member first (the member can decline)"))
    slow_mode_seconds = IntegerField(
        _l("Slow mode: seconds between two chat messages of one person (0 is off)"),
        validators=[InputRequired(message=_l("Enter a number of seconds, 0 for off."))],
    )

    def settings(self) -> dict[str, object]:
        """The keyword arguments of ``services.update_group`` this form holds (the admin area's adds ``kind``)."""
        return {
            "name": self.name.data,
            "description": self.description.data or "",
            "premoderation": self.premoderation.data,
            "member_messages_allowed": self.member_messages_allowed.data,
            "moderators_can_invite": self.moderators_can_invite.data,
            "slow_mode_seconds": self.slow_mode_seconds.data,
            "outreach_allowed": self.outreach_allowed.data,
        }


class LeaveForm(FlaskForm):
    """Leaving a group: a button and its CSRF token; the page before it says what happens."""

    submit = SubmitField(_l("Leave this group"))
