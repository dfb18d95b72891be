"""The attendee's preferences page (optional, editable at any time) and more time on a held
seat."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, SubmitField

from booking.account.bookings.blueprint import bp
from booking.account.bookings.forms import ExtendHoldForm
from booking.account.ownership import own_booking_or_404
from booking.database import unit_of_work
from booking.models import Role, utcnow
from booking.services.bookings import holds, queries
from booking.services.errors import PreferencesError
from booking.services.notify import channels as contact
from booking.services.people import preferences
from booking.web.answers import AnswerFields, answers_from, fill_from
from booking.web.errors import shows_form_again_without_token
from booking.web.forms import safe_next
from booking.web.found import or_404
from booking.web.security import role_required


class PreferencesForm(AnswerFields):
    next = HiddenField()
    submit = SubmitField("Save and continue")


@bp.route("/preferences", methods=["GET", "POST"])
@shows_form_again_without_token
@role_required(Role.ATTENDEE)
def preferences_page():
    """What you need, and how it is safe to contact you: asked once, changed any time."""
    profile = contact.profile_for(current_user)
    answered = preferences.has_answered(current_user)
    form = PreferencesForm(next=request.args.get("next", ""))
    if request.method == "GET":
        fill_from(form, profile, answered=answered)
    if form.validate_on_submit():
        answers = answers_from(form)
        try:
            with unit_of_work():
                preferences.save(current_user, answers, now=utcnow())
        except PreferencesError as error:
            form.phone_number.errors.append(error.message)
        else:
            flash("Thank you. Your answers are saved. You can change them at any time.", "success")
            return redirect(
                safe_next(form.next.data, url_for("account.bookings.preferences_page")), 303
            )
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


@bp.post("/bookings/<reference>/more-time")
@role_required(Role.ATTENDEE)
def extend_hold(reference: str):
    """Hold my place for longer, when it is about to run out (up to ten times)."""
    form = ExtendHoldForm()
    booking = own_booking_or_404(reference)
    if form.validate_on_submit():
        booking_id = booking.id
        with unit_of_work():
            booking = or_404(queries.booking_locked(booking_id))
            holds.extend_hold(
                booking,
                person=current_user,
                now=utcnow(),
                minutes=current_app.config["HOLD_MINUTES"],
            )
        flash("We have given you 30 more minutes.", "success")
    return redirect(url_for("account.bookings.booking_detail", reference=reference), 303)
