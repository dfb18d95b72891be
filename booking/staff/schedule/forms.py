from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional


class VenueForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired("Enter the venue's name."), Length(max=160)]
    )
    address = TextAreaField(
        "Address", validators=[DataRequired("Enter the address."), Length(max=400)]
    )
    postcode = StringField(
        "Postcode", validators=[DataRequired("Enter the postcode."), Length(max=10)]
    )
    force_id = SelectField("Police-force area", coerce=int, validators=[InputRequired()])
    step_free = BooleanField("Step-free access")
    hearing_loop = BooleanField("Hearing loop")
    accessible_toilet = BooleanField("Accessible toilet")
    women_only_room = BooleanField("A women-only room is available")
    travel_notes = TextAreaField("Travel notes", validators=[Length(max=1000)])
    is_active = BooleanField("In use", default=True)
    submit = SubmitField("Save venue")


class CourseTypeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=120)])
    slug = StringField(
        "Short name for links (letters, numbers and dashes)",
        validators=[DataRequired("Enter a short name."), Length(max=60)],
    )
    summary = TextAreaField("Summary", validators=[Length(max=2000)])
    duration_minutes = IntegerField(
        "Length in minutes", validators=[InputRequired("Enter the length."), NumberRange(15, 600)]
    )
    # SelectChoice, not tuples: tuple choices are deprecated in WTForms 3.3 (a warning = a 500
    # under the test suite's filterwarnings=error, and gone in 3.4).
    delivery = SelectField(
        "Delivery",
        choices=[SelectChoice("in_person", "In person"), SelectChoice("online", "Online")],
    )
    default_capacity = IntegerField(
        "Usual number of places", validators=[InputRequired(), NumberRange(1, 200)]
    )
    default_fee_pence = IntegerField(
        "Usual fee in pence (0 for free)", validators=[InputRequired(), NumberRange(0, 100_000)]
    )
    trainers_needed = SelectField(
        "Trainers needed", coerce=int, choices=[SelectChoice(1, "1"), SelectChoice(2, "2")]
    )
    referral_required = BooleanField("Only for people with a referral")
    is_active = BooleanField("Offered", default=True)
    submit = SubmitField("Save course type")


class SessionForm(FlaskForm):
    course_type_id = SelectField("Course", coerce=int, validators=[InputRequired()])
    is_online = BooleanField("Online session")
    venue_id = SelectField("Venue (for in-person sessions)", coerce=int, validators=[Optional()])
    online_join_url = StringField(
        "Joining link (for online sessions)", validators=[Optional(), URL(), Length(max=400)]
    )
    date = DateField("Date", validators=[InputRequired("Enter the date.")])
    start_time = TimeField("Start time", validators=[InputRequired("Enter the start time.")])
    end_time = TimeField("End time", validators=[InputRequired("Enter the end time.")])
    capacity = IntegerField(
        "Places", validators=[InputRequired("Enter the number of places."), NumberRange(1, 200)]
    )
    women_only = BooleanField("Women-only group")
    notes = TextAreaField("Notes for staff", validators=[Length(max=1000)])
    repeat_until = DateField("Repeat weekly until (optional)", validators=[Optional()])
    submit = SubmitField("Save session")


class CancelSessionForm(FlaskForm):
    reason = StringField(
        "Reason (shown to staff only)", validators=[DataRequired("Give a reason."), Length(max=200)]
    )
    submit = SubmitField("Cancel this session")


class CorrectAttendanceForm(FlaskForm):
    """Correct one person's attendance on a closed session; the reason is kept in the audit."""

    status = SelectField(
        "Attendance",
        choices=[
            SelectChoice("attended", "Attended"),
            SelectChoice("left_early", "Left early"),
            SelectChoice("did_not_attend", "Did not attend"),
        ],
        validators=[InputRequired()],
    )
    reason = StringField(
        "Reason for the correction",
        validators=[DataRequired("Give a reason for the correction."), Length(max=500)],
    )
