"""Trainer allocation use cases: read the problem, save a proposal, publish; manual assignment.

The rules themselves live in allocation/core.py (plain data) and the solver in solver.py; this
module reads and writes the database. Services flush, never commit. The solver runs between
read_problem and save_proposal with no transaction open (booking/jobs/allocation.py).
"""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    AllocationRun,
    AssignmentSource,
    CourseSession,
    ProposedAssignment,
    RunStatus,
    SessionAssignment,
    SessionStatus,
    TrainerProfile,
    UnstaffedSession,
    User,
)
from booking.services import audit
from booking.services.errors import DomainError
from booking.services.notify import digests, messages
from booking.services.trainers.allocation import recheck
from booking.services.trainers.allocation.core import (
    DEFAULT_TRAVEL_BUFFER_MINUTES,
    LONDON,
    Problem,
    Result,
)
from booking.services.trainers.allocation.model import (
    build_problem,
    session_spec,
    trainer_spec,
)


class AllocationError(DomainError):
    http_status = 400


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UK-local whole days from ``first`` to ``last`` inclusive, as UTC instants."""
    if last < first:
        raise AllocationError("invalid_range")
    starts = datetime.combine(first, time(0), LONDON)
    ends = datetime.combine(last + timedelta(days=1), time(0), LONDON)
    return starts, ends


def read_problem(
    first: date, last: date, *, travel_buffer_minutes: int = DEFAULT_TRAVEL_BUFFER_MINUTES
) -> Problem:
    """The allocation problem for scheduled sessions from ``first`` to ``last`` (UK dates), as
    plain data: one short read, so the solver can run with no transaction open. Existing
    assignments are kept. Raises AllocationError("invalid_range")."""
    starts, ends = day_bounds(first, last)
    problem, _ = build_problem(starts, ends, travel_buffer_minutes=travel_buffer_minutes)
    return problem


def queue_run(first: date, last: date, *, by: User | None, now: datetime) -> AllocationRun:
    """Ask for an allocation from ``first`` to ``last`` (UK dates): a run waiting for the
    worker, which solves it outside any request. Raises AllocationError("invalid_range")."""
    starts, ends = day_bounds(first, last)
    run = AllocationRun(
        date_from=starts,
        date_to=ends,
        status=RunStatus.QUEUED,
        created_by_id=by.id if by else None,
        created_at=now,
        progress="Waiting for the worker to start.",
    )
    db.session.add(run)
    db.session.flush()
    audit.record("allocation.queued", "allocation_run", run.id, actor=by, now=now)
    return run


def run_dates(run: AllocationRun) -> tuple[date, date]:
    """The first and last UK dates a run covers."""
    return (
        run.date_from.astimezone(LONDON).date(),
        (run.date_to.astimezone(LONDON) - timedelta(days=1)).date(),
    )


def start_run(run_id: int) -> AllocationRun | None:
    """Take a queued run to solve it. None when it is not waiting (another worker took it, or
    it is finished), so a run delivered twice is solved once."""
    run = db.session.scalars(
        select(AllocationRun).where(AllocationRun.id == run_id).with_for_update()
    ).one_or_none()
    if run is None or run.status != RunStatus.QUEUED:
        return None
    run.status = RunStatus.RUNNING
    run.progress = "Reading the sessions and trainers..."
    db.session.flush()
    return run


def note_progress(run_id: int, message: str) -> None:
    """Show what the solver is doing on the run's page (only while it is running)."""
    run = db.session.get(AllocationRun, run_id)
    if run is not None and run.status == RunStatus.RUNNING:
        run.progress = message[:300]
        db.session.flush()


def fail_run(run_id: int, why: str) -> None:
    """The worker could not finish: say so on the run's page, so staff can try again."""
    run = db.session.get(AllocationRun, run_id)
    if run is not None and run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
        run.status = RunStatus.FAILED
        run.progress = why[:300]
        db.session.flush()


