"""The questions about needs and safe contact, shared by the "your details" step of booking,
the referral route and the preferences page, so they are asked the same way everywhere.

Every question is optional. "Women-only group?" starts at "no preference".
"""

import re

from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, ValidationError

from booking.models import AttendeeProfile
from booking.services.people import preferences
from booking.web.forms import BaseForm

PHONE_PATTERN = r"^\+?[0-9 ()-]{7,25}$"
NO_PREFERENCE = "no_preference"
HOUR_CHOICES = [
    SelectChoice(
        hour, "midnight" if hour in (0, 24) else f"{hour % 12 or 12}{'am' if hour < 12 else 'pm'}"
    )
    for hour in range(25)
]


class AnswerFields(BaseForm):
    women_only = RadioField(
        "Would you prefer a women-only group?",
        choices=[
            SelectChoice(NO_PREFERENCE, "No preference"),
            SelectChoice("yes", "Yes, I would prefer a women-only group"),
            SelectChoice("no", "No, any group is fine"),
        ],
        default=NO_PREFERENCE,
        validators=[Optional()],
    )
    needs_step_free = BooleanField("Step-free access (no stairs)")
    needs_hearing_loop = BooleanField("A hearing loop")
    needs_large_print = BooleanField("Large print")
    needs_bsl_interpreter = BooleanField("A British Sign Language (BSL) interpreter")
    interpreter_language = StringField(
        "An interpreter for another language: which language? (optional)",
        validators=[Optional(), Length(max=60)],
    )
    needs_childcare = BooleanField("Help with childcare")
    needs_travel_help = BooleanField("Help with travel, or its cost")
    other_needs = TextAreaField(
        "Anything else that would help you on the day (optional)",
        validators=[Optional(), Length(max=500, message="Use 500 characters or fewer.")],
    )
    email_is_safe = BooleanField("Email")
    phone_is_safe = BooleanField("Phone call")
    text_is_safe = BooleanField("Text message")
    voicemail_is_safe = BooleanField("Voicemail")
    post_is_safe = BooleanField("Post")
    phone_number = StringField("Phone number (optional)", validators=[Length(max=30)])
    best_times = StringField(
        "Best times to contact you (optional)", validators=[Optional(), Length(max=200)]
    )
    preferred_name = StringField(
        "A name we may use when we contact you (optional)", validators=[Optional(), Length(max=80)]
    )
    contact_order = SelectField(
        "Which safe way should we try first?",
        choices=[
            SelectChoice("", "No preference (text message, then email, then post, then a call)"),
            SelectChoice("text", "Text message"),
            SelectChoice("email", "Email"),
            SelectChoice("letter", "Post"),
            SelectChoice("call", "Phone call"),
        ],
        default="",
    )
    safe_from_hour = SelectField(
        "Texts and calls are safe from", choices=HOUR_CHOICES, coerce=int, default=9
    )
    safe_until_hour = SelectField("until", choices=HOUR_CHOICES, coerce=int, default=20)
    postal_address = TextAreaField(
        "Postal address (only if you ticked post)",
        validators=[Optional(), Length(max=300, message="Use 300 characters or fewer.")],
    )

    def validate_phone_number(self, field) -> None:
        calls = (self.phone_is_safe.data, self.text_is_safe.data, self.voicemail_is_safe.data)
        number = (field.data or "").strip()
        if any(calls) and not number:
            raise ValidationError("Enter a phone number, or untick phone, text and voicemail.")
        if number and not re.fullmatch(PHONE_PATTERN, number):
            raise ValidationError("Enter a phone number like 07700 900123.")

    def validate_postal_address(self, field) -> None:
        if self.post_is_safe.data and not (field.data or "").strip():
            raise ValidationError("Enter your postal address, or untick post.")

    def validate_safe_until_hour(self, field) -> None:
        if self.safe_from_hour.data is not None and field.data <= self.safe_from_hour.data:
            raise ValidationError("Choose an end time after the start time.")


ANSWER_FIELDS = [
    name for name in preferences.Answers.__dataclass_fields__ if name != "prefers_women_only"
]


def _empty(name: str):
    return "" if isinstance(preferences.Answers.__dataclass_fields__[name].default, str) else False


def _answer(form: AnswerFields, name: str):
    value = getattr(form, name).data
    if name in ("safe_from_hour", "safe_until_hour"):
        return int(value if value is not None else 0)  # 0 (midnight) is an answer, not a blank
    return value or _empty(name)


def answers_from(form: AnswerFields) -> preferences.Answers:
    """The form's answers as the preferences service takes them ("no preference" is not "yes")."""
    return preferences.Answers(
        prefers_women_only=form.women_only.data == "yes",
        **{name: _answer(form, name) for name in ANSWER_FIELDS},
    )


def fill_from(form: AnswerFields, profile: AttendeeProfile | None, *, answered: bool) -> None:
    """Pre-fill the form with what the person told us before."""
    if profile is None:
        return
    for name in ANSWER_FIELDS:
        getattr(form, name).data = getattr(profile, name)
    if answered:
        form.women_only.data = "yes" if profile.prefers_women_only else NO_PREFERENCE
