"""Forms for finding a person and acting for them. Every action asks why, for the record."""

import re

from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from booking.web.answers import AnswerFields
from booking.web.forms import BaseForm, PenceField

PHONE_PATTERN = r"^\+?[0-9 ()-]{7,25}$"


class FindPersonForm(BaseForm):
    class Meta:
        csrf = False  # a search changes nothing (the search itself is audited)

    q = StringField(
        "Name, email, phone, police reference or booking reference",
        validators=[InputRequired("Type at least two letters or numbers."), Length(max=120)],
    )
    submit = SubmitField("Find")


class WhyForm(BaseForm):
    why = StringField(
        "Why (kept in the record of who did what)",
        validators=[InputRequired("Say briefly why, for the record."), Length(max=200)],
    )
    submit = SubmitField("Confirm")


class AnswersForm(WhyForm):
    """What the person tells us on the phone: the same answers as their own preferences page."""

    preferred_name = StringField("Name to use when we contact them", validators=[Length(max=80)])
    prefers_women_only = BooleanField("Would prefer a women-only group")
    needs_step_free = BooleanField("Step-free access (no stairs)")
    needs_hearing_loop = BooleanField("A hearing loop")
    needs_large_print = BooleanField("Large print")
    needs_bsl_interpreter = BooleanField("A British Sign Language (BSL) interpreter")
    interpreter_language = StringField(
        "An interpreter for another language: which language?",
        validators=[Optional(), Length(max=60)],
    )
    needs_childcare = BooleanField("Help with childcare")
    needs_travel_help = BooleanField("Help with travel, or its cost")
    other_needs = TextAreaField(
        "Anything else that would help on the day", validators=[Length(max=500)]
    )
    email_is_safe = BooleanField("Email is safe")
    phone_is_safe = BooleanField("Phone calls are safe")
    text_is_safe = BooleanField("Texts are safe")
    voicemail_is_safe = BooleanField("Voicemail is safe")
    post_is_safe = BooleanField("Letters are safe")
    phone_number = StringField("Phone number", validators=[Length(max=30)])
    best_times = StringField("Best times to contact them", validators=[Length(max=200)])
    # The same channel answers the person gives on their own preferences page.
    contact_order = AnswerFields.contact_order
    safe_from_hour = AnswerFields.safe_from_hour
    safe_until_hour = AnswerFields.safe_until_hour
    postal_address = AnswerFields.postal_address
    validate_postal_address = AnswerFields.validate_postal_address
    validate_safe_until_hour = AnswerFields.validate_safe_until_hour

    def validate_phone_number(self, field) -> None:
        calls = (self.phone_is_safe.data, self.text_is_safe.data, self.voicemail_is_safe.data)
        number = (field.data or "").strip()
        if any(calls) and not number:
            raise ValidationError("Enter a phone number, or untick phone, text and voicemail.")
        if number and not re.fullmatch(PHONE_PATTERN, number):
            raise ValidationError("Enter a phone number like 07700 900123.")


class NewPersonForm(AnswersForm):
    first_name = StringField(
        "First name", validators=[InputRequired("Enter their first name."), Length(max=80)]
    )
    last_name = StringField("Last name", validators=[Length(max=80)])
    email = EmailField(
        "Email address (leave empty if they have none, or it is not safe)",
        validators=[
            Optional(),
            Email("Enter an email address like name@example.org."),
            Length(max=254),
        ],
    )
    submit = SubmitField("Add this person")


class BookForm(WhyForm):
    session_id = SelectField("Session", coerce=int, validators=[InputRequired("Choose a session.")])
    women_only_confirmed = BooleanField(
        "They have said a women-only group is right for them (only needed for those groups)"
    )
    submit = SubmitField("Book this place")


class PhonePaymentForm(WhyForm):
    amount = PenceField("Amount taken, in pounds", validators=[InputRequired("Enter the amount.")])
    reference = StringField("Card machine or receipt reference", validators=[Length(max=120)])
    submit = SubmitField("Record the payment")
