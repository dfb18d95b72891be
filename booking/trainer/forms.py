from wtforms import DateTimeLocalField, SelectField, StringField, SubmitField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from booking.web.forms import BaseForm

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class SlotForm(BaseForm):
    weekday = SelectField(
        "Day",
        coerce=int,
        choices=[SelectChoice(n, day) for n, day in enumerate(WEEKDAYS)],
        validators=[InputRequired()],
    )
    starts = TimeField("From", validators=[DataRequired("Enter a start time.")])
    ends = TimeField("Until", validators=[DataRequired("Enter an end time.")])
    submit = SubmitField("Add weekly availability")


class LeaveForm(BaseForm):
    starts_at = DateTimeLocalField(
        "Away from",
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired("Enter when you are away from.")],
    )
    ends_at = DateTimeLocalField(
        "Back on", format="%Y-%m-%dT%H:%M", validators=[DataRequired("Enter when you are back.")]
    )
    reason = StringField("Note (optional)", validators=[Length(max=120)])
    submit = SubmitField("Add time off")


class ActionForm(BaseForm):
    """A button-only form (CSRF token only)."""

    submit = SubmitField("Confirm")
