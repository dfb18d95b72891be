"""The questions about needs and safe contact, shared by the "your details" step of booking,
the referral route and the preferences page, so they are asked the same way everywhere.

Every question is optional. "Women-only group?" starts at "no preference".
"""

import re

from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from booking.models import AttendeeProfile
from booking.services.people import preferences
from booking.web.forms import BaseForm

PHONE_PATTERN = r"^\+?[0-9 ()-]{7,25}$"
NO_PREFERENCE = "no_preference"


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

    def validate_phone_number(self, field) -> None:
        calls = (self.phone_is_safe.data, self.text_is_safe.data, self.voicemail_is_safe.data)
        number = (field.data or "").strip()
        if any(calls) and not number:
            raise ValidationError("Enter a phone number, or untick phone, text and voicemail.")
        if number and not re.fullmatch(PHONE_PATTERN, number):
            raise ValidationError("Enter a phone number like 07700 900123.")


ANSWER_FIELDS = [
    name for name in preferences.Answers.__dataclass_fields__ if name != "prefers_women_only"
]


def _empty(name: str):
    return "" if isinstance(preferences.Answers.__dataclass_fields__[name].default, str) else False


def answers_from(form: AnswerFields) -> preferences.Answers:
    """The form's answers as the preferences service takes them ("no preference" is not "yes")."""
    return preferences.Answers(
        prefers_women_only=form.women_only.data == "yes",
        **{name: getattr(form, name).data or _empty(name) for name in ANSWER_FIELDS},
    )


def fill_from(form: AnswerFields, profile: AttendeeProfile | None, *, answered: bool) -> None:
    """Pre-fill the form with what the person told us before."""
    if profile is None:
        return
    for name in ANSWER_FIELDS:
        getattr(form, name).data = getattr(profile, name)
    if answered:
        form.women_only.data = "yes" if profile.prefers_women_only else NO_PREFERENCE
