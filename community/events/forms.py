"""The planners' event form. Lengths, times and the link are checked by ``services`` (with messages that say
what to fix); the form only reads the fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, TextAreaField, URLField
from wtforms.validators import Optional

from community.events.services import EventDetails

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class EventForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"autocomplete": "off", "maxlength": 120})
    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_FORMAT, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_FORMAT, validators=[Optional()])
    place = StringField(_l("Place"), render_kw={"autocomplete": "off", "maxlength": 200})
    link = URLField(_l("Link to the online meeting"), render_kw={"autocomplete": "off", "maxlength": 500})
    description = TextAreaField(_l("Description"), render_kw={"rows": 6, "maxlength": 2000})

    def details(self) -> EventDetails:
        return EventDetails(
            title=self.title.data or "",
            description=self.description.data or "",
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            place=self.place.data or "",
            link=self.link.data or "",
        )
