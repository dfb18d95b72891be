from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class ReferenceLookupForm(FlaskForm):
    police_reference = StringField(
        "Your reference number", validators=[DataRequired("Enter your reference number.")]
    )
    surname = StringField(
        "Your surname (family name)", validators=[DataRequired("Enter your surname.")]
    )
    date_of_birth = DateField(
        "Your date of birth", validators=[DataRequired("Enter your date of birth.")]
    )
    submit = SubmitField("Find my sessions")


class ChooseSessionForm(FlaskForm):
    submit = SubmitField("Book this session")


class AccountForm(FlaskForm):
    current_password = PasswordField("Your current password")
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter an email address."), Email(), Length(max=254)],
    )
    password = PasswordField(
        "Choose a password",
        validators=[
            DataRequired("Choose a password."),
            Length(min=10, message="Use 10 or more characters."),
        ],
    )
    email_is_safe = BooleanField("It is safe to email me about my booking")
    submit = SubmitField("Save")


class SendLinkForm(FlaskForm):
    submit = SubmitField("Email me a link to my booking")


class ContinueForm(FlaskForm):
    submit = SubmitField("Continue to my booking")
