"""Acting for a person on the phone: book, take a payment, send a pay link, move, cancel,
give more time. Each page asks why; each action calls the one rule that does it."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from booking.auth.sessions import access_link_url
from booking.database import unit_of_work
from booking.models import Booking, CourseSession, utcnow
from booking.services.bookings import fitting, rescheduling
from booking.services.bookings import queries as booking_queries
from booking.services.money import payments
from booking.services.money.amounts import pounds
from booking.services.notify import channels as contact
from booking.services.people import acting
from booking.staff.people.blueprint import bp
from booking.staff.people.forms import BookForm, PhonePaymentForm, WhyForm
from booking.staff.people.lookups import attendee_or_404
from booking.web import links
from booking.web.filters import when
from booking.web.found import or_404
from booking.web.policies import current_ending_policy


def _booking_or_404(reference: str) -> Booking:
    return or_404(booking_queries.booking_for_staff(reference))


def _back_to(booking: Booking):
    return redirect(url_for("staff.people.person", person_id=booking.user_id), 303)


def _label(course_session: CourseSession, places_left: int | None = None) -> str:

    where = (
        "Online"
        if course_session.is_online
        else (course_session.venue.name if course_session.venue else "")
    )
    extra = " (women-only group)" if course_session.women_only else ""
    left = f", {places_left} place(s) left" if places_left is not None else ""
    return (
        f"{course_session.course_type.name}: {when(course_session.starts_at)}, {where}{extra}{left}"
    )


def _session_choices(person) -> list[tuple[int, str]]:
    """The sessions that fit the person (their referral, area, group), soonest first."""
    return [
        (option.session.id, _label(option.session, option.places_left))
        for option in fitting.sessions_that_fit(person, now=utcnow())
    ]


def _action_page(
    title: str,
    form,
    *,
    person,
    booking=None,
    intro: str = "",
    consequences: list[str] | None = None,
):
    return (
        render_template(
            "staff/people/action.html",
            title=title,
            form=form,
            person=person,
            booking=booking,
            intro=intro,
            consequences=consequences or [],
        ),
        400 if form.errors else 200,
    )


@bp.route("/<int:person_id>/book", methods=["GET", "POST"])
def book(person_id: int):
    """Book a place for the person through the one placement function."""
    person = attendee_or_404(person_id)
    form = BookForm()
    form.session_id.choices = _session_choices(person)
    if form.validate_on_submit():
        with unit_of_work():
            booking = acting.book(
                attendee_or_404(person_id),
                form.session_id.data,
                by=current_user,
                why=form.why.data,
                now=utcnow(),
                women_only_confirmed=form.women_only_confirmed.data,
                base_url=links.base_url(),
            )
            reference, confirmed = booking.reference, booking.status.value == "confirmed"
        flash(
            f"Booked: reference {reference}."
            + ("" if confirmed else " The fee is still to pay: take it by phone or send a link."),
            "success",
        )
        return redirect(url_for("staff.people.person", person_id=person_id), 303)
    return _action_page("Book a place", form, person=person)


@bp.route("/bookings/<reference>/payment", methods=["GET", "POST"])
def payment(reference: str):
    """Record a fee the person paid over the phone; it confirms their place."""
    booking = _booking_or_404(reference)
    form = PhonePaymentForm()
    if form.validate_on_submit():
        with unit_of_work():
            acting.take_phone_payment(
                _booking_or_404(reference),
                amount_pence=form.amount.pence or 0,
                reference=form.reference.data or "",
                by=current_user,
                why=form.why.data,
                now=utcnow(),
            )
        flash("Payment recorded. The place is confirmed.", "success")
        return _back_to(booking)
    due = payments.amount_due(booking)
    return _action_page(
        "Take a payment by phone",
        form,
        person=booking.user,
        booking=booking,
        intro=f"Still to pay: {pounds(due)}.",
    )


@bp.route("/bookings/<reference>/pay-link", methods=["GET", "POST"])
def pay_link(reference: str):
    """Send the person a single-use link to pay, only on a channel they said is safe."""
    booking = _booking_or_404(reference)
    form = WhyForm()
    if form.validate_on_submit():
        with unit_of_work():
            acting.send_pay_link(
                _booking_or_404(reference),
                by=current_user,
                why=form.why.data,
                now=utcnow(),
                secret_key=current_app.config["SECRET_KEY"],
                link_for=access_link_url,
            )
        flash("A link to pay has been sent by email.", "success")
        return _back_to(booking)
    return _action_page("Send a link to pay", form, person=booking.user, booking=booking)


@bp.route("/bookings/<reference>/move", methods=["GET", "POST"])
def move(reference: str):
    """Move the person to another date of the same course."""
    booking = _booking_or_404(reference)
    profile = contact.profile_for(booking.user)
    options = rescheduling.move_options(
        booking, now=utcnow(), wants_women_only=bool(profile and profile.prefers_women_only)
    )
    form = BookForm()
    form.session_id.label.text = "Move to"
    form.submit.label.text = "Move the booking"
    form.session_id.choices = [(o.session.id, _label(o.session, o.places_left)) for o in options]
    if form.validate_on_submit():
        with unit_of_work():
            new = acting.move(
                _booking_or_404(reference),
                form.session_id.data,
                by=current_user,
                why=form.why.data,
                now=utcnow(),
                women_only_confirmed=form.women_only_confirmed.data,
                base_url=links.base_url(),
                policy=current_ending_policy(),
            )
            new_reference = new.reference
        flash(f"Moved. The new reference is {new_reference}.", "success")
        return _back_to(booking)
    return _action_page("Move to another date", form, person=booking.user, booking=booking)


@bp.route("/bookings/<reference>/cancel", methods=["GET", "POST"])
def cancel(reference: str):
    """Cancel for the person; money is settled, the waiting list offered the place."""
    booking = _booking_or_404(reference)
    form = WhyForm()
    form.submit.label.text = "Cancel this booking"
    if form.validate_on_submit():
        with unit_of_work():
            ending = acting.cancel(
                _booking_or_404(reference),
                by=current_user,
                why=form.why.data,
                now=utcnow(),
                policy=current_ending_policy(),
            )
            refunded, to_decide = ending.refunded_pence, ending.to_decide_pence
        flash(
            "Cancelled."
            + (f" {pounds(refunded)} is being refunded to the card." if refunded else "")
            + (f" {pounds(to_decide)} is listed for finance to give back." if to_decide else ""),
            "success",
        )
        return _back_to(booking)
    return _action_page(
        "Cancel this booking",
        form,
        person=booking.user,
        booking=booking,
        intro="If you cancel:",
        consequences=acting.what_cancelling_does(booking, now=utcnow()),
    )


@bp.route("/bookings/<reference>/more-time", methods=["GET", "POST"])
def more_time(reference: str):
    """Hold the person's place a day longer (once), so they can pay."""
    booking = _booking_or_404(reference)
    form = WhyForm()
    form.submit.label.text = "Give a day more"
    if form.validate_on_submit():
        with unit_of_work():
            acting.extend_hold(
                _booking_or_404(reference), by=current_user, why=form.why.data, now=utcnow()
            )
        flash("The place is held for a day more.", "success")
        return _back_to(booking)
    return _action_page("Give more time to pay", form, person=booking.user, booking=booking)
