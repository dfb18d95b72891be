"""An attendee's own bookings: book a seat, see bookings, cancel."""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from booking.account.bookings.blueprint import bp
from booking.account.bookings.forms import BookForm, CancelBookingForm, ExtendHoldForm
from booking.account.ownership import own_booking_or_404
from booking.account.payments.summary import booking_money
from booking.database import unit_of_work
from booking.jobs import enqueue
from booking.models import Role, utcnow
from booking.referral.forms import SendLinkForm
from booking.services.bookings import (
    after_course,
    cancellation,
    catalogue,
    eligibility,
    holds,
)
from booking.services.bookings import attendee as attendee_bookings
from booking.services.bookings import queries as booking_queries
from booking.services.bookings import seats as bookings
from booking.services.errors import BookingError, ReferralError
from booking.services.notify import channels as contact
from booking.services.notify import queries as message_queries
from booking.services.people import guests
from booking.services.referrals import queries as referral_queries
from booking.web import links
from booking.web.errors import shows_form_again_without_token
from booking.web.policies import current_ending_policy
from booking.web.security import role_required


@bp.route("/sessions/<int:session_id>/book", methods=["GET", "POST"])
@shows_form_again_without_token
@role_required(Role.ATTENDEE)
def book(session_id: int):
    """Confirm the choice of session, then hold (and if free, confirm) a seat."""
    form = BookForm()
    if form.validate_on_submit():
        # The booking reads the session under its lock; loading it first as well would cost
        # a statement on the busiest write path for nothing.
        try:
            with unit_of_work():
                booking = attendee_bookings.book_and_confirm(
                    session_id,
                    current_user,
                    now=utcnow(),
                    hold_minutes=current_app.config["HOLD_MINUTES"],
                    base_url=links.base_url(),
                    women_only_confirmed=bool(form.confirm_women_only.data),
                )
                reference = booking.reference
        except BookingError as error:
            course_session = catalogue.session_for_display(session_id)
            if course_session is None:
                abort(404)
            if error.code != "women_only_unconfirmed":
                raise
            # Shown beside the tick box it is about, rather than as a page-level message.
            form.confirm_women_only.errors.append(error.message)
            return _book_page(course_session, form), 400
        return redirect(url_for("account.bookings.booking_detail", reference=reference), 303)
    course_session = catalogue.session_for_display(session_id)
    if course_session is None:
        abort(404)
    return _book_page(course_session, form)


def _book_page(course_session, form: BookForm) -> str:
    places_left = bookings.places_left(course_session, now=utcnow())
    # The person's referrals decide both the fee shown and whether the session fits: read once.
    bookable = eligibility.bookable_referrals(current_user)
    return render_template(
        "account/bookings/book.html",
        course_session=course_session,
        places_left=places_left,
        fee_pence=bookings.fee_for_person(course_session, current_user, bookable=bookable),
        does_not_fit=_why_not_message(course_session, bookable),
        form=form,
        profile=contact.profile_for(current_user),
    )


def _why_not_message(course_session, bookable: list) -> str | None:
    """Why this session does not fit the person's referral, said before they try to book."""
    code = eligibility.why_session_does_not_fit(current_user, course_session, bookable=bookable)
    return ReferralError(code).message if code else None


@bp.get("/bookings")
@role_required(Role.ATTENDEE)
def bookings_list():
    """My bookings."""
    mine = booking_queries.bookings_for_person(current_user)
    return render_template("account/bookings/bookings.html", bookings=mine, now=utcnow())


@bp.get("/bookings/<reference>")
@role_required(Role.ATTENDEE)
def booking_detail(reference: str):
    """One of my bookings."""
    booking = own_booking_or_404(reference)
    now = utcnow()
    minutes = current_app.config["HOLD_MINUTES"]
    return render_template(
        "account/bookings/booking.html",
        booking=booking,
        now=now,
        extend_form=ExtendHoldForm(),
        hold_running_out=holds.is_running_out(booking, now=now, minutes=minutes),
        hold_nearly_up=holds.is_nearly_up(booking, now=now),
        hold_ended=holds.has_ended(booking, now=now),
        can_extend_hold=holds.can_extend_hold(booking, now=now, minutes=minutes),
        extensions_left=holds.extensions_left(booking),
        hold_minutes=minutes,
        money=booking_money(booking),
        reach=contact.how_we_reach(current_user),
        tell=contact.how_we_will_tell(current_user),
        last_sent=message_queries.last_sent_about(booking.id),
        is_guest=not current_user.password_chosen,
        can_be_emailed=guests.can_be_emailed(current_user),
        link_form=SendLinkForm(),
        next_steps=after_course.next_steps(booking, now=now),
        referral=referral_queries.referral(booking.referral_id) if booking.referral_id else None,
    )


@bp.get("/bookings/<reference>/cancel")
@role_required(Role.ATTENDEE)
def cancel_check(reference: str):
    """Check before cancelling: what happens to the place and to any money paid."""
    booking = own_booking_or_404(reference)
    now = utcnow()
    if not booking.is_active or booking.session.starts_at <= now:
        return redirect(url_for("account.bookings.booking_detail", reference=reference), 303)
    preview = cancellation.preview_cancellation(
        booking, now=now, days=current_app.config["REFUND_FULL_DAYS_BEFORE"]
    )
    return render_template(
        "account/bookings/cancel_check.html",
        booking=booking,
        preview=preview,
        form=CancelBookingForm(),
        full_refund_days=current_app.config["REFUND_FULL_DAYS_BEFORE"],
    )


@bp.post("/bookings/<reference>/cancel")
@role_required(Role.ATTENDEE)
def cancel(reference: str):
    """Cancel one of my bookings (the check page's button)."""
    form = CancelBookingForm()
    if not form.validate_on_submit():
        abort(400)
    booking = own_booking_or_404(reference)
    booking_id = booking.id
    with unit_of_work():
        # The one ending: money by the refund rule, help given back to the fund, the place
        # offered to the next person waiting, and a message saying what happens to the money.
        ending = cancellation.cancel_by_attendee(
            booking_id, current_user, now=utcnow(), policy=current_ending_policy()
        )
        money, refund_ids = ending.money, ending.refund_ids
    # Only after the commit: the worker sends the refund to Stripe (a failure is listed for
    # staff), so the person never waits on Stripe.
    enqueue.send_refunds_after_commit(refund_ids)
    flash("Your booking is cancelled. Your place has been released.", "success")
    if money == "refunded":
        flash("We are refunding your payment in full.", "success")
    elif money == "staff_decide":
        flash("We will be in touch about your payment.", "info")
    return redirect(url_for("account.bookings.bookings_list"), 303)
