"""Sign in, sign out, register, reset a forgotten password, and accept an invitation."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from booking.auth import sessions
from booking.auth.forms import (
    BookingCodeForm,
    ChoosePasswordForm,
    FindBookingForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from booking.database import unit_of_work
from booking.extensions import limiter
from booking.models import Role, utcnow
from booking.services.notify.channels import CONTACT_PHONE
from booking.services.people import access_links, accounts, staff_accounts
from booking.web import links
from booking.web.errors import shows_form_again_without_token
from booking.web.forms import safe_next

bp = Blueprint("auth", __name__)


def home_for(user) -> str:
    if user.is_staff:
        return url_for("staff.schedule.dashboard")
    if user.role == Role.TRAINER and "trainer.home" in current_app.view_functions:
        return url_for("trainer.home")
    if user.role == Role.ATTENDEE:
        return url_for("account.bookings.bookings_list")
    if user.role == Role.FORCE_CONTACT and "force.index" in current_app.view_functions:
        return url_for("force.index")
    return url_for("public.home")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def client_address() -> str:
    # ProxyFix (configured with the app) makes this the person's address behind the proxy.
    return request.remote_addr or "unknown"


def submitted_account() -> str:
    """The account a sign-in or reset names, normalised, so every spelling shares one limit."""
    return "account:" + accounts.normalise_email(request.form.get("email", ""))


def _reference_limit() -> str:
    return current_app.config["REFERRAL_REFERENCE_RATE_LIMIT"]


def submitted_booking_reference() -> str:
    """Guesses at one booking's code share a limit, wherever they come from."""
    return "booking:" + access_links.normalise_reference(request.form.get("reference", ""))