def save_proposal(run_id: int, problem: Problem, result: Result, *, now: datetime) -> AllocationRun:
    """Store a solver's answer in the running run, as a proposal (nothing changes for trainers
    until published).

    The solver worked on a copy read earlier, so each proposed assignment is checked again
    against the database as it is now (leave added, a session moved or cancelled, another
    assignment made meanwhile); one that no longer holds is left out and its session listed as
    unstaffed with the reason. Raises AllocationError("run_not_running")."""
    run = db.session.scalars(
        select(AllocationRun).where(AllocationRun.id == run_id).with_for_update()
    ).one()
    if run.status != RunStatus.RUNNING:
        raise AllocationError("run_not_running")
    unstaffed = dict(result.unstaffed)
    proposals = []
    for assignment, code in zip(
        result.assignments, recheck.no_longer_hold(result.assignments), strict=True
    ):
        if code is None:
            proposals.append(assignment)
        else:
            unstaffed.setdefault(assignment.session_id, CHANGED_MEANWHILE + _reason(code))
    run.status = RunStatus.PROPOSED
    run.solver_status = result.status
    run.solve_seconds = int(result.seconds * 1000)
    run.sessions_considered = len(problem.sessions)
    run.progress = ""
    # Inserted in bulk: one statement for the proposals and one for the unstaffed sessions.
    if proposals:
        db.session.execute(
            insert(ProposedAssignment),
            [
                dict(
                    run_id=run.id,
                    session_id=a.session_id,
                    trainer_id=a.trainer_id,
                    is_lead=a.is_lead,
                )
                for a in proposals
            ],
        )
    if unstaffed:
        db.session.execute(
            insert(UnstaffedSession),
            [
                dict(run_id=run.id, session_id=sid, reason=reason[:300])
                for sid, reason in unstaffed.items()
            ],
        )
    db.session.flush()
    db.session.expire(run, ["proposals", "unstaffed"])
    audit.record(
        "allocation.proposed",
        "allocation_run",
        run.id,
        actor=db.session.get(User, run.created_by_id) if run.created_by_id else None,
        now=now,
        proposals=len(proposals),
        unstaffed=len(unstaffed),
        dropped=len(result.assignments) - len(proposals),
    )
    return run


CHANGED_MEANWHILE = "the schedule changed while the allocation was being worked out: "
_PLAIN_REASONS = {
    recheck.NOT_SCHEDULED: "the session is no longer scheduled",
    recheck.NOT_ACTIVE: "the trainer is no longer active",
}


def _reason(code: str) -> str:
    return _PLAIN_REASONS.get(code) or AllocationError(code).message


def publish(run: AllocationRun, *, by: User | None, now: datetime) -> int:
    """Turn a proposal into real assignments. Each one is checked again against the hard
    rules (things may have changed since the proposal); any that now break a rule are skipped.
    Returns how many were published. Raises AllocationError("run_not_proposed")."""
    run = db.session.scalars(
        select(AllocationRun).where(AllocationRun.id == run.id).with_for_update()
    ).one()
    if run.status != RunStatus.PROPOSED:
        raise AllocationError("run_not_proposed")
    published = 0
    rows = db.session.scalars(
        select(ProposedAssignment)
        .options(joinedload(ProposedAssignment.session), joinedload(ProposedAssignment.trainer))
        .where(ProposedAssignment.run_id == run.id)
        .order_by(ProposedAssignment.is_lead.desc(), ProposedAssignment.id)
    ).all()
    added: dict[int, list[tuple[CourseSession, bool]]] = {}
    for row in rows:
        try:
            check_assignment(row.session, row.trainer)
        except AllocationError:
            continue
        assignment = SessionAssignment(
            session_id=row.session_id,
            trainer_id=row.trainer_id,
            is_lead=row.is_lead and not _has_lead(row.session_id),
            source=AssignmentSource.AUTO,
            created_at=now,
        )
        db.session.add(assignment)
        db.session.flush()
        added.setdefault(row.trainer_id, []).append((row.session, assignment.is_lead))
        published += 1
    _tell_trainers(rows, added, now=now)
    run.status = RunStatus.PUBLISHED
    run.published_at = now
    db.session.flush()
    audit.record(
        "allocation.published", "allocation_run", run.id, actor=by, now=now, count=published
    )
    return published


