"""Gathering allocation data from the database into the solver's plain data classes."""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from booking.extensions import db
from booking.models import (
    CourseSession,
    SessionAssignment,
    SessionStatus,
    TrainerProfile,
)
from booking.services.trainers.allocation.core import (
    Assignment,
    Problem,
    SessionSpec,
    TrainerSpec,
    WeeklySlot,
)


def session_spec(session: CourseSession) -> SessionSpec:
    return SessionSpec(
        id=session.id,
        course_type_id=session.course_type_id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        trainers_needed=session.course_type.trainers_needed,
        force_id=None if session.is_online else session.force_id,
        venue_id=session.venue_id,
        is_online=session.is_online,
        women_only=session.women_only,
        series_id=session.series_id,
        course_name=session.course_type.name,
        area_name="online" if session.is_online or session.force is None else session.force.name,
    )


def trainer_spec(profile: TrainerProfile) -> TrainerSpec:
    return TrainerSpec(
        id=profile.id,
        course_type_ids=frozenset(c.id for c in profile.course_types),
        force_ids=frozenset(f.id for f in profile.forces),
        covers_online=profile.covers_online,
        can_lead_women_only=profile.can_lead_women_only,
        max_sessions_per_week=profile.max_sessions_per_week,
        home_force_id=profile.home_force_id,
        weekly=tuple(WeeklySlot(s.weekday, s.starts, s.ends) for s in profile.weekly_slots),
        unavailable=tuple((u.starts_at, u.ends_at) for u in profile.unavailability),
        name=profile.name,
    )


def load_trainers(
    *, active_only: bool = True, ids: Collection[int] | None = None
) -> list[TrainerProfile]:
    query = select(TrainerProfile).options(
        joinedload(TrainerProfile.user),
        selectinload(TrainerProfile.course_types),
        selectinload(TrainerProfile.forces),
        selectinload(TrainerProfile.weekly_slots),
        selectinload(TrainerProfile.unavailability),
    )
    if active_only:
        query = query.where(TrainerProfile.is_active.is_(True))
    if ids is not None:
        query = query.where(TrainerProfile.id.in_(ids))
    return list(db.session.scalars(query.order_by(TrainerProfile.id)))


def sessions_between(starts: datetime, ends: datetime) -> list[CourseSession]:
    return list(
        db.session.scalars(
            select(CourseSession)
            .options(joinedload(CourseSession.course_type), joinedload(CourseSession.force))
            .where(
                CourseSession.status == SessionStatus.SCHEDULED,
                CourseSession.starts_at >= starts,
                CourseSession.starts_at < ends,
            )
            .order_by(CourseSession.starts_at, CourseSession.id)
        )
    )


def build_problem(
    starts: datetime, ends: datetime, *, travel_buffer_minutes: int
) -> tuple[Problem, list[CourseSession]]:
    """Every scheduled session starting in [starts, ends), every active trainer, and the
    assignments already made for those sessions (kept as they are)."""
    sessions = sessions_between(starts, ends)
    ids = [s.id for s in sessions]
    existing: Sequence[SessionAssignment] = (
        db.session.scalars(
            select(SessionAssignment).where(SessionAssignment.session_id.in_(ids))
        ).all()
        if ids
        else []
    )
    problem = Problem(
        sessions=[session_spec(s) for s in sessions],
        trainers=[trainer_spec(t) for t in load_trainers()],
        fixed=[Assignment(a.session_id, a.trainer_id, a.is_lead) for a in existing],
        travel_buffer_minutes=travel_buffer_minutes,
    )
    return problem, sessions
