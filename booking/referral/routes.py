"""Book by reference: look up a referral, see sessions that fit, book one, keep access."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from booking.auth import sessions as sign_in_sessions
from booking.database import unit_of_work
from booking.extensions import limiter
from booking.models import Role, utcnow
from booking.referral.forms import (
    AccountForm,
    ChooseSessionForm,
    ContinueForm,
    ReferenceLookupForm,
    ReferralQuestionsForm,
    SendLinkForm,
)
from booking.services.bookings import seats as bookings
from booking.services.errors import AccountError, PreferencesError
from booking.services.money import fees
from booking.services.notify import channels as contact
from booking.services.people import access_links, accounts, guests, preferences
from booking.services.referrals import lookup as referrals
from booking.services.referrals import reminders as referral_deadlines
from booking.services.referrals import sharing
from booking.web import links
from booking.web.answers import answers_from, fill_from
from booking.web.errors import shows_form_again_without_token
from booking.web.security import role_required

bp = Blueprint("referral", __name__)


def _lookup_limit() -> str:
    return current_app.config["REFERRAL_LOOKUP_RATE_LIMIT"]


def _reference_limit() -> str:
    return current_app.config["REFERRAL_REFERENCE_RATE_LIMIT"]


def submitted_reference() -> str:
    """The reference a look-up names, normalised, with the address it comes from: guesses at
    one person's surname and date of birth from one address share a limit, and a stranger
    guessing elsewhere never locks the person out of their own look-up (each address also has
    its own limit on every look-up, and a used account is only ever sent a link)."""
    reference = referrals.normalise_reference(request.form.get("police_reference", ""))
    return f"reference:{reference}:{request.remote_addr or 'unknown'}"


def _not_signed_in(response) -> bool:
    return response.status_code != 303


@bp.route("/start", methods=["GET", "POST"])
@shows_form_again_without_token
@limiter.limit(_lookup_limit, methods=["POST"])
@limiter.limit(
    _reference_limit, methods=["POST"], key_func=submitted_reference, deduct_when=_not_signed_in
)
def start():
    """Enter a reference, surname and date of birth (open to everyone; rate-limited).

    The details sign in only to an account nobody has used yet. Otherwise the letter is not
    enough: a sign-in link goes to the person's safe channel, and the answer is the same page
    as for details that match nothing, so it says nothing about the account.
    """
    form = ReferenceLookupForm()
    if not form.validate_on_submit():
        return render_template("referral/start.html", form=form, no_match=False)
    referral = referrals.find_referral(
        form.police_reference.data, form.surname.data, form.date_of_birth.data
    )
    if referral is None:
        return _answer_page()
    now = utcnow()
    with unit_of_work():
        person = referrals.attendee_for_referral(referral, now=now)
        already_this_person = current_user.is_authenticated and current_user.id == person.id
        open_to_lookup = accounts.open_to_reference_sign_in(person)
        if not open_to_lookup and not already_this_person:
            access_links.send_link(
                person,
                secret_key=current_app.config["SECRET_KEY"],
                link_for=sign_in_sessions.access_link_url,
                now=now,
            )
    if already_this_person:
        return redirect(url_for("referral.sessions"), 303)
    if not open_to_lookup or current_user.is_authenticated:
        return _answer_page()
    sign_in_sessions.sign_in(person, now=now)
    return redirect(url_for("referral.questions"), 303)


@bp.route("/questions", methods=["GET", "POST"])
@shows_form_again_without_token
@role_required(Role.ATTENDEE)
def questions():
    """The same optional questions as every booking route (needs, safe contact, a women-only
    group), pre-filled when already answered; "skip" goes straight to the sessions."""
    profile = contact.profile_for(current_user)
    form = ReferralQuestionsForm()
    if request.method == "GET":
        fill_from(form, profile, answered=preferences.has_answered(current_user))
    if form.validate_on_submit():
        try:
            with unit_of_work():
                preferences.save(current_user, answers_from(form), now=utcnow())
        except PreferencesError as error:
            form.phone_number.errors = [error.message]
        else:
            return redirect(url_for("referral.sessions"), 303)
    return render_template("referral/questions.html", form=form, name=current_user.first_name), (
        400 if form.errors else 200
    )


def _answer_page():
    # One page for details that match nothing and for an account the details may no longer
    # open: a blank form and one calm message, so the answer gives nothing away.
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
        return redirect(url_for("account.bookings.bookings_list"))
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
        days_left=referral_deadlines.days_left(referral, today=referral_deadlines.today_in_uk(now)),
        form=ChooseSessionForm(),
        link_form=SendLinkForm(),
        can_email_link=contact.email_is_safe(current_user) and guests.can_be_emailed(current_user),
        # What the referring force receives, from its data-sharing agreement, in plain words.
        police_told=sharing.plain_words(sharing.current(referral.force_id)),
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
    return redirect(url_for("account.bookings.booking_detail", reference=reference), 303)


@bp.route("/account", methods=["GET", "POST"])
@role_required(Role.ATTENDEE)
def account():
    """Keep access: set or change my email address and password.

    Once a password has been chosen, changing either needs it (or a sign-in from a link in
    the last 10 minutes). Every other session ends; this one carries on.
    """
    form = AccountForm()
    now = utcnow()
    recent_link = sign_in_sessions.signed_in_by_link_recently(now)
    asks_current = current_user.password_chosen and not recent_link
    if form.validate_on_submit():
        try:
            with unit_of_work():
                accounts.change_credentials(
                    current_user,
                    email=form.email.data,
                    new_password=form.password.data,
                    current_password=form.current_password.data or "",
                    recently_signed_in_by_link=recent_link,
                    email_is_safe=form.email_is_safe.data,
                    now=now,
                )
        except AccountError as error:
            form.current_password.errors = [*form.current_password.errors, error.message]
            return render_template(
                "referral/account.html", form=form, asks_current=asks_current
            ), 400
        # The session version moved on: carry this session over to it.
        sign_in_sessions.carry_over(current_user)
        flash("Saved. You can sign in with your email address and password.", "success")
        return redirect(url_for("account.bookings.bookings_list"), 303)
    return render_template("referral/account.html", form=form, asks_current=asks_current)


@bp.post("/send-link")
@role_required(Role.ATTENDEE)
def send_link():
    """Send me a link that signs me in (by email or text, only if I said one is safe)."""
    if not SendLinkForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        sent = access_links.send_link(
            current_user,
            secret_key=current_app.config["SECRET_KEY"],
            link_for=sign_in_sessions.access_link_url,
            now=utcnow(),
        )
    if sent:
        flash(f"{sent} The link in it works once, for 7 days.", "success")
    else:
        flash(
            "We can send a link by email or text message only once you have told us one of "
            "them is safe. You can do that below.",
            "info",
        )
        return redirect(url_for("referral.account"), 303)
    return redirect(url_for("account.bookings.bookings_list"), 303)


@bp.route("/link/<token>", methods=["GET", "POST"])
def magic_link(token: str):
    """Sign in from an emailed link (open to everyone; the signed token is the check).

    The GET only shows a button, so mail scanners that open links do not sign anyone in.
    The link works once, and not after a password change, reset or sign-out.
    """
    secret_key = current_app.config["SECRET_KEY"]
    max_age = access_links.DEFAULT_MAX_AGE_SECONDS
    person = access_links.person_for_token(token, secret_key=secret_key, max_age=max_age)
    form = ContinueForm()
    if person is not None and form.validate_on_submit():
        now = utcnow()
        with unit_of_work():
            person = access_links.use_link(token, secret_key=secret_key, max_age=max_age, now=now)
        if person is not None:
            sign_in_sessions.sign_in(person, now=now, by_link=True)
            return redirect(url_for("account.bookings.bookings_list"), 303)
    return render_template("referral/link.html", valid=person is not None, form=form), (
        200 if person is not None else 404
    )
