from wtforms import EmailField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from booking.services.people.staff_accounts import INVITABLE_ROLES
from booking.web.forms import BaseForm


class InviteForm(BaseForm):
    first_name = StringField(
        "First name", validators=[InputRequired("Enter their first name."), Length(max=80)]
    )
    last_name = StringField("Last name", validators=[Length(max=80)])
    email = EmailField(
        "Work email address",
        validators=[
            InputRequired("Enter their work email address."),
            Email("Enter an email address like name@example.org."),
            Length(max=254),
        ],
    )
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, label) for role, label in INVITABLE_ROLES.items()],
        validators=[InputRequired("Choose a role.")],
    )
    force_id = SelectField(
        "Police force (for a police force contact only)", coerce=int, choices=[], default=0
    )
    submit = SubmitField("Send the invitation")


class DeactivateForm(BaseForm):
    why = StringField(
        "Why (kept in the record of who did what)",
        validators=[InputRequired("Say briefly why, for the record."), Length(max=200)],
    )
    submit = SubmitField("Deactivate")
