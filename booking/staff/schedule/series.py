"""A weekly series: see every date, change the remaining dates at once, cancel them, or skip
one date."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.jobs import enqueue
from booking.models import utcnow
from booking.services.bookings import seats as bookings
from booking.services.schedule import queries
from booking.services.schedule import series as series_service
from booking.staff.schedule.blueprint import bp
from booking.staff.schedule.desk_forms import ReasonForm, SeriesChangeForm
from booking.web import links
from booking.web.found import or_404
from booking.web.policies import current_ending_policy


def _change_form() -> SeriesChangeForm:
    form = SeriesChangeForm()
    form.venue_id.choices = [(0, "Keep each date's venue"), *queries.active_venue_names()]
    return form


def _page(series_id: int, *, change_form=None, cancel_form=None, status: int = 200):
    series = or_404(queries.series(series_id))
    now = utcnow()
    dates = series_service.series_sessions(series_id)
    remaining = {s.id for s in series_service.remaining(series_id, now=now)}
    return (
        render_template(
            "staff/schedule/series.html",
            series=series,
            dates=dates,
            remaining=remaining,
            taken=bookings.seats_taken_by_session([s.id for s in dates], now=now),
            change_form=change_form or _change_form(),
            cancel_form=cancel_form or ReasonForm(prefix="cancel"),
            skip_form=ReasonForm(prefix="skip"),
        ),
        status,
    )


@bp.get("/series/<int:series_id>")
def series_page(series_id: int):
    """Every date of a series, with what can be changed for the ones still to come."""
    return _page(series_id)


@bp.post("/series/<int:series_id>/change")
def series_change(series_id: int):
    """Change the time, venue or places of every remaining date; people and trainers told."""
    form = _change_form()
    if not form.validate_on_submit():
        return _page(series_id, change_form=form, status=400)
    change = series_service.SeriesChange(
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        venue_id=form.venue_id.data or None,
        capacity=form.capacity.data,
    )
    with unit_of_work():
        result = series_service.change_remaining(
            series_id, change, by=current_user, now=utcnow(), base_url=links.base_url()
        )
    flash(
        f"{result.dates} date(s) changed. {result.people_told} booking(s) told of a new time "
        "or place.",
        "success",
    )
    for taken_off in result.taken_off:
        flash(
            f"Trainer conflict: {taken_off.trainer_name} was taken off a date and told. "
            f"{taken_off.message} Assign someone else from Trainers.",
            "error",
        )
    return redirect(url_for("staff.schedule.series_page", series_id=series_id), 303)


@bp.post("/series/<int:series_id>/cancel")
def series_cancel(series_id: int):
    """Cancel every remaining date: each booking ends with its money settled, all told."""
    form = ReasonForm(prefix="cancel")
    if not form.validate_on_submit():
        return _page(series_id, cancel_form=form, status=400)
    with unit_of_work():
        result = series_service.cancel_remaining(
            series_id,
            by=current_user,
            now=utcnow(),
            reason=form.reason.data,
            policy=current_ending_policy(),
        )
    # After the commit: card refunds go to Stripe (failures are listed on the money pages).
    enqueue.send_refunds_after_commit(None)
    flash(
        f"{result.dates} date(s) cancelled. {result.bookings_ended} booking(s) cancelled, "
        "the people told and any payment refunded.",
        "success",
    )
    return redirect(url_for("staff.schedule.series_page", series_id=series_id), 303)


@bp.post("/series/<int:series_id>/skip/<int:session_id>")
def series_skip(series_id: int, session_id: int):
    """Leave one date out of the series; it is cancelled like any session."""
    form = ReasonForm(prefix="skip")
    if not form.validate_on_submit():
        flash("Give a reason for leaving this date out.", "error")
        return redirect(url_for("staff.schedule.series_page", series_id=series_id), 303)
    with unit_of_work():
        ended = series_service.skip_date(
            series_id,
            session_id,
            by=current_user,
            now=utcnow(),
            reason=form.reason.data,
            policy=current_ending_policy(),
        )
    enqueue.send_refunds_after_commit(None)
    flash(f"Date left out. {ended} booking(s) cancelled and the people told.", "success")
    return redirect(url_for("staff.schedule.series_page", series_id=series_id), 303)
