from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from booking.models import User
from booking.web.forms import BaseForm, fits

PASSWORD_RULE = Length(min=10, max=200, message="Use at least 10 characters.")


class LoginForm(BaseForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            fits(User.email, "an email address"),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    next = HiddenField()
    submit = SubmitField("Sign in")


class RegisterForm(BaseForm):
    first_name = StringField(
        "First name, or the name you would like us to use",
        validators=[DataRequired("Enter a name we can use."), Length(max=80)],
    )
    last_name = StringField("Last name (optional)", validators=[Length(max=80)])
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address like name@example.com."),
            Length(max=254),
        ],
    )
    email_is_safe = BooleanField("It is safe for us to email you at this address")
    password = PasswordField(
        "Choose a password", validators=[DataRequired("Choose a password."), PASSWORD_RULE]
    )
    confirm = PasswordField(
        "Type the password again",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", "The passwords do not match."),
        ],
    )
    next = HiddenField()
    submit = SubmitField("Create account")


class ForgotPasswordForm(BaseForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            fits(User.email, "an email address"),
        ],
    )
    submit = SubmitField("Send me a link")


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        "New password", validators=[DataRequired("Choose a password."), PASSWORD_RULE]
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", "The passwords do not match."),
        ],
    )
    submit = SubmitField("Save new password")
