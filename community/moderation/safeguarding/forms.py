"""Safeguarding forms: only the shape of the input; the rules live in ``services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice

OUTCOME_LABELS = {
    "member_contacted": _l("Member contacted"),
    "referred": _l("Referred to other help"),
    "reported_veilig_thuis": _l(
        "Reported to Veilig Thuis (under the reporting code for domestic violence and child abuse)"
    ),
    "emergency_services": _l("Emergency services called"),
    "no_action_needed": _l("No action needed"),
}
OUTCOME_CHOICES = [SelectChoice(value, label) for value, label in OUTCOME_LABELS.items()]


class ConcernForm(FlaskForm):
    note = TextAreaField(_l("What worries you? (optional)"), render_kw={"rows": 4})
    danger_now = BooleanField(_l("I think they may be in danger right now"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Hand-over note"), render_kw={"rows": 4})


class CloseForm(FlaskForm):
    # validate_choice off: the service refuses a missing or unknown outcome with a message next to the field.
    outcome = RadioField(_l("Outcome"), choices=OUTCOME_CHOICES, validate_choice=False)
    outcome_note = TextAreaField(_l("What was done"), render_kw={"rows": 4})
