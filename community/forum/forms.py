"""Forum forms. They only shape the input; the rules (lengths, allowed warnings) live in forum.writing, so a
refusal always comes back as the same words whether the text arrived from a form or elsewhere."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from community.attachments.forms import DocumentFieldsMixin, ImageFieldsMixin

# (stored value, label in the form). The values are forum.writing.CONTENT_WARNINGS.
CONTENT_WARNING_CHOICES = [
    SelectChoice("", _l("No warning")),
    SelectChoice("self-harm", _l("Self-harm")),
    SelectChoice("suicide", _l("Suicide")),
    SelectChoice("medical detail", _l("Medical detail")),
    SelectChoice("loss", _l("Loss")),
    SelectChoice("abuse", _l("Abuse")),
    SelectChoice("other", _l("Something else that may be hard to read")),
]


def _warning_field() -> SelectField:
    # validate_choice off: writing.clean_warning refuses anything else with a message that says what to do.
    return SelectField(_l("Content warning"), choices=CONTENT_WARNING_CHOICES, validate_choice=False, default="")


def _body_field(label: str) -> TextAreaField:
    return TextAreaField(label, render_kw={"rows": 10, "spellcheck": "true"})


class TopicForm(ImageFieldsMixin, DocumentFieldsMixin, FlaskForm):
    title = StringField(_l("Title"), render_kw={"autocomplete": "off"})
    body = _body_field(_l("Your post"))
    content_warning = _warning_field()
    as_coach = BooleanField(_l("Post as the group's coach"))
    submit = SubmitField(_l("Post the topic"))


class ReplyForm(ImageFieldsMixin, DocumentFieldsMixin, FlaskForm):
    body = _body_field(_l("Your reply"))
    content_warning = _warning_field()
    as_coach = BooleanField(_l("Post as the group's coach"))
    submit = SubmitField(_l("Post the reply"))


class EditForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"autocomplete": "off"})
    body = _body_field(_l("Text"))
    content_warning = _warning_field()
    submit = SubmitField(_l("Save the changes"))


class CollapsedWarningsForm(FlaskForm):
    """The account page "Content warnings": which warnings to keep collapsed (checkboxes; none is fine).
    Unknown values are refused by forum.warning_preferences with a message."""

    collapsed_warnings = SelectMultipleField(
        _l("Keep posts with these warnings collapsed"),
        choices=[choice for choice in CONTENT_WARNING_CHOICES if choice.value],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
