"""Trainer pages: upcoming sessions, rosters, attendance, availability and the calendar feed."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import (
    AttendanceStatus,
    Role,
    utcnow,
)
from booking.services.notify import replies as text_replies
from booking.services.trainers import calendar as trainer_calendar
from booking.services.trainers import profiles as trainer_profiles
from booking.services.trainers import queries, rosters
from booking.trainer.forms import WEEKDAYS, ActionForm, LeaveForm, SlotForm
from booking.web import attendance, links
from booking.web.filters import LONDON
from booking.web.security import role_required

bp = Blueprint("trainer", __name__)
PUBLIC_ENDPOINTS = {"trainer.calendar_feed"}  # the secret token is the credential


@bp.before_request
def require_trainer():
    """Every trainer page is for trainers only (the calendar feed uses its secret token)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return role_required(Role.TRAINER)(lambda: None)()


def _profile():
    profile = trainer_profiles.profile_for(current_user)
    if profile is None:
        abort(404)
    return profile


def _my_session(session_id: int):
    session = rosters.trainer_session(_profile(), session_id)
    if session is None:
        abort(404)  # not theirs: do not even confirm it exists
    return session


@bp.get("/")
def home():
    """My upcoming sessions and my calendar link."""
    profile = trainer_profiles.profile_for(current_user)
    sessions = queries.sessions_of(profile, now=utcnow()) if profile is not None else []
    return render_template(
        "trainer/home.html", profile=profile, sessions=sessions, reset_form=ActionForm()
    )


@bp.get("/sessions/<int:session_id>")
def roster(session_id: int):
    """The roster for one of my sessions: first names and needs that affect the session."""
    session = _my_session(session_id)
    with unit_of_work():  # viewing a roster is audited
        lines = rosters.roster(session, viewer=current_user, now=utcnow())
    session = _my_session(session_id)
    template = "trainer/roster_print.html" if request.args.get("print") else "trainer/roster.html"
    return render_template(
        template,
        session=session,
        lines=lines,
        replies=text_replies.latest_for_session(session_id),
        reply_words=text_replies.MEANING_WORDS,
        statuses=list(AttendanceStatus),
        form=ActionForm(),
        now=utcnow(),
    )


@bp.post("/sessions/<int:session_id>/attendance")
def mark_attendance(session_id: int):
    """Save attended / left early / did not attend for each person."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    marks = attendance.marks_from(request.form)
    with unit_of_work():
        count = rosters.mark_attendance(
            _my_session(session_id), marks, by=current_user, now=utcnow()
        )
    flash(attendance.saved_message(count), "success")
    return redirect(url_for("trainer.roster", session_id=session_id), 303)


@bp.post("/sessions/<int:session_id>/close")
def close_session(session_id: int):
    """Close the session: attended bookings are completed and get a certificate."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work():
        attended = rosters.close_session(
            _my_session(session_id), by=current_user, now=utcnow(), base_url=links.base_url()
        )
    flash(attendance.closed_message(attended), "success")
    return redirect(url_for("trainer.roster", session_id=session_id), 303)


@bp.get("/availability")
def availability():
    """My weekly availability and time off."""
    profile = _profile()
    return render_template(
        "trainer/availability.html",
        profile=profile,
        weekdays=WEEKDAYS,
        slot_form=SlotForm(),
        leave_form=LeaveForm(),
        delete_form=ActionForm(),
    )


@bp.post("/availability/slots")
def add_slot():
    """Add a weekly availability window."""
    form = SlotForm()
    if not form.validate_on_submit():
        flash("Choose a day, a start time and an end time.", "error")
        return redirect(url_for("trainer.availability"), 303)
    with unit_of_work():
        trainer_profiles.add_slot(
            _profile(),
            weekday=form.weekday.data,
            starts=form.starts.data,
            ends=form.ends.data,
            by=current_user,
            now=utcnow(),
        )
    flash(f"Added {WEEKDAYS[form.weekday.data]} availability.", "success")
    return redirect(url_for("trainer.availability"), 303)


@bp.post("/availability/leave")
def add_leave():
    """Add time off or leave."""
    form = LeaveForm()
    if not form.validate_on_submit():
        flash("Enter when you are away from and when you are back.", "error")
        return redirect(url_for("trainer.availability"), 303)
    with unit_of_work():
        _, released = trainer_profiles.add_unavailability(
            _profile(),
            starts_at=form.starts_at.data.replace(tzinfo=LONDON),
            ends_at=form.ends_at.data.replace(tzinfo=LONDON),
            reason=form.reason.data or "",
            by=current_user,
            now=utcnow(),
        )
    flash("Time off added.", "success")
    if released:
        count = len(released)
        flash(
            f"You have been taken off {count} session{'' if count == 1 else 's'} during that "
            "time. The office has been told and will find someone else.",
            "success",
        )
    return redirect(url_for("trainer.availability"), 303)


@bp.post("/availability/<kind>/<int:row_id>/delete")
def delete_availability(kind: str, row_id: int):
    """Remove one of my weekly windows or time-off entries."""
    if kind not in queries.AVAILABILITY_KINDS or not ActionForm().validate_on_submit():
        abort(404 if kind not in queries.AVAILABILITY_KINDS else 400)
    with unit_of_work():
        profile = _profile()
        row = queries.availability_row(profile, kind, row_id)
        if row is None:
            abort(404)
        trainer_profiles.remove_availability_row(profile, row, by=current_user, now=utcnow())
    flash("Removed.", "success")
    return redirect(url_for("trainer.availability"), 303)


@bp.post("/calendar/reset")
def reset_calendar():
    """Give my calendar feed a new secret address; the old one stops working."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        trainer_calendar.reset_token(_profile(), by=current_user, now=utcnow())
    flash("Your calendar address has been changed. Subscribe again with the new one.", "success")
    return redirect(url_for("trainer.home"), 303)


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """The trainer's sessions as a calendar feed; a wrong or old token is a 404."""
    profile = trainer_calendar.trainer_for_token(token)
    if profile is None:
        abort(404)
    body = trainer_calendar.feed(profile, now=utcnow())
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})
