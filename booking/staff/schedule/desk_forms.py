"""Forms of the coordinator's desk: finding sessions, series, attendance, messages, waiting
lists, and forces and schemes."""

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from booking.services.schedule.desk import FILL_CHOICES, STAFFING_CHOICES
from booking.web.forms import BaseForm, PenceField


class SessionFilterForm(BaseForm):
    """The session list's filters: a GET that changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    force_id = SelectField("Area", coerce=int, default=0, validators=[Optional()])
    course_type_id = SelectField("Course", coerce=int, default=0, validators=[Optional()])
    staffing = SelectField(
        "Trainers",
        default="",
        choices=[SelectChoice("", "Any")]
        + [SelectChoice(k, v) for k, v in STAFFING_CHOICES.items()],
    )
    fill = SelectField(
        "Places",
        default="",
        choices=[SelectChoice("", "Any")] + [SelectChoice(k, v) for k, v in FILL_CHOICES.items()],
    )
    include_cancelled = BooleanField("Include cancelled sessions")
    submit = SubmitField("Show sessions")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.date_from.data and self.date_to.data and self.date_to.data < self.date_from.data:
            self.date_to.errors.append("The last date must be on or after the first date.")
            return False
        return True


class SeriesChangeForm(BaseForm):
    start_time = TimeField("New start time", validators=[Optional()])
    end_time = TimeField("New end time", validators=[Optional()])
    venue_id = SelectField("New venue (in-person dates)", coerce=int, default=0)
    capacity = IntegerField("New number of places", validators=[Optional(), NumberRange(1, 200)])
    submit = SubmitField("Change the remaining dates")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (
            self.start_time.data
            or self.end_time.data
            or self.venue_id.data
            or self.capacity.data is not None
        ):
            self.start_time.errors.append("Enter at least one thing to change.")
            return False
        return True


class ReasonForm(BaseForm):
    """A decision that must say why (kept in the audit log, shown to staff only)."""

    reason = StringField(
        "Reason (shown to staff only)",
        validators=[DataRequired("Give a reason."), Length(max=200)],
    )
    submit = SubmitField("Confirm")


class MessageAttendeesForm(BaseForm):
    text = TextAreaField(
        "Your message",
        validators=[DataRequired("Write the message."), Length(max=2000)],
    )
    submit = SubmitField("Send to everyone booked")


class ConfirmForm(BaseForm):
    submit = SubmitField("Confirm")


class ForceForm(BaseForm):
    is_partner = BooleanField("We work with this force (a partner)")
    submit = SubmitField("Save force")


class SchemeForm(BaseForm):
    force_id = SelectField("Police-force area", coerce=int, validators=[InputRequired()])
    name = StringField(
        "Name", validators=[DataRequired("Enter the scheme's name."), Length(max=160)]
    )
    disposal_types = StringField(
        "Disposal types (separate them with commas)",
        validators=[DataRequired("Enter at least one disposal type."), Length(max=400)],
    )
    days_to_complete = IntegerField(
        "Days to complete the course",
        validators=[InputRequired("Enter the number of days."), NumberRange(1, 730)],
    )
    fee = PenceField("Fee, in pounds (leave empty to use the course's usual fee)")
    course_type_ids = SelectMultipleField("Courses accepted", coerce=int)
    is_active = BooleanField("In use", default=True)
    submit = SubmitField("Save scheme")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.course_type_ids.data:
            self.course_type_ids.errors.append("Choose at least one course.")
            return False
        return True
