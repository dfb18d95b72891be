"""The worker: allocation queued off the request with its progress on the page, the timetable of
scheduled jobs, and the lock that keeps each job to one run at a time."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from booking.jobs import locks, worker
from booking.models import (
    AllocationRun,
    Booking,
    BookingStatus,
    ProposedAssignment,
    Role,
    RunStatus,
    utcnow,
)
from booking.services.trainers.allocation import solver
from booking.web.filters import local
from tests import factories
from tests.trainer_factories import trainer_profile
from tests.worker_helpers import run_queued_tasks


def _staffable(db):
    course = factories.course_type()
    area = factories.force()
    session = factories.course_session(
        course_type_row=course,
        venue_row=factories.venue(area),
        starts_at=(utcnow() + timedelta(days=3)).replace(
            hour=10, minute=0, second=0, microsecond=0
        ),
    )
    trainer = trainer_profile(course_types=[course], forces=[area])
    db.session.commit()
    return session, trainer


def _form():
    today = local(utcnow()).date()
    return {"date_from": today.isoformat(), "date_to": (today + timedelta(days=10)).isoformat()}


def test_allocation_is_queued_and_its_page_shows_progress_then_the_proposal(
    client, db, auth, queued, monkeypatch
):
    session, trainer = _staffable(db)
    solved_in_request = []
    real_solve = solver.solve
    monkeypatch.setattr(
        solver, "solve", lambda *a, **k: solved_in_request.append(1) or real_solve(*a, **k)
    )
    auth.login_as(Role.ADMIN)

    response = client.post("/admin/trainers/allocation", data=_form())

    assert response.status_code == 303
    assert solved_in_request == []  # the request only queued it
    waiting = client.get(response.headers["Location"]).text
    assert "Waiting for the worker" in waiting
    first, last = (local(utcnow()).date() + timedelta(days=d) for d in (0, 10))
    assert f"from {first:%a} {first.day} {first:%b %Y} to {last:%a} {last.day} {last:%b %Y}" in (
        waiting
    )
    assert '<meta http-equiv="refresh"' in waiting
    assert "Publish this allocation" not in waiting
    assert db.session.scalars(select(ProposedAssignment)).all() == []

    assert run_queued_tasks(queued) == 1

    done = client.get(response.headers["Location"]).text
    assert solved_in_request == [1]
    assert trainer.name in done
    assert "Publish this allocation" in done
    assert 'http-equiv="refresh"' not in done
    run = db.session.scalars(select(AllocationRun)).one()
    assert run.status == RunStatus.PROPOSED
    listed = client.get("/admin/trainers/allocation").text
    assert f"Run {run.id}: {first:%a} {first.day} {first:%b %Y} to {last:%a} {last.day}" in listed


def test_the_allocation_settings_reach_the_solver(app, client, db, auth, monkeypatch):
    _staffable(db)
    app.config.update(TRAVEL_BUFFER_MINUTES=45, ALLOCATION_TIME_LIMIT=2.5)
    seen = {}
    real_solve = solver.solve

    def watching(problem, **options):
        seen.update(buffer=problem.travel_buffer_minutes, limit=options["time_limit_seconds"])
        return real_solve(problem, **options)

    monkeypatch.setattr(solver, "solve", watching)
    auth.login_as(Role.ADMIN)
    client.post("/admin/trainers/allocation", data=_form())

    assert seen == {"buffer": 45, "limit": 2.5}


def test_an_allocation_delivered_twice_is_solved_once(client, db, auth, queued):
    _staffable(db)
    auth.login_as(Role.ADMIN)
    client.post("/admin/trainers/allocation", data=_form())
    run = db.session.scalars(select(AllocationRun)).one()
    worker.run_allocation(run.id)  # the same run queued again (a retry, a second worker)

    assert run_queued_tasks(queued) == 2

    assert len(db.session.scalars(select(ProposedAssignment)).all()) == 1


def test_a_failed_allocation_says_so_on_its_page(client, db, auth, queued, monkeypatch):
    _staffable(db)

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(solver, "solve", broken)
    auth.login_as(Role.ADMIN)
    response = client.post("/admin/trainers/allocation", data=_form())
    run_queued_tasks(queued)

    page = client.get(response.headers["Location"]).text
    assert "could not be finished" in page
    assert "Start a new allocation" in page
    run = db.session.scalars(select(AllocationRun)).one()
    assert run.status == RunStatus.FAILED


def _due(at: datetime) -> set[str]:
    return {task.name for task in worker.huey.read_periodic(at)}


def test_the_timetable_runs_minute_jobs_every_minute_and_daily_jobs_once_a_day():
    every_minute = {
        "expire_holds_and_offers",
        "send_notifications_this_minute",
        "send_force_webhooks",
    }
    daily = {"queue_reminders", "close_overdue_referrals", "run_retention"}
    ordinary_minute = datetime(2026, 12, 2, 14, 7, tzinfo=UTC)
    assert _due(ordinary_minute) == every_minute
    assert every_minute <= _due(datetime(2026, 12, 2, 14, 10, tzinfo=UTC))
    assert "send_leftover_refunds" in _due(datetime(2026, 12, 2, 14, 10, tzinfo=UTC))
    seen_in_a_day = set()
    for minute in range(24 * 60):
        seen_in_a_day |= _due(datetime(2026, 12, 2, tzinfo=UTC) + timedelta(minutes=minute))
    assert daily <= seen_in_a_day
    assert all(
        sum(
            name in _due(datetime(2026, 12, 2, tzinfo=UTC) + timedelta(minutes=m))
            for m in range(24 * 60)
        )
        == 1
        for name in daily
    )


def test_the_minute_job_releases_a_hold_that_ran_out(db):
    session = factories.course_session()
    person = factories.user(Role.ATTENDEE)
    booking = Booking(
        reference="RHOLD001",
        session_id=session.id,
        user_id=person.id,
        status=BookingStatus.HELD,
        hold_expires_at=utcnow() - timedelta(minutes=1),
    )
    db.session.add(booking)
    db.session.commit()

    assert worker.expire_holds_and_offers.call_local() == {"holds": 1, "offers": 0}

    db.session.refresh(booking)
    assert booking.status not in (BookingStatus.HELD, BookingStatus.CONFIRMED)


def test_a_job_already_running_elsewhere_is_skipped(db):
    with locks.exclusive("expire-holds-and-offers", ttl=timedelta(minutes=5)) as mine:
        assert mine
        assert worker.expire_holds_and_offers.call_local() is None  # skipped, not run twice
    assert worker.expire_holds_and_offers.call_local() == {"holds": 0, "offers": 0}


def test_a_lock_left_by_a_crashed_worker_runs_out(db):
    assert locks.acquire("reminders", ttl=timedelta(seconds=-1)) is not None  # already run out
    assert locks.acquire("reminders", ttl=timedelta(minutes=5)) is not None
    assert locks.acquire("reminders", ttl=timedelta(minutes=5)) is None
