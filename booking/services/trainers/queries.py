"""Reading trainers and allocation runs for staff pages: named queries, so routes never build
SQL themselves."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from booking.extensions import db
from booking.models import (
    AllocationRun,
    AvailabilitySlot,
    CourseSession,
    CourseType,
    PoliceForce,
    ProposedAssignment,
    Role,
    SessionAssignment,
    TrainerProfile,
    Unavailability,
    UnstaffedSession,
    User,
)


def profiles() -> list[TrainerProfile]:
    """Every trainer profile, with the person, home force, courses and forces covered."""
    return list(
        db.session.scalars(
            select(TrainerProfile)
            .options(
                joinedload(TrainerProfile.user),
                joinedload(TrainerProfile.home_force),
                selectinload(TrainerProfile.course_types),
                selectinload(TrainerProfile.forces),
            )
            .order_by(TrainerProfile.id)
        )
    )


def profile(profile_id: int) -> TrainerProfile | None:
    return db.session.get(TrainerProfile, profile_id)


def active_profiles() -> list[TrainerProfile]:
    """Trainers who may be put on a session, with the person."""
    return list(
        db.session.scalars(
            select(TrainerProfile)
            .options(joinedload(TrainerProfile.user))
            .where(TrainerProfile.is_active.is_(True))
            .order_by(TrainerProfile.id)
        )
    )


def trainer_account(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def trainers_without_a_profile() -> list[User]:
    """Trainer accounts nobody has made a profile for yet, by first name."""
    taken = select(TrainerProfile.user_id)
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.TRAINER, User.id.not_in(taken))
            .order_by(User.first_name)
        )
    )


def course_types() -> list[CourseType]:
    return list(db.session.scalars(select(CourseType).order_by(CourseType.name)))


def forces() -> list[PoliceForce]:
    return list(db.session.scalars(select(PoliceForce).order_by(PoliceForce.name)))


def recent_runs(limit: int = 20) -> list[AllocationRun]:
    """The latest allocation runs, newest first."""
    return list(
        db.session.scalars(select(AllocationRun).order_by(AllocationRun.id.desc()).limit(limit))
    )


def run(run_id: int) -> AllocationRun | None:
    return db.session.get(AllocationRun, run_id)


def proposals(run_id: int) -> list[ProposedAssignment]:
    """A run's proposed assignments in session order, with session, course, venue and trainer."""
    return list(
        db.session.scalars(
            select(ProposedAssignment)
            .options(
                joinedload(ProposedAssignment.session).joinedload(CourseSession.course_type),
                joinedload(ProposedAssignment.session).joinedload(CourseSession.venue),
                joinedload(ProposedAssignment.trainer).joinedload(TrainerProfile.user),
            )
            .join(CourseSession, CourseSession.id == ProposedAssignment.session_id)
            .where(ProposedAssignment.run_id == run_id)
            .order_by(CourseSession.starts_at, ProposedAssignment.session_id)
        )
    )


def unstaffed(run_id: int) -> list[UnstaffedSession]:
    """The sessions a run could not staff, in session order, with the reasons."""
    return list(
        db.session.scalars(
            select(UnstaffedSession)
            .options(joinedload(UnstaffedSession.session).joinedload(CourseSession.course_type))
            .join(CourseSession, CourseSession.id == UnstaffedSession.session_id)
            .where(UnstaffedSession.run_id == run_id)
            .order_by(CourseSession.starts_at)
        )
    )


def course_session(session_id: int) -> CourseSession | None:
    return db.session.get(CourseSession, session_id)


def assignment(assignment_id: int) -> SessionAssignment | None:
    return db.session.get(SessionAssignment, assignment_id)


def sessions_of(profile: TrainerProfile, *, now: datetime, limit: int = 100) -> list[CourseSession]:
    """A trainer's sessions from two days ago on, soonest first, with course and venue."""
    return list(
        db.session.scalars(
            select(CourseSession)
            .join(SessionAssignment, SessionAssignment.session_id == CourseSession.id)
            .options(joinedload(CourseSession.course_type), joinedload(CourseSession.venue))
            .where(
                SessionAssignment.trainer_id == profile.id,
                CourseSession.ends_at > now - timedelta(days=2),
            )
            .order_by(CourseSession.starts_at)
            .limit(limit)
        )
    )


AVAILABILITY_KINDS = ("slot", "leave")  # a weekly window; time off


def availability_row(
    profile: TrainerProfile, kind: str, row_id: int
) -> AvailabilitySlot | Unavailability | None:
    """One of the trainer's own weekly windows ("slot") or time off ("leave"); None for another
    trainer's row, an unknown kind, or nothing."""
    row: AvailabilitySlot | Unavailability | None = None
    if kind == "slot":
        row = db.session.get(AvailabilitySlot, row_id)
    elif kind == "leave":
        row = db.session.get(Unavailability, row_id)
    return row if row is not None and row.trainer_id == profile.id else None
