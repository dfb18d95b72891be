"""The attendee's preferences page (asked once as part of booking, editable after) and the
one-off extension of a held seat's time."""

import re

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from booking.account.bookings.forms import ExtendHoldForm
from booking.account.bookings.routes import _own_booking, bp
from booking.database import unit_of_work
from booking.extensions import db
from booking.models import Booking, Role, utcnow
from booking.services.bookings import holds
from booking.services.errors import PreferencesError
from booking.services.notify import channels as contact
from booking.services.people import preferences
from booking.web.forms import BaseForm, safe_next
from booking.web.security import role_required

PHONE_PATTERN = r"^\+?[0-9 ()-]{7,25}$"
HOUR_CHOICES = [
    SelectChoice(
        hour, "midnight" if hour in (0, 24) else f"{hour % 12 or 12}{'am' if hour < 12 else 'pm'}"
    )
    for hour in range(25)
]


class PreferencesForm(BaseForm):
    women_only = RadioField(
        "Would you prefer a women-only group?",
        choices=[
            SelectChoice("yes", "Yes, I would prefer a women-only group"),
            SelectChoice("no", "No, any group is fine"),
        ],
        validators=[InputRequired("Choose yes or no.")],
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
    next = HiddenField()
    submit = SubmitField("Save and continue")

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


_ANSWER_FIELDS = [
    name for name in preferences.Answers.__dataclass_fields__ if name != "prefers_women_only"
]


@bp.route("/preferences", methods=["GET", "POST"])
@role_required(Role.ATTENDEE)
def preferences_page():
    """What you need, and how it is safe to contact you: asked once, changed any time."""
    profile = contact.profile_for(current_user)
    answered = preferences.has_answered(current_user)
    form = PreferencesForm(next=request.args.get("next", ""))
    if request.method == "GET" and profile is not None:
        for name in _ANSWER_FIELDS:
            getattr(form, name).data = getattr(profile, name)
        if answered:
            form.women_only.data = "yes" if profile.prefers_women_only else "no"
    if form.validate_on_submit():
        answers = preferences.Answers(
            prefers_women_only=form.women_only.data == "yes",
            **{name: _answer(form, name) for name in _ANSWER_FIELDS},
        )
        try:
            with unit_of_work():
                preferences.save(current_user, answers, now=utcnow())
        except PreferencesError as error:
            form.phone_number.errors.append(error.message)
        else:
            flash("Thank you. Your answers are saved. You can change them at any time.", "success")
            return redirect(safe_next(form.next.data, url_for("attendee.preferences_page")), 303)
    status = 400 if form.errors else 200
    return (
        render_template(
            "account/bookings/preferences.html",
            form=form,
            answered=answered,
            name=current_user.first_name,
        ),
        status,
    )


def _empty(name: str):
    return "" if isinstance(preferences.Answers.__dataclass_fields__[name].default, str) else False


def _answer(form: PreferencesForm, name: str):
    value = getattr(form, name).data
    if name in ("safe_from_hour", "safe_until_hour"):
        return int(value or 0)  # an hour: 0 (midnight) is an answer, not a blank
    return value or _empty(name)


@bp.post("/bookings/<reference>/more-time")
@role_required(Role.ATTENDEE)
def extend_hold(reference: str):
    """Hold my place for 30 more minutes (once)."""
    form = ExtendHoldForm()
    booking = _own_booking(reference)
    if form.validate_on_submit():
        booking_id = booking.id
        with unit_of_work():
            booking = db.session.get(Booking, booking_id, with_for_update=True)
            holds.extend_hold(
                booking,
                person=current_user,
                now=utcnow(),
                minutes=current_app.config["HOLD_MINUTES"],
            )
        flash("We have given you 30 more minutes.", "success")
    return redirect(url_for("attendee.booking_detail", reference=reference), 303)
