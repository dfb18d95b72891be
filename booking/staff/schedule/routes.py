"""Staff pages: dashboard, venues, course types, sessions and their bookings."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.jobs import enqueue
from booking.models import (
    AttendanceStatus,
    Booking,
    CourseSession,
    Delivery,
    SessionStatus,
    utcnow,
)
from booking.services import audit
from booking.services.bookings import seats as bookings
from booking.services.clock import in_london
from booking.services.money import reports as money_reports
from booking.services.outreach import funnel
from booking.services.schedule import desk, overview, queries, waiting
from booking.services.schedule import sessions as schedule
from booking.services.trainers import rosters, staffing
from booking.staff.schedule import queues
from booking.staff.schedule.blueprint import bp
from booking.staff.schedule.desk_forms import ConfirmForm
from booking.staff.schedule.forms import (
    CancelSessionForm,
    CorrectAttendanceForm,
    CourseTypeForm,
    SessionForm,
    VenueForm,
)
from booking.web import links
from booking.web.caching import remembered
from booking.web.found import or_404
from booking.web.policies import current_ending_policy

# The dashboard lists at most this many of the week's sessions.
UPCOMING_SHOWN = 50
# The dashboard's funnel covers referrals made in this many days up to today.
FUNNEL_DAYS = 90


@bp.get("/")
def dashboard():
    """Today, this week, and sessions that need attention."""
    now = utcnow()
    upcoming, taken = queries.upcoming_sessions_with_taken(now=now, days=7, limit=UPCOMING_SHOWN)
    # The charts count the whole database: kept a minute in this worker, shared by every viewer
    # (plain figures, nothing personal), so a busy desk does not recount them on every load.
    weekly = remembered(
        f"dashboard_weekly:{in_london(now):%G-%V}",
        lambda: overview.bookings_per_week_by_area(now=now),
    )
    fill = remembered(
        f"dashboard_fill:{in_london(now):%Y-%m-%d}", lambda: overview.fill_rate_by_area(now=now)
    )
    funds_used = overview.fund_spent_against_budget(now=now)
    today = in_london(now).date()
    funnel_rows = funnel.funnel(today - timedelta(days=FUNNEL_DAYS), today)
    funnel_total = funnel.totals(funnel_rows)
    return render_template(
        "staff/schedule/dashboard.html",
        upcoming=upcoming,
        taken=taken,
        funds=money_reports.fund_overview(now),
        queues=queues.queue_counts(now),
        weekly=weekly,
        weekly_chart=money_reports.bar_chart(_weekly_bars(weekly)),
        fill=fill,
        fill_chart=money_reports.bar_chart([(row.area, row.percent) for row in fill]),
        funds_used=funds_used,
        funds_chart=money_reports.bar_chart([(f.label, f.percent) for f in funds_used]),
        funnel_days=FUNNEL_DAYS,
        funnel_total=funnel_total,
        funnel_stages=funnel.STAGES,
        funnel_words=funnel.STAGE_WORDS,
        funnel_chart=money_reports.bar_chart(
            [(funnel.STAGE_WORDS[stage], funnel_total.counts[stage]) for stage in funnel.STAGES]
        ),
    )


def _weekly_bars(weekly: overview.WeeklyBookings) -> list[tuple[str, int]]:
    """A bar for each week and area with bookings; each week's total when there are none."""
    bars = [
        (f"{week.day} {week:%b}, {area}", weekly.counts[(week, area)])
        for week in weekly.weeks
        for area in weekly.areas
        if weekly.counts.get((week, area))
    ]
    return bars or [(f"{week.day} {week:%b}", total) for week, total in weekly.totals()]


# --- venues ---------------------------------------------------------------------------------


@bp.get("/venues")
def venues():
    """All venues."""
    return render_template("staff/schedule/venues.html", venues=queries.venues())


@bp.route("/venues/new", methods=["GET", "POST"])
@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
def venue_edit(venue_id: int | None = None):
    """Create or change a venue."""
    venue = or_404(queries.venue(venue_id)) if venue_id else None
    form = VenueForm(obj=venue)
    form.force_id.choices = _force_choices()
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in _VENUE_FIELDS}
        with unit_of_work():
            venue = queries.venue(venue_id) if venue_id else None
            schedule.save_venue(venue, fields, by=current_user, now=utcnow())
        flash("Venue saved.", "success")
        return redirect(url_for("staff.schedule.venues"), 303)
    return render_template("staff/schedule/venue_form.html", form=form, venue=venue)


