"""The coordinator's session desk: find sessions (and download them), sessions awaiting
closure, marking attendance and closing a session for a trainer who cannot, and writing to
everyone booked."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import (
    CourseSession,
    SessionStatus,
    utcnow,
)
from booking.services.clock import in_london
from booking.services.schedule import attendees, desk, queries
from booking.services.trainers import rosters
from booking.staff.schedule.blueprint import bp
from booking.staff.schedule.desk_forms import (
    ConfirmForm,
    MessageAttendeesForm,
    SessionFilterForm,
)
from booking.web import attendance, links
from booking.web.found import or_404

PAGE_SIZE = 50  # sessions on one page of the list


def _filter_form() -> SessionFilterForm:
    form = SessionFilterForm(request.args)
    form.force_id.choices = [(0, "Any area"), *queries.partner_force_names()]
    form.course_type_id.choices = [(0, "Any course"), *queries.course_type_names()]
    return form


def _filters(form: SessionFilterForm) -> desk.SessionFilters:
    if request.args and not form.validate():
        return desk.SessionFilters()
    return desk.SessionFilters(
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        force_id=form.force_id.data or None,
        course_type_id=form.course_type_id.data or None,
        staffing=form.staffing.data or "",
        fill=form.fill.data or "",
        include_cancelled=bool(form.include_cancelled.data),
    )


@bp.get("/sessions")
def sessions():
    """Sessions by date, area, course, staffing and fill, a page at a time."""
    now = utcnow()
    form = _filter_form()
    filters = _filters(form)
    total = desk.count_sessions(filters, now=now)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    rows = desk.find_sessions(filters, now=now, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    query = {k: v for k, v in request.args.items() if k not in ("page", "submit")}
    return render_template(
        "staff/schedule/sessions.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        query=query,
    )


@bp.get("/sessions.csv")
def sessions_csv():
    """The same filtered list as a spreadsheet: sessions, places and trainers, no names."""
    now = utcnow()
    rows = desk.find_sessions(_filters(_filter_form()), now=now)
    filename = f"sessions-{in_london(now):%Y-%m-%d}.csv"
    return Response(
        desk.sessions_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/sessions/awaiting-closure")
def awaiting_closure():
    """Sessions that have ended but nobody has closed yet."""
    return render_template(
        "staff/schedule/awaiting_closure.html", rows=desk.awaiting_closure(now=utcnow())
    )


def _session_or_404(session_id: int) -> CourseSession:
    return or_404(queries.course_session(session_id))


@bp.post("/sessions/<int:session_id>/marks")
def staff_mark_attendance(session_id: int):
    """Staff record attendance for a trainer who cannot (the trainer's own rules apply)."""
    _session_or_404(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    marks = attendance.marks_from(request.form)
    with unit_of_work():
        count = rosters.mark_attendance(
            _session_or_404(session_id), marks, by=current_user, now=utcnow()
        )
    flash(attendance.saved_message(count), "success")
    return redirect(url_for("staff.schedule.session_bookings", session_id=session_id), 303)


@bp.post("/sessions/<int:session_id>/close")
def staff_close_session(session_id: int):
    """Close a session for a trainer who cannot: attended bookings complete (certificates),
    the referrals on it move on."""
    _session_or_404(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        attended = rosters.close_session(
            _session_or_404(session_id), by=current_user, now=utcnow(), base_url=links.base_url()
        )
    flash(attendance.closed_message(attended), "success")
    return redirect(url_for("staff.schedule.session_bookings", session_id=session_id), 303)


@bp.route("/sessions/<int:session_id>/message", methods=["GET", "POST"])
def message_attendees(session_id: int):
    """Write to everyone booked on a session, on the channels each said are safe."""
    course_session = _session_or_404(session_id)
    form = MessageAttendeesForm()
    if form.validate_on_submit():
        with unit_of_work():
            result = attendees.message_attendees(
                session_id, form.text.data, by=current_user, now=utcnow()
            )
        flash(
            f"Message queued for {result.sent} {'person' if result.sent == 1 else 'people'}"
            + (f": {attendees.channel_words(result.by_channel)}." if result.sent else ".")
            + (
                f" {result.withheld} have no safe way to be reached: contact them another way."
                if result.withheld
                else ""
            ),
            "success",
        )
        return redirect(url_for("staff.schedule.session_bookings", session_id=session_id), 303)
    booked = attendees.people_to_message(session_id)
    by_channel, unreachable = attendees.how_each_is_reached(session_id)
    return render_template(
        "staff/schedule/message_attendees.html",
        form=form,
        course_session=course_session,
        booked=booked,
        reach=attendees.channel_words(by_channel),
        unreachable=unreachable,
        cancelled=course_session.status == SessionStatus.CANCELLED,
    )
