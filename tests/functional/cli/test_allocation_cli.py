"""allocate-trainers on the demo data: progress output, a proposal, and publishing."""

from datetime import timedelta

from sqlalchemy import func, select

from booking.demo.seed import seed_demo
from booking.models import AllocationRun, CourseSession, RunStatus, SessionAssignment, utcnow
from booking.web.filters import local


def test_allocate_trainers_staffs_most_demo_sessions_and_publishes(app, db):
    seed_demo(now=utcnow())
    db.session.commit()
    today = local(utcnow()).date()
    result = app.test_cli_runner().invoke(
        args=[
            "allocate-trainers",
            "--from", (today + timedelta(days=1)).isoformat(),
            "--to", (today + timedelta(days=31)).isoformat(),
            "--time-limit", "5",
            "--publish",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Checking the rules for" in result.output and "Solving" in result.output
    run = db.session.scalars(select(AllocationRun)).one()
    assert run.status == RunStatus.PUBLISHED
    staffed = db.session.scalar(select(func.count(func.distinct(SessionAssignment.session_id))))
    assert run.sessions_considered > 20
    assert staffed >= 0.9 * run.sessions_considered
    assert db.session.scalar(select(func.count(CourseSession.id))) > run.sessions_considered


def test_allocate_trainers_rejects_a_backwards_range(app, db):
    result = app.test_cli_runner().invoke(
        args=["allocate-trainers", "--from", "2026-03-10", "--to", "2026-03-01"]
    )
    assert result.exit_code != 0
    assert "--to must be on or after --from" in result.output
    assert db.session.scalars(select(AllocationRun)).all() == []
