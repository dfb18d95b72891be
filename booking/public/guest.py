"""Booking, or joining a full session's waiting list, without an account.

Search, choose a session, give a name and a way to reach you, confirm: the place is booked
through the one placement function (or the waiting list joined through waitlist.join), the
person is signed in to the new guest account in this browser, and a sign-in link goes to their
safe channel. An account (a password) is offered afterwards, never required.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField, EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from booking.auth import sessions as sign_in_sessions
from booking.database import unit_of_work
from booking.extensions import limiter
from booking.models import Role, utcnow
from booking.public.blueprint import bp
from booking.services.bookings import attendee as attendee_bookings
from booking.services.bookings import catalogue
from booking.services.bookings import seats as bookings
from booking.services.bookings import waitlist as waitlist_service
from booking.services.errors import BookingError, PreferencesError, ReferralError
from booking.services.people import access_links, guests
from booking.web import links
from booking.web.answers import AnswerFields, answers_from
from booking.web.errors import shows_form_again_without_token


class GuestDetailsForm(AnswerFields):
    first_name = StringField(
        "Your first name, or a name we can use",
        validators=[DataRequired("Enter a name we can use."), Length(max=80)],
    )
    email = EmailField(
        "Email address (optional)",
        validators=[
            Optional(),
            Email("Enter an email address like name@example.com."),
            Length(max=254),
        ],
    )
    confirm_women_only = BooleanField("I confirm this women-only group is right for me")
    submit = SubmitField("Confirm booking")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() ends the email field's own checks when it is empty, so this is asked here.
        # Post alone is enough: someone with no phone and no email (a care-of address, say)
        # gets their booking by letter, or a call from us.
        by_post = self.post_is_safe.data and (self.postal_address.data or "").strip()
        if (
            not (self.email.data or "").strip()
            and not (self.phone_number.data or "").strip()
            and not by_post
        ):
            self.email.errors = [
                *self.email.errors,
                "Enter an email address or a phone number, or tick Post and give an address "
                "(a care-of address is fine), so we can send you your booking.",
            ]
            return False
        return valid


def _no_store(response):
    # The page may show what the person typed (after a mistake): never keep it in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _guest_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _created(response) -> bool:
    # Only a new guest counts: a person fixing a mistake on the form is never held up.
    return response.status_code == 303


def _client_address() -> str:
    return request.remote_addr or "unknown"


# Each booking without an account creates an account: limited per address, like registering.
_limit_new_guests = limiter.limit(
    _guest_limit, methods=["POST"], key_func=_client_address, deduct_when=_created
)


@bp.route("/sessions/<int:session_id>/your-details", methods=["GET", "POST"])
@shows_form_again_without_token
@_limit_new_guests
def your_details(session_id: int):
    """Your details and the optional questions, then one button that books the place."""
    if current_user.is_authenticated and current_user.role == Role.ATTENDEE:
        return redirect(url_for("account.bookings.book", session_id=session_id))
    return _details_page(session_id, waitlist=False)


@bp.route("/sessions/<int:session_id>/waiting-list", methods=["GET", "POST"])
@shows_form_again_without_token
@_limit_new_guests
def waiting_list(session_id: int):
    """Join a full session's waiting list without an account: the same details, one button."""
    if current_user.is_authenticated and current_user.role == Role.ATTENDEE:
        return redirect(url_for("public.session_detail", session_id=session_id))
    return _details_page(session_id, waitlist=True)


def _details_page(session_id: int, *, waitlist: bool):
    course_session = catalogue.session_for_display(session_id)
    if course_session is None:
        abort(404)
    form = GuestDetailsForm()
    if waitlist:
        form.submit.label.text = "Join the waiting list"
    problem = ""
    # A course for referred people only is booked with the police reference: nobody fills in
    # a form here that would be refused at the end.
    needs_referral = course_session.course_type.referral_required
    if not needs_referral and form.validate_on_submit():
        now = utcnow()
        try:
            with unit_of_work():
                details = guests.GuestDetails(
                    first_name=form.first_name.data,
                    email=form.email.data or "",
                    answers=answers_from(form),
                )
                person = guests.create_guest(details, now=now)
                if waitlist:
                    waitlist_service.join(session_id, person, now=now)
                    done = url_for("account.changes.waiting_lists")
                else:
                    booking = attendee_bookings.book_and_confirm(
                        session_id,
                        person,
                        now=now,
                        hold_minutes=current_app.config["HOLD_MINUTES"],
                        base_url=links.base_url(),
                        women_only_confirmed=bool(form.confirm_women_only.data),
                    )
                    done = url_for("account.bookings.booking_detail", reference=booking.reference)
                access_links.send_link(
                    person,
                    secret_key=current_app.config["SECRET_KEY"],
                    link_for=sign_in_sessions.access_link_url,
                    now=now,
                )
        except BookingError as error:
            if error.code == "women_only_unconfirmed":
                form.confirm_women_only.errors = [error.message]
            else:
                problem = error.message
        except PreferencesError as error:
            form.phone_number.errors = [error.message]
        except ReferralError as error:
            problem = error.message
        else:
            sign_in_sessions.sign_in(person, now=now)
            if waitlist:
                flash(
                    "You are on the waiting list. We will let you know if a place comes up.",
                    "success",
                )
            return redirect(done, 303)
    status = 400 if (form.errors or problem) else 200
    page = render_template(
        "public/your_details.html",
        course_session=course_session,
        form=form,
        problem=problem,
        waitlist=waitlist,
        needs_referral=needs_referral,
        places_left=bookings.places_left(course_session, now=utcnow()),
    )
    return _no_store(current_app.make_response((page, status)))
