"""Staff putting a trainer on a session or taking them off, with the trainer told.

The rules stay in allocation/runs.py (assign checks every hard rule; unassign moves the lead);
this adds the message, in the same transaction, so a trainer is never left guessing.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import CourseSession, SessionAssignment, TrainerProfile, User
from booking.services.notify import messages
from booking.services.trainers.allocation import runs as allocation


def assign_trainer(
    course_session: CourseSession,
    trainer: TrainerProfile,
    *,
    is_lead: bool,
    by: User,
    now: datetime,
) -> SessionAssignment:
    """Put a trainer on a session (AllocationError when a rule forbids it) and tell them."""
    assignment = allocation.assign(course_session, trainer, is_lead=is_lead, by=by, now=now)
    messages.trainer_assigned(trainer.user, course_session, is_lead=assignment.is_lead, now=now)
    return assignment


def unassign_trainer(assignment: SessionAssignment, *, by: User, now: datetime) -> int:
    """Take a trainer off a session and tell them; returns the session's id."""
    person, course_session = assignment.trainer.user, assignment.session
    session_id = assignment.session_id
    allocation.unassign(assignment, by=by, now=now)
    messages.trainer_unassigned(person, course_session, now=now)
    return session_id


def trainers_on(session_id: int) -> list[SessionAssignment]:
    """Who delivers a session, lead first (one query)."""
    return list(
        db.session.scalars(
            select(SessionAssignment)
            .options(joinedload(SessionAssignment.trainer).joinedload(TrainerProfile.user))
            .where(SessionAssignment.session_id == session_id)
            .order_by(SessionAssignment.is_lead.desc(), SessionAssignment.id)
        )
    )


def tell_trainers_cancelled(
    course_session: CourseSession, *, now: datetime, told_later: list | None = None
) -> int:
    """Tell everyone down to deliver a cancelled session; returns how many were told. With
    ``told_later`` (a list) each (trainer, session) is added to it instead, for a caller
    cancelling several sessions to tell each trainer once."""
    assigned = trainers_on(course_session.id)
    for assignment in assigned:
        if told_later is not None:
            told_later.append((assignment.trainer.user, course_session))
        else:
            messages.trainer_session_cancelled(assignment.trainer.user, course_session, now=now)
    return len(assigned)
