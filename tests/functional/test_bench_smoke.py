"""`make bench` keeps working: its dataset builder on a tiny size, and the query-count header.

Nothing here times anything; the benchmark itself reports speed.
"""

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import create_engine, event, func, select
from sqlalchemy.orm import Session

from bench import dataset, report
from booking import create_app
from booking.extensions import db
from booking.models import Booking, CourseSession, PoliceForce, TrainerProfile, User, utcnow
from booking.services.clock import in_london
from booking.services.trainers.allocation import runs, solver
from config import TestConfig


def test_dataset_builder_fills_a_migrated_database_without_overselling(database_url):
    built = dataset.build(database_url, dataset.TINY, quiet=True)

    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            assert session.scalar(select(func.count(PoliceForce.id))) == 43
            assert session.scalar(select(func.count(CourseSession.id))) == dataset.TINY.sessions
            assert session.scalar(select(func.count(Booking.id))) == dataset.TINY.bookings
            assert (
                session.scalar(select(func.count(User.id))) == dataset.TINY.attendees + 1
            )  # staff
            # The people the load generator signs in as start with no bookings.
            pool = select(User.id).where(User.email.in_(built.login_emails))
            assert (
                session.scalar(select(func.count(Booking.id)).where(Booking.user_id.in_(pool))) == 0
            )
        assert len(built.booking_target_ids) == dataset.TINY.booking_targets
        assert report.oversold_sessions(engine) == []
    finally:
        engine.dispose()


def test_booking_targets_keep_places_free_for_the_load_generator(database_url):
    built = dataset.build(database_url, dataset.TINY, quiet=True)

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    client = app.test_client()
    for session_id in built.booking_target_ids:
        page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
        assert f"<dt>Places left</dt><dd>{built.target_places_left}</dd>" in page
    # A bench booker reaches the book form itself (and its CSRF token), not the preferences page.
    client.post(
        "/account/login",
        data={"email": built.login_emails[0], "password": dataset.BENCH_PASSWORD},
    )
    form = client.get(f"/my/sessions/{built.booking_target_ids[0]}/book")
    assert form.status_code == 200
    assert "Book this session" in form.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_query_count_header_only_when_switched_on(database_url):
    counting = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, COUNT_QUERIES=True)
    plain = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    statements: list[str] = []
    with counting.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        counted = counting.test_client().get("/sessions")
        assert counted.status_code == 200
        assert statements, "the catalogue ran no SQL?"
        assert counted.headers["X-Query-Count"] == str(len(statements))
        assert "X-Query-Count" not in plain.test_client().get("/sessions").headers
    finally:
        for app in (counting, plain):
            with app.app_context():
                db.engine.dispose()


def test_dataset_trainers_give_an_allocation_run_something_to_solve(database_url):
    size = replace(dataset.TINY, sessions=200, bookings=300, trainers=6)
    dataset.build(database_url, size, quiet=True)

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        assert db.session.scalar(select(func.count(TrainerProfile.id))) == 6
        first = in_london(utcnow()).date() + timedelta(days=1)
        problem = runs.read_problem(first, first + timedelta(days=41))
        assert len(problem.trainers) == 6
        assert problem.sessions
        result = solver.solve(problem, time_limit_seconds=2)
        assert len(result.unstaffed) < len(problem.sessions)  # someone could take something
        db.session.rollback()
        db.engine.dispose()
