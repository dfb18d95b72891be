from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, Optional

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


class ExtensionForm(BaseForm):
    new_deadline = DateField(
        "New deadline",
        validators=[DataRequired("Enter the new deadline."), within_days(0, 3 * 365)],
    )
    agreed_by = StringField(
        "Who at the force agreed it",
        validators=[
            DataRequired("Enter the name of the person at the force who agreed it."),
            fits(Referral.extension_agreed_by, "the name"),
        ],
    )
    agreed_on = DateField(
        "When they agreed it",
        validators=[DataRequired("Enter the day they agreed it."), within_days(365, 0)],
    )
    submit = SubmitField("Record the extension")


class TokenForm(BaseForm):
    name = StringField(
        "What will use this token",
        validators=[DataRequired("Give the token a name."), Length(max=80)],
    )
    submit = SubmitField("Make a token")


class RevokeForm(BaseForm):
    submit = SubmitField("Revoke")


class WebhookForm(BaseForm):
    url = URLField(
        "Webhook address (leave empty to stop sending)",
        validators=[
            Optional(),
            Length(max=500),
            URL(require_tld=False, message="Enter a web address."),
        ],
    )
    secret = PasswordField(
        "Signing secret (leave empty to keep the current one)",
        validators=[Optional(), Length(min=16, max=100, message="Use 16 to 100 characters.")],
    )
    submit = SubmitField("Save")


class RetryForm(BaseForm):
    submit = SubmitField("Send again")


class AgreementForm(BaseForm):
    """A new version of a force's data-sharing agreement, with its outcome codes."""

    fields = SelectMultipleField("Fields the force receives, beyond the minimal ones")
    lawful_basis = StringField(
        "Lawful basis", validators=[DataRequired("Enter the lawful basis."), Length(max=300)]
    )
    retention = StringField(
        "How long the force keeps them",
        validators=[DataRequired("Enter how long the force keeps them."), Length(max=300)],
    )
    governance_contact = StringField(
        "Information governance contact",
        validators=[DataRequired("Enter who answers for information governance."), Length(max=200)],
    )
    completed_code = StringField("Code for completed", validators=[Length(max=40)])
    completed_wording = StringField("Wording for completed", validators=[Length(max=120)])
    not_completed_code = StringField("Code for not completed", validators=[Length(max=40)])
    not_completed_wording = StringField("Wording for not completed", validators=[Length(max=120)])
    withdrawn_code = StringField("Code for withdrawn", validators=[Length(max=40)])
    withdrawn_wording = StringField("Wording for withdrawn", validators=[Length(max=120)])
    submit = SubmitField("Save as a new version")


class FunnelForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter that changes nothing

    start = DateField("Referred from", validators=[Optional()])
    end = DateField("Referred to", validators=[Optional()])
    submit = SubmitField("Show")


class SendLinkForm(BaseForm):
    submit = SubmitField("Send a link")
