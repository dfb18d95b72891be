from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from booking.web.forms import BaseForm, any_sane_date


class AccessLogForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter that changes nothing (viewing is logged by the route)

    person = StringField(
        "Person (email, booking reference, police reference or account number)",
        validators=[Optional(), Length(max=254)],
    )
    staff = SelectField("Staff member", coerce=int, default=0)
    date_from = DateField("From", validators=[Optional(), any_sane_date()])
    date_to = DateField("To", validators=[Optional(), any_sane_date()])
    submit = SubmitField("Show")

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The last date must be on or after the first date.")


class FindPersonForm(BaseForm):
    class Meta:
        csrf = False

    person = StringField(
        "Email, booking reference, police reference or account number",
        validators=[InputRequired("Enter something that identifies the person."), Length(max=254)],
    )
    submit = SubmitField("Find")


class EraseForm(BaseForm):
    reason = TextAreaField(
        "Why are you erasing their details?",
        validators=[
            DataRequired("Give the reason for erasing, for example how and when they asked."),
            Length(max=500, message="Use 500 characters or fewer."),
        ],
    )
    confirm = BooleanField(
        "I understand this cannot be undone",
        validators=[DataRequired("Tick the box to confirm.")],
    )
    submit = SubmitField("Erase their details now")
