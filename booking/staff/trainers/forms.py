from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange

from booking.web.forms import BaseForm, within_days


class ProfileForm(BaseForm):
    user_id = SelectField("Trainer account", coerce=int, validators=[InputRequired()])
    course_type_ids = SelectMultipleField("Qualified to deliver", coerce=int)
    force_ids = SelectMultipleField("Police-force areas covered", coerce=int)
    covers_online = BooleanField("Delivers online sessions")
    can_lead_women_only = BooleanField("Can lead women-only groups")
    max_sessions_per_week = IntegerField(
        "Most sessions a week",
        default=4,
        validators=[InputRequired("Enter a number."), NumberRange(0, 30, "Enter 0 to 30.")],
    )
    home_force_id = SelectField("Home area", coerce=int)
    is_active = BooleanField("Active", default=True)
    submit = SubmitField("Save trainer")


class AllocationForm(BaseForm):
    date_from = DateField(
        "From", validators=[DataRequired("Enter the first date."), within_days(365, 2 * 365)]
    )
    date_to = DateField(
        "To", validators=[DataRequired("Enter the last date."), within_days(365, 2 * 365)]
    )
    submit = SubmitField("Run allocation")


class AssignForm(BaseForm):
    trainer_id = SelectField("Trainer", coerce=int, validators=[InputRequired()])
    is_lead = BooleanField("Lead trainer")
    submit = SubmitField("Assign trainer")


class ActionForm(BaseForm):
    submit = SubmitField("Confirm")
