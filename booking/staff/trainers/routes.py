"""Staff pages for trainers: profiles, allocation runs (propose, review, publish), manual
assignment, sessions short of trainers and load per week."""

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from booking.database import unit_of_work
from booking.jobs import enqueue
from booking.models import (
    RunStatus,
    TrainerProfile,
    utcnow,
)
from booking.services.clock import in_london
from booking.services.trainers import profiles as trainer_profiles
from booking.services.trainers import queries, staffing
from booking.services.trainers import reports as trainer_reports
from booking.services.trainers.allocation import runs as allocation
from booking.staff.trainers.forms import ActionForm, AllocationForm, AssignForm, ProfileForm
from booking.web.found import or_404

bp = Blueprint("trainers", __name__)


def _profile_choices(form: ProfileForm, profile: TrainerProfile | None) -> None:
    courses = queries.course_types()
    forces = queries.forces()
    form.course_type_ids.choices = [(c.id, c.name) for c in courses]
    form.force_ids.choices = [(f.id, f.name) for f in forces if f.is_partner]
    form.home_force_id.choices = [(0, "None")] + [(f.id, f.name) for f in forces]
    if profile is not None:
        form.user_id.choices = [(profile.user_id, profile.name)]
        return
    users = queries.trainers_without_a_profile()
    form.user_id.choices = [(u.id, f"{u.first_name} {u.last_name} ({u.email})") for u in users]


@bp.get("/")
def trainers():
    """All trainer profiles."""
    return render_template("staff/trainers/trainers.html", trainers=queries.profiles())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:profile_id>/edit", methods=["GET", "POST"])
def profile_edit(profile_id: int | None = None):
    """Create or edit a trainer's profile."""
    profile = or_404(queries.profile(profile_id)) if profile_id else None
    form = ProfileForm(obj=profile)
    _profile_choices(form, profile)
    if profile is not None and not form.is_submitted():
        form.course_type_ids.data = [c.id for c in profile.course_types]
        form.force_ids.data = [f.id for f in profile.forces]
        form.home_force_id.data = profile.home_force_id or 0
    if form.validate_on_submit():
        with unit_of_work():
            user = or_404(queries.trainer_account(form.user_id.data))
            trainer_profiles.save_profile(
                user,
                course_type_ids=form.course_type_ids.data or [],
                force_ids=form.force_ids.data or [],
                covers_online=form.covers_online.data,
                can_lead_women_only=form.can_lead_women_only.data,
                max_sessions_per_week=form.max_sessions_per_week.data,
                home_force_id=form.home_force_id.data or None,
                is_active=form.is_active.data,
                by=current_user,
                now=utcnow(),
            )
        flash("Trainer saved.", "success")
        return redirect(url_for("staff.trainers.trainers"), 303)
    return render_template(
        "staff/trainers/profile_form.html",
        form=form,
        profile=profile,
        weekly_hours=trainer_profiles.weekly_hours_words(profile) if profile else [],
        leave=trainer_profiles.leave_ahead(profile, now=utcnow()) if profile else [],
    )


@bp.route("/allocation", methods=["GET", "POST"])
def allocation_start():
    """Ask for an allocation over a date range. The worker solves it (it can take seconds), so
    this page only queues the run and sends staff to its page, which shows the progress."""
    form = AllocationForm()
    if not form.is_submitted():
        today = in_london(utcnow()).date()
        form.date_from.data = today
        form.date_to.data = today + timedelta(days=30)
    if form.validate_on_submit():
        with unit_of_work():
            run_id = allocation.queue_run(
                form.date_from.data, form.date_to.data, by=current_user, now=utcnow()
            ).id
        _queue_allocation(run_id)
        return redirect(url_for("staff.trainers.allocation_run", run_id=run_id), 303)
    runs = queries.recent_runs()
    # A run's date_to is the midnight after its last day; people chose (and want to see) the day.
    last_days = {run.id: run.date_to - timedelta(days=1) for run in runs}
    return render_template(
        "staff/trainers/allocation.html", form=form, runs=runs, last_days=last_days
    )


def _queue_allocation(run_id: int) -> None:
    """Hand the committed run to the worker; if the queue cannot take it, say so on its page
    rather than leave it waiting for ever."""
    try:
        enqueue.run_allocation(run_id)
    except Exception:  # noqa: BLE001 - the queue's store being down must not be a 500
        current_app.logger.exception("Could not queue allocation run %s", run_id)
        with unit_of_work():
            allocation.fail_run(
                run_id, "The allocation could not be queued. Please try again in a minute."
            )


@bp.get("/allocation/runs/<int:run_id>")
def allocation_run(run_id: int):
    """Review a proposal: who goes where, and which sessions could not be staffed and why."""
    run = or_404(queries.run(run_id))
    return render_template(
        "staff/trainers/run.html",
        run=run,
        proposals=queries.proposals(run.id),
        unstaffed=queries.unstaffed(run.id),
        form=ActionForm(),
        waiting=run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        last_day=run.date_to - timedelta(days=1),
    )


@bp.post("/allocation/runs/<int:run_id>/publish")
def allocation_publish(run_id: int):
    """Publish a proposal: trainers see their new sessions."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        run = or_404(queries.run(run_id))
        count = allocation.publish(run, by=current_user, now=utcnow())
    flash(f"Published {count} assignment(s).", "success")
    return redirect(url_for("staff.trainers.allocation_run", run_id=run_id), 303)


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
def session_trainers(session_id: int):
    """See and change who delivers one session; every change is checked against the rules."""
    session = or_404(queries.course_session(session_id))
    form = AssignForm()
    candidates = trainer_profiles.candidates_for(session)
    # Each choice says what the trainer's time allows then, so staff see it before choosing.
    form.trainer_id.choices = [(t.id, f"{t.name}: {words}") for t, words in candidates]
    if form.validate_on_submit():
        with unit_of_work():
            session = or_404(queries.course_session(session_id))
            trainer = or_404(queries.profile(form.trainer_id.data))
            staffing.assign_trainer(
                session, trainer, is_lead=form.is_lead.data, by=current_user, now=utcnow()
            )
        flash("Trainer assigned and told.", "success")
        return redirect(url_for("staff.trainers.session_trainers", session_id=session_id), 303)
    assigned = staffing.trainers_on(session_id)
    return render_template(
        "staff/trainers/session.html",
        session=session,
        assigned=assigned,
        candidates=candidates,
        form=form,
        remove_form=ActionForm(),
    )


@bp.post("/assignments/<int:assignment_id>/delete")
def unassign(assignment_id: int):
    """Take a trainer off a session."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        assignment = or_404(queries.assignment(assignment_id))
        session_id = staffing.unassign_trainer(assignment, by=current_user, now=utcnow())
    flash("Trainer removed from the session and told.", "success")
    return redirect(url_for("staff.trainers.session_trainers", session_id=session_id), 303)


@bp.get("/short")
def short_sessions():
    """Upcoming sessions without enough trainers."""
    rows = trainer_reports.sessions_short_of_trainers(now=utcnow())
    return render_template("staff/trainers/short.html", rows=rows)


@bp.get("/load")
def load():
    """Sessions per trainer per week: a table and a chart of the same figures."""
    today = in_london(utcnow()).date()
    monday = today - timedelta(days=today.weekday())
    table = trainer_reports.load_by_week(monday, weeks=6)
    return render_template("staff/trainers/load.html", table=table)
