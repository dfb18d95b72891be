from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional


class ReferralForm(FlaskForm):
    force_id = SelectField("Police force", coerce=int)
    police_reference = StringField(
        "Police reference", validators=[DataRequired("Enter the police reference."), Length(max=40)]
    )
    first_name = StringField("First name", validators=[DataRequired("Enter a first name.")])
    last_name = StringField("Last name", validators=[DataRequired("Enter a last name.")])
    date_of_birth = DateField("Date of birth", validators=[DataRequired("Enter a date of birth.")])
    email = EmailField("Email address (optional)", validators=[Optional(), Length(max=254)])
    phone = StringField("Phone (optional)", validators=[Optional(), Length(max=30)])
    disposal_type = StringField("Disposal type", validators=[Optional(), Length(max=60)])
    course_type = SelectField("Course type")
    referral_date = DateField(
        "Referral date", validators=[DataRequired("Enter the referral date.")]
    )
    deadline = DateField("Deadline (leave empty to use the scheme's days)", validators=[Optional()])
    submit = SubmitField("Save referral")


class UploadForm(FlaskForm):
    force_id = SelectField("Police force", coerce=int)
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])
    submit = SubmitField("Check and import")


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download that changes nothing

    force_id = SelectField("Police force", coerce=int)
    start = DateField("Referred from", validators=[DataRequired("Enter the first date.")])
    end = DateField("Referred to", validators=[DataRequired("Enter the last date.")])
    submit = SubmitField("Download outcome report")


class WithdrawForm(FlaskForm):
    submit = SubmitField("Withdraw")
