"""The display preferences form (the whole page and the compact panel post the same fields)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField

from community.accessibility.models import TEXT_SIZES
from community.core.forms import select_choices


def text_size_choices() -> list:
    labels = {100: _l("Normal"), 125: _l("Large"), 150: _l("Larger"), 175: _l("Very large"), 200: _l("Largest")}
    return select_choices((str(size), labels[size]) for size in TEXT_SIZES)


def theme_choices() -> list:
    return select_choices(
        [
            ("system", _l("Like my device")),
            ("light", _l("Light")),
            ("dark", _l("Dark")),
            ("high_contrast", _l("High contrast")),
        ]
    )


def motion_choices() -> list:
    return select_choices(
        [("system", _l("Like my device")), ("reduce", _l("Less movement")), ("full", _l("Normal movement"))]
    )


class PreferencesForm(FlaskForm):
    text_size = RadioField(_l("Text size"), validate_choice=False)
    theme = RadioField(_l("Colours"), validate_choice=False)
    motion = RadioField(_l("Movement and animation"), validate_choice=False)
    dyslexia_font = BooleanField(_l("Easy-to-read font (Atkinson Hyperlegible)"))
    wide_line_spacing = BooleanField(_l("More space between lines"))
    easy_read = BooleanField(_l("Easy-read mode: simpler layout and larger buttons"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.text_size.choices = text_size_choices()
        self.theme.choices = theme_choices()
        self.motion.choices = motion_choices()


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), validate_choice=False)
