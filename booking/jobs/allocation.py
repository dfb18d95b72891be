"""Trainer allocation as three short steps, so the solver (it may take several seconds) never
runs inside a transaction: no row locks, and on SQLite no write lock, are held while it thinks.

1. read the problem in one short read-only transaction, then end it;
2. solve with no transaction open;
3. save the proposal in a second short transaction, which checks each proposed assignment
   against the database as it is by then (services/trainers/allocation/runs.py).

A web request still waits for the solver; moving this call to a worker needs no change here.
"""

from collections.abc import Callable
from datetime import date, datetime

from booking.database import unit_of_work
from booking.extensions import db
from booking.models import User
from booking.services.trainers.allocation import runs as allocation
from booking.services.trainers.allocation import solver


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
    """Propose trainers for scheduled sessions from ``first`` to ``last`` and return the
    proposal's id. Raises AllocationError("invalid_range")."""
    db.session.rollback()  # start the read afresh, not inside whatever the caller had open
    try:
        problem = allocation.read_problem(first, last, travel_buffer_minutes=travel_buffer_minutes)
    finally:
        db.session.rollback()  # the read is over: nothing stays open while solving
    result = solver.solve(problem, time_limit_seconds=time_limit_seconds, progress=progress)
    with unit_of_work():
        by = db.session.get(User, by_id) if by_id is not None else None
        run = allocation.save_proposal(first, last, problem, result, by=by, now=now)
        return run.id
