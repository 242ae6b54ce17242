"""Safeguarding forms: only the shape of the input; the rules live in ``services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

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


# --- safeguarding leads ------------------------------------------------------------------------------------------

TIER_CHOICES = [
    SelectChoice(1, _l("Tier 1: told first, when nobody took a case in time")),
    SelectChoice(2, _l("Tier 2: told when tier 1 did not take it either")),
]
REASON_HINT = _l("Why (kept in the audit log)")


class LeadForm(FlaskForm):
    username = StringField(_l("Username"), validators=[Optional()])
    # The service refuses a missing or unknown tier beside the field.
    tier = RadioField(_l("Tier"), choices=TIER_CHOICES, coerce=int, validate_choice=False, validators=[Optional()])
    reason = TextAreaField(REASON_HINT, render_kw={"rows": 2}, id="lead-reason")  # ids: one page, several forms


class RemoveForm(FlaskForm):
    reason = TextAreaField(REASON_HINT, render_kw={"rows": 2})


class RotaForm(FlaskForm):
    lead_id = SelectField(_l("Lead"), coerce=int, validate_choice=False, validators=[Optional()])
    starts_at = DateTimeLocalField(_l("On call from"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Until"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    reason = TextAreaField(REASON_HINT, render_kw={"rows": 2}, id="rota-reason")


class ResponseTimeForm(FlaskForm):
    acute_minutes = IntegerField(_l("Urgent cases: minutes to take one"), validators=[Optional()])
    concern_minutes = IntegerField(_l("Other cases: minutes to take one"), validators=[Optional()])
