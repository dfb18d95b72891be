"""Waiting lists for staff: which sessions have people waiting, and per session offering a
place by hand or taking someone off the list with a reason."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import utcnow
from booking.services import audit
from booking.services.bookings import seats as bookings
from booking.services.bookings import waitlist
from booking.services.schedule import queries, waiting
from booking.staff.schedule.blueprint import bp
from booking.staff.schedule.desk_forms import ConfirmForm, ReasonForm
from booking.web.found import or_404
from booking.web.policies import current_ending_policy


@bp.get("/waiting-lists")
def waiting_lists():
    """Sessions still to come with people waiting or a place on offer."""
    return render_template(
        "staff/schedule/waiting_lists.html", rows=waiting.sessions_with_waiting(now=utcnow())
    )


@bp.get("/sessions/<int:session_id>/waiting-list")
def session_waiting_list(session_id: int):
    """Who is waiting for one session, in order, with an offer or removal for each."""
    or_404(queries.course_session(session_id))
    with unit_of_work():  # who looked at a list of people is itself recorded
        audit.record(
            "session.waiting_list_viewed", "session", session_id, actor=current_user, now=utcnow()
        )
    course_session = or_404(queries.course_session(session_id))
    return render_template(
        "staff/schedule/session_waiting_list.html",
        course_session=course_session,
        entries=waiting.entries_for_session(session_id),
        places_left=bookings.places_left(course_session, now=utcnow()),
        offer_form=ConfirmForm(),
        remove_form=ReasonForm(),
    )


def _entry_session(entry_id: int) -> int:
    return or_404(queries.waiting_entry(entry_id)).session_id


@bp.post("/waiting-list/<int:entry_id>/offer")
def waiting_offer(entry_id: int):
    """Offer a free place to this person now, out of turn; they get the usual offer message."""
    session_id = _entry_session(entry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        waitlist.offer_by_hand(
            entry_id,
            by=current_user,
            now=utcnow(),
            policy=current_ending_policy(),
        )
    flash("Place offered. The person has been sent the offer.", "success")
    return redirect(url_for("staff.schedule.session_waiting_list", session_id=session_id), 303)


@bp.post("/waiting-list/<int:entry_id>/remove")
def waiting_remove(entry_id: int):
    """Take someone off the waiting list, with a reason; an offer they held passes on."""
    session_id = _entry_session(entry_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash("Give a reason for taking this person off the waiting list.", "error")
        return redirect(url_for("staff.schedule.session_waiting_list", session_id=session_id), 303)
    with unit_of_work():
        waitlist.remove_by_staff(
            entry_id,
            by=current_user,
            reason=form.reason.data,
            now=utcnow(),
            policy=current_ending_policy(),
        )
    flash("Taken off the waiting list.", "success")
    return redirect(url_for("staff.schedule.session_waiting_list", session_id=session_id), 303)
