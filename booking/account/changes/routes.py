"""Self-service: .ics download, reschedule, join/leave a waiting list, claim an offered place."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user
from wtforms import BooleanField, SubmitField

from booking.account.ownership import own_booking_or_404
from booking.database import unit_of_work
from booking.jobs import enqueue
from booking.models import Role, utcnow
from booking.services.bookings import catalogue, rescheduling, waitlist
from booking.services.bookings.calendar import booking_ics
from booking.services.notify import channels as contact
from booking.services.people import preferences
from booking.web import links
from booking.web.forms import BaseForm, database_id
from booking.web.policies import current_ending_policy
from booking.web.security import role_required

bp = Blueprint("changes", __name__)


class ActionForm(BaseForm):
    submit = SubmitField("Continue")


@bp.get("/my/bookings/<reference>/calendar.ics")
@role_required(Role.ATTENDEE)
def calendar(reference: str):
    """Download my booking as a calendar file."""
    booking = own_booking_or_404(reference)
    body = booking_ics(booking, base_url=links.base_url())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="booking-{reference}.ics"'},
    )


class MoveForm(BaseForm):
    confirm_women_only = BooleanField("I confirm this women-only group is right for me")
    submit = SubmitField("Move my booking")


class ClaimForm(BaseForm):
    confirm_women_only = BooleanField("I confirm this women-only group is right for me")
    submit = SubmitField("Take this place")


def _notice_hours() -> int:
    return current_app.config["RESCHEDULE_MIN_NOTICE_HOURS"]


@bp.get("/my/bookings/<reference>/reschedule")
@role_required(Role.ATTENDEE)
def reschedule_options(reference: str):
    """Choose another date for my booking (or be told why it cannot change online)."""
    booking = own_booking_or_404(reference)
    now = utcnow()
    movable = rescheduling.can_move(booking, now=now, min_notice_hours=_notice_hours())
    options = (
        rescheduling.move_options(
            booking, now=now, wants_women_only=preferences.prefers_women_only(current_user)
        )
        if movable
        else []
    )
    return render_template(
        "account/changes/reschedule.html",
        booking=booking,
        options=options,
        movable=movable,
        notice_hours=_notice_hours(),
    )


@bp.get("/my/bookings/<reference>/reschedule/<int:session_id>")
@role_required(Role.ATTENDEE)
def reschedule_check(reference: str, session_id: int):
    """Check the move before making it: from which date to which, and what it costs."""
    booking = own_booking_or_404(reference)
    target = catalogue.session_for_display(session_id)
    if target is None or target.course_type_id != booking.session.course_type_id:
        abort(404)
    if not rescheduling.can_move(booking, now=utcnow(), min_notice_hours=_notice_hours()):
        return redirect(url_for("account.changes.reschedule_options", reference=reference), 303)
    return render_template(
        "account/changes/reschedule_check.html",
        booking=booking,
        target=target,
        quote=rescheduling.quote(booking, target),
        form=MoveForm(),
    )


@bp.post("/my/bookings/<reference>/reschedule")
@role_required(Role.ATTENDEE)
def reschedule(reference: str):
    """Move my booking to another session (the check page's button)."""
    booking = own_booking_or_404(reference)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    new_session_id = request.form.get("session_id", type=database_id)
    if new_session_id is None:
        abort(400)
    config = current_app.config
    with unit_of_work():
        new = rescheduling.reschedule(
            booking.id,
            new_session_id,
            current_user,
            now=utcnow(),
            min_notice_hours=config["RESCHEDULE_MIN_NOTICE_HOURS"],
            hold_minutes=config["HOLD_MINUTES"],
            base_url=links.base_url(),
            policy=current_ending_policy(),
            women_only_confirmed=bool(form.confirm_women_only.data),
        )
        new_reference = new.reference
        moved_to_pay = new.status.value == "awaiting_payment"
    # A cheaper date gives money back: the refund rows were written above, and the worker sends
    # them to Stripe now that the move is committed.
    enqueue.send_refunds_after_commit(None)
    flash("Your booking has moved to the new session.", "success")
    if moved_to_pay:
        flash("Please pay the difference to keep your new place.", "info")
    return redirect(url_for("account.bookings.booking_detail", reference=new_reference), 303)


@bp.post("/my/sessions/<int:session_id>/waiting-list")
@role_required(Role.ATTENDEE)
def join_waiting_list(session_id: int):
    """Join a full session's waiting list."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        waitlist.join(session_id, current_user, now=utcnow())
    flash(
        "You are on the waiting list. If a place comes up: "
        + contact.how_we_will_tell(current_user),
        "success",
    )
    return redirect(url_for("account.changes.waiting_lists"), 303)


@bp.get("/my/waiting-lists")
@role_required(Role.ATTENDEE)
def waiting_lists():
    """The waiting lists I am on."""
    entries = waitlist.entries_for_person(current_user)
    return render_template("account/changes/waiting_lists.html", entries=entries, form=ActionForm())


@bp.post("/my/waiting-lists/<int:entry_id>/leave")
@role_required(Role.ATTENDEE)
def leave_waiting_list(entry_id: int):
    """Leave a waiting list."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        waitlist.leave(
            entry_id,
            current_user,
            now=utcnow(),
            policy=current_ending_policy(),
        )
    flash("You have left the waiting list.", "success")
    return redirect(url_for("account.changes.waiting_lists"), 303)


@bp.route("/waiting-list/claim/<token>", methods=["GET", "POST"])
def claim(token: str):
    """Claim an offered place. The secret link is the key, like a magic link (token-checked)."""
    with unit_of_work():  # lazily lapse old offers first, so a stale link says so
        waitlist.expire_offers(
            now=utcnow(),
            policy=current_ending_policy(),
        )
    entry = waitlist.entry_for_token(token)
    if entry is None or entry.user.role != Role.ATTENDEE:
        abort(404)
    if current_user.is_authenticated and current_user.id != entry.user_id:
        abort(403)
    form = ClaimForm()
    if form.validate_on_submit():
        person = entry.user
        with unit_of_work():
            booking = waitlist.claim(
                token,
                now=utcnow(),
                hold_minutes=current_app.config["HOLD_MINUTES"],
                base_url=links.base_url(),
                women_only_confirmed=bool(form.confirm_women_only.data),
            )
            reference = booking.reference
        login_user(person)
        return redirect(url_for("account.bookings.booking_detail", reference=reference), 303)
    return render_template("account/changes/claim.html", entry=entry, form=form, now=utcnow())
