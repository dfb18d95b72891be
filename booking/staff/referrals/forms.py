from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Optional

from booking.models import Referral
from booking.web.forms import BaseForm, fits, plausible_birth_date, within_days


class ReferralForm(BaseForm):
    force_id = SelectField("Police force", coerce=int)
    police_reference = StringField(
        "Police reference",
        validators=[
            DataRequired("Enter the police reference."),
            fits(Referral.police_reference, "the police reference"),
        ],
    )
    first_name = StringField(
        "First name",
        validators=[
            DataRequired("Enter a first name."),
            fits(Referral.first_name, "the first name"),
        ],
    )
    last_name = StringField(
        "Last name",
        validators=[DataRequired("Enter a last name."), fits(Referral.last_name, "the last name")],
    )
    date_of_birth = DateField(
        "Date of birth", validators=[DataRequired("Enter a date of birth."), plausible_birth_date()]
    )
    email = EmailField(
        "Email address (optional)",
        validators=[Optional(), fits(Referral.contact_email, "the email address")],
    )
    phone = StringField(
        "Phone (optional)",
        validators=[Optional(), fits(Referral.contact_phone, "the phone number")],
    )
    disposal_type = StringField(
        "Disposal type", validators=[Optional(), fits(Referral.disposal_type, "the disposal type")]
    )
    course_type = SelectField("Course type")
    referral_date = DateField(
        "Referral date",
        validators=[DataRequired("Enter the referral date."), within_days(5 * 365, 365)],
    )
    deadline = DateField(
        "Deadline (leave empty to use the scheme's days)",
        validators=[Optional(), within_days(5 * 365, 3 * 365)],
    )
    submit = SubmitField("Save referral")


class UploadForm(BaseForm):
    force_id = SelectField("Police force", coerce=int)
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])
    submit = SubmitField("Check and import")


class ReportForm(BaseForm):
    class Meta:
        csrf = False  # a GET download that changes nothing

    force_id = SelectField("Police force", coerce=int)
    start = DateField("Referred from", validators=[DataRequired("Enter the first date.")])
    end = DateField("Referred to", validators=[DataRequired("Enter the last date.")])
    submit = SubmitField("Download outcome report")


class WithdrawForm(BaseForm):
    submit = SubmitField("Withdraw")
