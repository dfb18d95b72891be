"""Trainer allocation, run by the worker (booking/jobs/worker.py), as short steps so the solver (it
may take several seconds) never runs inside a request or a transaction: no row locks, and on
SQLite no write lock, are held while it thinks.

1. take the queued run (one short transaction: queued -> running);
2. read the problem in one short read-only transaction, then end it;
3. solve with no transaction open, noting progress on the run's page as it goes;
4. save the proposal in a last short transaction, which checks each proposed assignment
   against the database as it is by then (services/trainers/allocation/runs.py).
"""

import logging
from collections.abc import Callable
from datetime import date, datetime

from booking.database import unit_of_work
from booking.extensions import db
from booking.models import User, utcnow
from booking.services.trainers.allocation import runs as allocation
from booking.services.trainers.allocation import solver

log = logging.getLogger(__name__)


def run_queued(
    run_id: int,
    *,
    travel_buffer_minutes: int,
    time_limit_seconds: float,
    progress: Callable[[str], None] | None = None,
) -> str:
    """Solve queued run ``run_id`` and store its proposal. Returns what happened, in words."""
    with unit_of_work():
        run = allocation.start_run(run_id)
        if run is None:
            return f"run {run_id} was not waiting; nothing to do"
        first, last = allocation.run_dates(run)

    def note(message: str) -> None:
        if progress is not None:
            progress(message)
        with unit_of_work():
            allocation.note_progress(run_id, message)

    try:
        try:
            problem = allocation.read_problem(
                first, last, travel_buffer_minutes=travel_buffer_minutes
            )
        finally:
            db.session.rollback()  # the read is over: nothing stays open while solving
        result = solver.solve(problem, time_limit_seconds=time_limit_seconds, progress=note)
        note("Checking the proposal against the schedule as it is now...")
        with unit_of_work():
            allocation.save_proposal(run_id, problem, result, now=utcnow())
    except Exception:
        log.exception("Allocation run %s failed", run_id)
        with unit_of_work():
            allocation.fail_run(
                run_id, "The allocation could not be finished. Please start a new run."
            )
        raise
    return f"run {run_id} proposed"


def propose_allocation(
    first: date,
    last: date,
    *,
    by_id: int | None,
    now: datetime,
    travel_buffer_minutes: int,
    time_limit_seconds: float,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Queue a run and solve it here and now (the command line, where no one waits on a web
    page). Returns the run's id. Raises AllocationError("invalid_range")."""
    with unit_of_work():
        by = db.session.get(User, by_id) if by_id is not None else None
        run_id = allocation.queue_run(first, last, by=by, now=now).id
    run_queued(
        run_id,
        travel_buffer_minutes=travel_buffer_minutes,
        time_limit_seconds=time_limit_seconds,
        progress=progress,
    )
    return run_id
