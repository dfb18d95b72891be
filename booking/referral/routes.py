"""Book by reference: look up a referral, see sessions that fit, book one, keep access."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from booking.database import unit_of_work
from booking.extensions import limiter
from booking.models import Role, utcnow
from booking.referral.forms import (
    AccountForm,
    ChooseSessionForm,
    ContinueForm,
    ReferenceLookupForm,
    SendLinkForm,
)
from booking.services.bookings import seats as bookings
from booking.services.money import fees
from booking.services.people import access_links
from booking.services.referrals import lookup as referrals
from booking.web import links
from booking.web.security import role_required

bp = Blueprint("referral", __name__)

NO_MATCH = (
    "We could not match those details. Please check them and try again. If you are stuck, "
    "contact us and we will help."
)


def _lookup_limit() -> str:
    return current_app.config["REFERRAL_LOOKUP_RATE_LIMIT"]


@bp.route("/start", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def start():
    """Enter a reference, surname and date of birth (open to everyone; rate-limited)."""
    form = ReferenceLookupForm()
    no_match = False
    if form.validate_on_submit():
        referral = referrals.find_referral(
            form.police_reference.data, form.surname.data, form.date_of_birth.data
        )
        if referral is not None:
            with unit_of_work():
                person = referrals.attendee_for_referral(referral, now=utcnow())
            if current_user.is_authenticated and current_user.id != person.id:
                return _no_match_page()
            login_user(person)
            return redirect(url_for("referral.sessions"), 303)
        no_match = True
    if no_match:
        return _no_match_page()
    return render_template("referral/start.html", form=form, no_match=False)


def _no_match_page():
    # The same page whatever was wrong: a blank form and one calm message.
    return render_template(
        "referral/start.html", form=ReferenceLookupForm(formdata=None), no_match=True
    )


@bp.get("/sessions")
@role_required(Role.ATTENDEE)
def sessions():
    """Sessions that fit my referral."""
    referral = referrals.referral_for_person(current_user)
    if referral is None:
        flash("We could not find an open referral for you.", "info")
        return redirect(url_for("attendee.bookings_list"))
    now = utcnow()
    options = referrals.eligible_sessions(referral, now=now)
    taken = bookings.seats_taken_by_session([s.id for s in options], now=now)
    return render_template(
        "referral/sessions.html",
        referral=referral,
        options=options,
        taken=taken,
        fee_pence=fees.fee_for(options[0], referral.scheme) if options else None,
        existing=referrals.active_booking(referral),
        form=ChooseSessionForm(),
        link_form=SendLinkForm(),
    )


@bp.post("/sessions/<int:session_id>/book")
@role_required(Role.ATTENDEE)
def book(session_id: int):
    """Book a session for my referral."""
    form = ChooseSessionForm()
    referral = referrals.referral_for_person(current_user)
    if not form.validate_on_submit() or referral is None:
        return redirect(url_for("referral.sessions"), 303)
    with unit_of_work():
        booking = referrals.book_for_referral(
            referral.id,
            session_id,
            current_user,
            now=utcnow(),
            hold_minutes=current_app.config["HOLD_MINUTES"],
            base_url=links.base_url(),
            women_only_confirmed=bool(form.confirm_women_only.data),
        )
        reference = booking.reference
    return redirect(url_for("attendee.booking_detail", reference=reference), 303)


@bp.route("/account", methods=["GET", "POST"])
@role_required(Role.ATTENDEE)
def account():
    """Keep access: set an email address and password."""
    form = AccountForm()
    if form.validate_on_submit():
        with unit_of_work():
            referrals.set_up_account(
                current_user,
                email=form.email.data,
                password=form.password.data,
                email_is_safe=form.email_is_safe.data,
                now=utcnow(),
            )
        flash("Saved. You can sign in with your email address and password.", "success")
        return redirect(url_for("attendee.bookings_list"), 303)
    return render_template("referral/account.html", form=form)


@bp.post("/send-link")
@role_required(Role.ATTENDEE)
def send_link():
    """Email me a link that signs me in (only if I said email is safe)."""
    if not SendLinkForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        sent = access_links.send_link(
            current_user,
            secret_key=current_app.config["SECRET_KEY"],
            link_for=lambda token: f"{links.base_url()}/referral/link/{token}",
            now=utcnow(),
        )
    if sent:
        flash("We have emailed you a link. It works for 7 days.", "success")
    else:
        flash("We only email you if you have told us email is safe. You can do that below.", "info")
        return redirect(url_for("referral.account"), 303)
    return redirect(url_for("attendee.bookings_list"), 303)


@bp.route("/link/<token>", methods=["GET", "POST"])
def magic_link(token: str):
    """Sign in from an emailed link (open to everyone; the signed token is the check).

    The GET only shows a button, so mail scanners that open links do not sign anyone in.
    """
    person = access_links.person_for_token(
        token,
        secret_key=current_app.config["SECRET_KEY"],
        max_age=access_links.DEFAULT_MAX_AGE_SECONDS,
    )
    form = ContinueForm()
    if person is not None and form.validate_on_submit():
        login_user(person)
        return redirect(url_for("attendee.bookings_list"), 303)
    return render_template("referral/link.html", valid=person is not None, form=form), (
        200 if person is not None else 404
    )
