"""Forms of the pipeline rules pages. They only shape the input; ``filters`` and ``group_settings`` judge it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

MATCH_CHOICES = [
    ("word", _l("Whole word or phrase")),
    ("contains", _l("Anywhere, also inside longer words")),
    ("regex", _l("Regular expression")),
]
ACTION_CHOICES = [("hold", _l("Hold for a moderator")), ("refuse", _l("Refuse, with the reason shown to the writer"))]
PREMODERATION_CHOICES = [
    ("none", _l("No pre-moderation")),
    ("new_members", _l("A new member's first posts and chat messages")),
    ("all", _l("Every post and message")),
]
PERSONAL_DETAILS_CHOICES = [
    ("warn", _l("Warn the writer, who may publish anyway")),
    ("hold", _l("Hold for a moderator (for youth groups)")),
]


class FilterForm(FlaskForm):
    pattern = StringField(_l("Word, phrase or pattern"), render_kw={"autocomplete": "off", "spellcheck": "false"})
    match = SelectField(_l("How it matches"), choices=MATCH_CHOICES, validate_choice=False, default="word")
    action = SelectField(_l("What happens on a match"), choices=ACTION_CHOICES, validate_choice=False, default="hold")
    reason = StringField(_l("Reason"), render_kw={"autocomplete": "off"})
    enabled = BooleanField(_l("Active"), default=True)
    sample = TextAreaField(_l("Sample text to test"), render_kw={"rows": 4})
    test = SubmitField(_l("Test against the sample"))
    submit = SubmitField(_l("Save the filter"))


class SettingsForm(FlaskForm):
    premoderation = SelectField(_l("Pre-moderation"), choices=PREMODERATION_CHOICES, validate_choice=False)
    premoderation_first_posts = IntegerField(
        _l("How many first posts and messages are checked"), validators=[Optional()]
    )
    personal_details_mode = SelectField(
        _l("Personal details in posts and messages"), choices=PERSONAL_DETAILS_CHOICES, validate_choice=False
    )
    auto_slowdown = BooleanField(_l("Slow down heated topics and the chat room automatically"))
    new_member_max_links = IntegerField(_l("Links a new member may use in one post"), validators=[Optional()])
    new_member_max_mentions = IntegerField(_l("People a new member may mention in one post"), validators=[Optional()])
    report_hide_threshold = IntegerField(
        _l("Reports from different members that hide a post or message"), validators=[Optional()]
    )
    submit = SubmitField(_l("Save the settings"))