_VENUE_FIELDS = (
    "name address postcode force_id step_free hearing_loop accessible_toilet women_only_room "
    "travel_notes is_active"
).split()


# --- course types ---------------------------------------------------------------------------


@bp.get("/course-types")
def course_types():
    """All course types."""
    return render_template("staff/schedule/course_types.html", course_types=queries.course_types())


@bp.route("/course-types/new", methods=["GET", "POST"])
@bp.route("/course-types/<int:course_type_id>", methods=["GET", "POST"])
def course_type_edit(course_type_id: int | None = None):
    """Create or change a course type."""
    course_type = or_404(queries.course_type(course_type_id)) if course_type_id else None
    form = CourseTypeForm(obj=course_type)
    if request.method == "GET" and course_type is not None:
        form.delivery.data = course_type.delivery.value
    if form.validate_on_submit():
        slug_owner = queries.course_type_with_slug(form.slug.data)
        if slug_owner is not None and slug_owner != course_type_id:
            form.slug.errors.append("Another course type already uses this short name.")
        else:
            fields = {name: getattr(form, name).data for name in _COURSE_TYPE_FIELDS}
            fields["delivery"] = Delivery(form.delivery.data)
            with unit_of_work():
                course_type = queries.course_type(course_type_id) if course_type_id else None
                schedule.save_course_type(course_type, fields, by=current_user, now=utcnow())
            flash("Course type saved.", "success")
            return redirect(url_for("staff.schedule.course_types"), 303)
    return render_template(
        "staff/schedule/course_type_form.html", form=form, course_type=course_type
    )


_COURSE_TYPE_FIELDS = (
    "name slug summary duration_minutes default_capacity default_fee_pence trainers_needed "
    "referral_required is_active"
).split()


# --- sessions -------------------------------------------------------------------------------


@bp.route("/sessions/new", methods=["GET", "POST"])
@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def session_edit(session_id: int | None = None):
    """Schedule a session (optionally repeating weekly) or change one."""
    course_session = or_404(queries.course_session(session_id)) if session_id else None
    form = SessionForm(obj=course_session)
    form.course_type_id.choices = [(c.id, c.name) for c in queries.course_types()]
    # The session's own venue stays a choice even if it is no longer in use.
    keeping = course_session.venue_id if course_session else None
    form.venue_id.choices = [(0, "No venue (online)")] + [
        (v.id, f"{v.name}, {v.postcode}") for v in queries.venue_choices(keeping=keeping)
    ]
    if request.method == "GET" and course_session is not None:
        start, end = in_london(course_session.starts_at), in_london(course_session.ends_at)
        form.date.data, form.start_time.data, form.end_time.data = (
            start.date(),
            start.time(),
            end.time(),
        )
        form.venue_id.data = course_session.venue_id or 0
    if form.validate_on_submit():
        details = schedule.SessionDetails(
            course_type_id=form.course_type_id.data,
            venue_id=form.venue_id.data or None,
            is_online=form.is_online.data,
            online_join_url=form.online_join_url.data or "",
            starts_at=schedule.local_datetime(form.date.data, form.start_time.data),
            ends_at=schedule.local_datetime(form.date.data, form.end_time.data),
            capacity=form.capacity.data,
            women_only=form.women_only.data,
            notes=form.notes.data or "",
        )
        change = None
        landing = url_for("staff.schedule.sessions")
        with unit_of_work():
            if session_id:
                change = schedule.update_session(
                    session_id, details, by=current_user, now=utcnow(), base_url=links.base_url()
                )
                message = "Session saved."
            elif form.repeat_until.data:
                created = schedule.create_weekly_series(
                    details, last_date=form.repeat_until.data, by=current_user, now=utcnow()
                )
                message = f"{len(created)} weekly sessions scheduled."
                if created and created[0].series_id:
                    # Land on the new series, not on page 1 of every session.
                    landing = url_for("staff.schedule.series_page", series_id=created[0].series_id)
            else:
                schedule.create_session(details, by=current_user, now=utcnow())
                message = "Session scheduled."
        flash(message, "success")
        if change is not None:
            _flash_change(change)
        return redirect(landing, 303)
    return render_template(
        "staff/schedule/session_form.html", form=form, course_session=course_session
    )


