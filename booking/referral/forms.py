from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from booking.web.answers import AnswerFields
from booking.web.forms import BaseForm, DatePartsField, new_password, plausible_birth_date


class ReferenceLookupForm(BaseForm):
    police_reference = StringField(
        "Your reference number", validators=[DataRequired("Enter your reference number.")]
    )
    surname = StringField(
        "Your surname (family name)", validators=[DataRequired("Enter your surname.")]
    )
    date_of_birth = DatePartsField(
        "Your date of birth",
        validators=[DataRequired("Enter your date of birth."), plausible_birth_date()],
    )
    submit = SubmitField("Find my sessions")


class ChooseSessionForm(BaseForm):
    # Rendered by hand on each women-only card (one form per card needs distinct ids).
    confirm_women_only = BooleanField("I confirm this women-only group is right for me")
    submit = SubmitField("Book this session")


class AccountForm(BaseForm):
    current_password = PasswordField("Your current password")
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter an email address."), Email(), Length(max=254)],
    )
    password = new_password()
    email_is_safe = BooleanField("It is safe to email me about my booking")
    submit = SubmitField("Save")


class SendLinkForm(BaseForm):
    submit = SubmitField("Email me a link to my booking")


class ContinueForm(BaseForm):
    submit = SubmitField("Continue to my booking")


class ReferralQuestionsForm(AnswerFields):
    submit = SubmitField("Save and choose a session")
