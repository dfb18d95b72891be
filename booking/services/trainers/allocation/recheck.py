"""A proposed allocation checked again against the database as it is now, set-wise: the
sessions, the trainers, the assignments already made and the trainers' sessions around them
read in a fixed number of statements, the hard rules (allocation/core.py) checked in Python.
Answers are error codes (AllocationError's, or the two below), None where an assignment holds.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import CourseSession, SessionAssignment, SessionStatus
from booking.services.trainers.allocation.core import (
    DEFAULT_TRAVEL_BUFFER_MINUTES,
    Assignment,
    SessionSpec,
    TrainerSpec,
    clash,
    rule_failures,
    week_of,
)
from booking.services.trainers.allocation.model import load_trainers, session_spec, trainer_spec

NOT_SCHEDULED = "session_not_scheduled"
NOT_ACTIVE = "trainer_not_active"
# A trainer's other sessions that may clash with a session, or share its week.
AROUND = timedelta(days=8)


def no_longer_hold(assignments: list[Assignment]) -> list[str | None]:
    """Why each proposed assignment no longer holds against the database (None when it does),
    the same rules as ``check_assignment`` but read set-wise: the sessions, the trainers, the
    assignments already on those sessions and the trainers' other sessions around them, in a
    fixed number of statements whatever the number of assignments."""
    if not assignments:
        return []
    session_ids = {a.session_id for a in assignments}
    trainer_ids = {a.trainer_id for a in assignments}
    sessions = {
        s.id: s
        for s in db.session.scalars(
            select(CourseSession)
            .options(joinedload(CourseSession.course_type), joinedload(CourseSession.force))
            .where(CourseSession.id.in_(session_ids))
        )
    }
    trainers = {t.id: t for t in load_trainers(active_only=False, ids=trainer_ids)}
    on_session: dict[int, set[int]] = defaultdict(set)
    for session_id, trainer_id in db.session.execute(
        select(SessionAssignment.session_id, SessionAssignment.trainer_id).where(
            SessionAssignment.session_id.in_(session_ids)
        )
    ):
        on_session[session_id].add(trainer_id)
    specs = {session_id: session_spec(s) for session_id, s in sessions.items()}
    around = assigned_around(trainer_ids, [s.starts_at for s in specs.values()])
    trainer_specs: dict[int, TrainerSpec] = {}
    answers: list[str | None] = []
    for assignment in assignments:
        session = sessions.get(assignment.session_id)
        trainer = trainers.get(assignment.trainer_id)
        if session is None or session.status != SessionStatus.SCHEDULED:
            answers.append(NOT_SCHEDULED)
        elif trainer is None or not trainer.is_active:
            answers.append(NOT_ACTIVE)
        else:
            if trainer.id not in trainer_specs:
                trainer_specs[trainer.id] = trainer_spec(trainer)
            current = on_session[session.id]
            answers.append(
                "already_assigned"
                if trainer.id in current
                else "session_fully_staffed"
                if len(current) >= session.course_type.trainers_needed
                else first_broken(trainer_specs[trainer.id], specs[session.id], around[trainer.id])
            )
    return answers


def assigned_around(trainer_ids: set[int], moments: list[datetime]) -> dict[int, list]:
    """Each trainer's assigned, not cancelled sessions within eight days of any of ``moments``
    (one statement)."""
    around: dict[int, list] = defaultdict(list)
    if not moments:
        return around
    rows = db.session.execute(
        select(SessionAssignment.trainer_id, CourseSession)
        .join(CourseSession, CourseSession.id == SessionAssignment.session_id)
        .options(joinedload(CourseSession.course_type), joinedload(CourseSession.force))
        .where(
            SessionAssignment.trainer_id.in_(trainer_ids),
            CourseSession.status != SessionStatus.CANCELLED,
            CourseSession.starts_at > min(moments) - AROUND,
            CourseSession.starts_at < max(moments) + AROUND,
        )
    )
    for trainer_id, session in rows:
        around[trainer_id].append(session_spec(session))
    return around


def first_broken(
    trainer: TrainerSpec, wanted: SessionSpec, assigned: list[SessionSpec]
) -> str | None:
    """The first hard rule broken, given the trainer's assigned sessions (any; those that are
    this session or more than eight days from it are not counted)."""
    failures = rule_failures(trainer, wanted)
    if failures:
        return failures[0]
    others = [
        other
        for other in assigned
        if other.id != wanted.id and abs(other.starts_at - wanted.starts_at) < AROUND
    ]
    if any(clash(wanted, other, DEFAULT_TRAVEL_BUFFER_MINUTES) for other in others):
        return "trainer_clash"
    week = week_of(wanted.starts_at)
    if sum(1 for o in others if week_of(o.starts_at) == week) >= trainer.max_sessions_per_week:
        return "weekly_maximum"
    return None