def _flash_change(change) -> None:
    if change.moved:
        flash(
            f"The new date, time or place has been sent to {change.people_told} "
            f"{'person' if change.people_told == 1 else 'people'} booked and "
            f"{change.trainers_told} trainer(s).",
            "success",
        )
    for taken_off in change.taken_off:
        flash(
            f"Trainer conflict: {taken_off.trainer_name} was taken off this session and told. "
            f"{taken_off.message} Assign someone else from Trainers.",
            "error",
        )


@bp.get("/sessions/<int:session_id>")
def session_bookings(session_id: int):
    """A session and who is booked on it."""
    or_404(queries.course_session(session_id))
    with unit_of_work():  # who looked at a list of people is itself recorded
        audit.record("session.bookings_viewed", "session", session_id, actor=current_user)
    course_session = or_404(queries.course_session(session_id))
    rows = queries.bookings_on(session_id)
    now = utcnow()
    return render_template(
        "staff/schedule/session_bookings.html",
        course_session=course_session,
        bookings=rows,
        places_left=bookings.places_left(course_session, now=now),
        cancel_form=CancelSessionForm(),
        correct_form=CorrectAttendanceForm(),
        attendance=_attendance_marks(course_session, rows),
        trainers=staffing.trainers_on(session_id),
        needs=desk.needs_summary(session_id),
        waiting=len(waiting.entries_for_session(session_id)),
        attendance_open=course_session.status == SessionStatus.SCHEDULED
        and course_session.starts_at <= now,
        statuses=list(AttendanceStatus),
        confirm_form=ConfirmForm(),
    )


def _attendance_marks(
    course_session: CourseSession, rows: list[Booking]
) -> dict[int, AttendanceStatus]:
    if course_session.status == SessionStatus.CANCELLED:
        return {}
    return queries.attendance_marks([booking.id for booking in rows])


@bp.post("/sessions/<int:session_id>/attendance/<int:booking_id>")
def correct_attendance(session_id: int, booking_id: int):
    """Correct one person's attendance on a closed session, with a reason."""
    or_404(queries.course_session(session_id))
    form = CorrectAttendanceForm()
    if not form.validate_on_submit():
        flash("Choose the attendance and give a reason for the correction.", "error")
        return redirect(url_for("staff.schedule.session_bookings", session_id=session_id), 303)
    with unit_of_work():
        rosters.correct_attendance(
            or_404(queries.course_session(session_id)),
            booking_id,
            AttendanceStatus(form.status.data),
            reason=form.reason.data,
            by=current_user,
            now=utcnow(),
            base_url=links.base_url(),
        )
    flash("Attendance corrected. The booking and the referral have been updated.", "success")
    return redirect(url_for("staff.schedule.session_bookings", session_id=session_id), 303)


@bp.post("/sessions/<int:session_id>/cancel")
def session_cancel(session_id: int):
    """Cancel a session, its bookings, and tell the people booked."""
    or_404(queries.course_session(session_id))
    form = CancelSessionForm()
    if not form.validate_on_submit():
        flash("Give a reason for cancelling.", "error")
        return redirect(url_for("staff.schedule.session_bookings", session_id=session_id), 303)
    with unit_of_work():
        count = schedule.cancel_session(
            session_id,
            by=current_user,
            now=utcnow(),
            reason=form.reason.data,
            policy=current_ending_policy(),
        )
    # After the commit: card refunds go to Stripe (failures are listed on the money pages).
    enqueue.send_refunds_after_commit(None)
    flash(f"Session cancelled. {count} booking(s) cancelled and the people told.", "success")
    return redirect(url_for("staff.schedule.session_bookings", session_id=session_id), 303)


def _force_choices() -> list[tuple[int, str]]:
    return queries.force_names()
