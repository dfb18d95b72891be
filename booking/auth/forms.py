from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from booking.models import User
from booking.web.forms import BaseForm, fits, new_password, password_again


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
    password = new_password()
    confirm = password_again()
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
    password = new_password("New password")
    confirm = password_again("Type the new password again")
    submit = SubmitField("Save new password")


class ChoosePasswordForm(BaseForm):
    """An invited member of staff or trainer choosing their first password."""

    password = new_password()
    confirm = password_again()
    submit = SubmitField("Set my password")


class FindBookingForm(BaseForm):
    reference = StringField(
        "Your booking reference",
        validators=[DataRequired("Enter your booking reference."), Length(max=20)],
    )
    submit = SubmitField("Send me a code")


class BookingCodeForm(BaseForm):
    reference = StringField(
        "Your booking reference",
        validators=[DataRequired("Enter your booking reference."), Length(max=20)],
    )
    code = StringField(
        "The code we sent you",
        validators=[DataRequired("Enter the code we sent you."), Length(max=12)],
    )
    submit = SubmitField("Open my booking")