def _sign_in_failed(response) -> bool:
    # A sign-in that works redirects. Only failures count against the account, so the
    # person can still get in while someone else is guessing from elsewhere (until the
    # guesses themselves reach the account's limit).
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@shows_form_again_without_token
@limiter.limit(_login_limit, methods=["POST"], key_func=client_address)
def login():
    """Sign in. Wrong passwords slow the account down (accounts.authenticate) rather than
    lock it: the person still gets in from a browser they used before, or by a reset link."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data or "")
        with unit_of_work():
            user = accounts.authenticate(
                email,
                form.password.data or "",
                now=utcnow(),
                known_device=sessions.known_device(email),
            )
        if user is None:
            form.password.errors.append(
                "The email address or password is not right. After many wrong tries, signing "
                'in with a password waits a while: use "Forgotten your password?" to get a '
                "link by email instead."
            )
        else:
            sessions.sign_in(user, now=utcnow())
            response = redirect(safe_next(form.next.data, home_for(user)))
            sessions.remember_device(response, email)
            return response
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign out, here and everywhere else: a copied cookie stops working too."""
    with unit_of_work():
        accounts.end_all_sessions(current_user, now=utcnow())
    sessions.sign_out()
    flash("You have signed out.", "info")
    return redirect(url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
@shows_form_again_without_token
@limiter.limit(_login_limit, methods=["POST"], key_func=client_address)
def register():
    """Create an attendee account.

    A new address and one that already has an account get the same page: the owner of an
    existing account is told by a safe channel instead, so nobody learns who has one here.
    """
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        now = utcnow()
        with unit_of_work():
            person = accounts.register_attendee(
                email=form.email.data,
                password=form.password.data,
                first_name=form.first_name.data,
                last_name=form.last_name.data or "",
                email_is_safe=form.email_is_safe.data,
                now=now,
            )
            if person is not None:
                access_links.send_link(
                    person,
                    secret_key=current_app.config["SECRET_KEY"],
                    link_for=sessions.access_link_url,
                    now=now,
                )
        return render_template("auth/check_email.html", next=safe_next(form.next.data, ""))
    return render_template("auth/register.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=client_address)
@limiter.limit(_account_limit, methods=["POST"], key_func=submitted_account)
def forgot_password():
    """Ask for a password reset link."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with unit_of_work():
            accounts.request_password_reset(
                form.email.data,
                secret_key=current_app.config["SECRET_KEY"],
                reset_url=lambda token: links.external_url("auth.reset_password", token=token),
                now=utcnow(),
            )
        # Says the same whether or not the account exists (addresses stay private), but says
        # plainly which ways a link can go and what to do when neither is safe.
        flash(
            "If there is an account for that address, we have sent a link to reset the "
            "password by email or by text message, whichever that account told us is safe. "
            "If neither is safe for you, we cannot send a link: please call us on "
            f"{CONTACT_PHONE} and we will help.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link."""
    user = accounts.user_for_reset_token(
        token,
        secret_key=current_app.config["SECRET_KEY"],
        max_age=current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"],
    )
    if user is None:
        flash("That link has expired or was already used. Please ask for a new one.", "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user_id = user.id
        with unit_of_work():
            user = accounts.user_for_reset_token(
                token,
                secret_key=current_app.config["SECRET_KEY"],
                max_age=current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"],
            )
            if user is None or user.id != user_id:
                flash("That link has expired or was already used.", "error")
                return redirect(url_for("auth.forgot_password"))
            accounts.reset_password(user, form.password.data, now=utcnow())
        flash("Your password has been changed. Please sign in.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Choose a password from an invitation to join as staff or a trainer; then sign in.

    Open to anyone holding the link: the signed, single-use token is the check, so the page
    sits here with signing in rather than behind the staff gate."""
    secret_key = current_app.config["SECRET_KEY"]
    person = staff_accounts.person_for_invite(token, secret_key=secret_key)
    if person is None:
        return render_template("auth/accept_invitation.html", form=None), 404
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        with unit_of_work():
            accepted = staff_accounts.accept(
                token, form.password.data, secret_key=secret_key, now=utcnow()
            )
        if accepted is None:
            return render_template("auth/accept_invitation.html", form=None), 404
        flash("Your password is set. Please sign in.", "success")
        return redirect(url_for("auth.login"), 303)
    return (
        render_template("auth/accept_invitation.html", form=form, name=person.first_name),
        400 if form.errors else 200,
    )


@bp.route("/find-your-booking", methods=["GET", "POST"])
@shows_form_again_without_token
@limiter.limit(_login_limit, methods=["POST"], key_func=client_address)
@limiter.limit(
    _reference_limit,
    methods=["POST"],
    key_func=submitted_booking_reference,
    deduct_when=_sign_in_failed,
)
def find_booking():
    """Back to a booking without a password: its reference, then a code sent to the person's
    safe channel (with a link that does the same). The page after the reference is the same
    whether or not it matched, so it says nothing about anyone's booking."""
    if "code" in request.form:
        return _open_with_code()
    form = FindBookingForm()
    if not form.validate_on_submit():
        return render_template("auth/find_booking.html", form=form, code_form=None)
    with unit_of_work():
        access_links.send_code_for_reference(
            form.reference.data,
            secret_key=current_app.config["SECRET_KEY"],
            link_for=sessions.access_link_url,
            now=utcnow(),
        )
    code_form = BookingCodeForm(formdata=None, reference=form.reference.data)
    return render_template("auth/find_booking.html", form=None, code_form=code_form, sent=True)


def _open_with_code():
    form = BookingCodeForm()
    if form.validate_on_submit():
        now = utcnow()
        with unit_of_work():
            person = access_links.use_code(
                form.reference.data,
                form.code.data,
                secret_key=current_app.config["SECRET_KEY"],
                now=now,
            )
        if person is not None:
            sessions.sign_in(person, now=now, by_link=True)
            reference = access_links.normalise_reference(form.reference.data)
            return redirect(url_for("account.bookings.booking_detail", reference=reference), 302)
        form.code.errors = [
            "That code does not match. Check the reference and the code, or ask for a new code."
        ]
    return render_template("auth/find_booking.html", form=None, code_form=form, sent=False), 400