def _tell_trainers(
    rows: Sequence[ProposedAssignment],
    added: dict[int, list[tuple[CourseSession, bool]]],
    *,
    now: datetime,
) -> None:
    """Each trainer hears once of every session a published allocation gave them (the message
    goes in this transaction's outbox and is sent after the commit)."""
    trainers = {row.trainer_id: row.trainer for row in rows}
    for trainer_id, sessions in added.items():
        person = trainers[trainer_id].user
        ordered = sorted(sessions, key=lambda item: item[0].starts_at)
        if len(ordered) == 1:
            messages.trainer_assigned(person, ordered[0][0], is_lead=ordered[0][1], now=now)
        else:
            digests.trainer_rota(person, added=ordered, removed=[], now=now)


def _has_lead(session_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(SessionAssignment)
            .where(SessionAssignment.session_id == session_id, SessionAssignment.is_lead.is_(True))
        )
    )


def check_assignment(session: CourseSession, trainer: TrainerProfile) -> None:
    """Raise AllocationError with the first hard rule this assignment would break:
    already_assigned, session_fully_staffed, not_qualified, area_not_covered,
    cannot_lead_women_only, not_available, trainer_clash, weekly_maximum."""
    current = db.session.scalars(
        select(SessionAssignment).where(SessionAssignment.session_id == session.id)
    ).all()
    if any(a.trainer_id == trainer.id for a in current):
        raise AllocationError("already_assigned")
    if len(current) >= session.course_type.trainers_needed:
        raise AllocationError("session_fully_staffed")
    broken = rule_broken(session, trainer)
    if broken:
        raise AllocationError(broken)


def rule_broken(session: CourseSession, trainer: TrainerProfile) -> str | None:
    """The first hard rule (qualification, area, women-only, availability and leave, clash,
    weekly maximum) this trainer breaks for this session, or None. The session itself is left
    out of the clash and weekly counts, so an existing assignment can be re-checked after the
    session or the trainer's availability changed."""
    around = db.session.scalars(
        select(CourseSession)
        .join(SessionAssignment, SessionAssignment.session_id == CourseSession.id)
        .options(joinedload(CourseSession.course_type), joinedload(CourseSession.force))
        .where(
            SessionAssignment.trainer_id == trainer.id,
            CourseSession.id != session.id,
            CourseSession.status != SessionStatus.CANCELLED,
            CourseSession.starts_at > session.starts_at - recheck.AROUND,
            CourseSession.starts_at < session.starts_at + recheck.AROUND,
        )
    ).all()
    return recheck.first_broken(
        trainer_spec(trainer), session_spec(session), [session_spec(s) for s in around]
    )


def assign(
    session: CourseSession,
    trainer: TrainerProfile,
    *,
    is_lead: bool = False,
    by: User | None,
    now: datetime,
) -> SessionAssignment:
    """Assign a trainer by hand, after checking every hard rule (see check_assignment).
    The first trainer on a session always leads; asking for a lead moves the lead."""
    check_assignment(session, trainer)
    has_lead = _has_lead(session.id)
    if is_lead and has_lead:
        for other in db.session.scalars(
            select(SessionAssignment).where(SessionAssignment.session_id == session.id)
        ):
            other.is_lead = False
    assignment = SessionAssignment(
        session_id=session.id,
        trainer_id=trainer.id,
        is_lead=is_lead or not has_lead,
        source=AssignmentSource.MANUAL,
        created_at=now,
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "assignment.added", "course_session", session.id, actor=by, now=now, trainer=trainer.id
    )
    return assignment


def unassign(
    assignment: SessionAssignment, *, by: User | None, now: datetime, **detail: object
) -> None:
    """Take a trainer off a session; if they led it, the next trainer becomes the lead."""
    session_id, trainer_id, was_lead = (
        assignment.session_id,
        assignment.trainer_id,
        assignment.is_lead,
    )
    db.session.delete(assignment)
    db.session.flush()
    if was_lead:
        other = db.session.scalars(
            select(SessionAssignment)
            .where(SessionAssignment.session_id == session_id)
            .order_by(SessionAssignment.id)
        ).first()
        if other is not None:
            other.is_lead = True
            db.session.flush()
    audit.record(
        "assignment.removed",
        "course_session",
        session_id,
        actor=by,
        now=now,
        trainer=trainer_id,
        **detail,
    )
