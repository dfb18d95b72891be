"""Admin views of staffing: sessions short of trainers, and each trainer's load per week."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    CourseSession,
    CourseType,
    SessionAssignment,
    SessionStatus,
    TrainerProfile,
)
from booking.services.clock import LONDON
from booking.services.trainers.allocation.core import week_of


@dataclass(frozen=True)
class ShortSession:
    session: CourseSession
    assigned: int
    needed: int


def sessions_short_of_trainers(*, now: datetime, limit: int = 200) -> list[ShortSession]:
    """Upcoming scheduled sessions with fewer trainers than their course type needs."""
    assigned = (
        select(SessionAssignment.session_id, func.count().label("n"))
        .group_by(SessionAssignment.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(CourseSession, func.coalesce(assigned.c.n, 0), CourseType.trainers_needed)
        .join(CourseType, CourseType.id == CourseSession.course_type_id)
        .outerjoin(assigned, assigned.c.session_id == CourseSession.id)
        .options(joinedload(CourseSession.venue), joinedload(CourseSession.force))
        .where(
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.starts_at > now,
            func.coalesce(assigned.c.n, 0) < CourseType.trainers_needed,
        )
        .order_by(CourseSession.starts_at)
        .limit(limit)
    ).all()
    return [ShortSession(s, count, needed) for s, count, needed in rows]


@dataclass
class LoadTable:
    weeks: list[date]  # Mondays
    rows: list[tuple[TrainerProfile, list[int]]]

    @property
    def peak(self) -> int:
        return max((n for _, counts in self.rows for n in counts), default=0)


def load_by_week(first_monday: date, weeks: int = 6) -> LoadTable:
    """Sessions per trainer per week (Monday to Sunday, UK time) from ``first_monday``."""
    mondays = [first_monday + timedelta(weeks=n) for n in range(weeks)]
    starts = datetime.combine(mondays[0], time(0), LONDON)
    ends = datetime.combine(mondays[-1] + timedelta(days=7), time(0), LONDON)
    trainers = db.session.scalars(
        select(TrainerProfile)
        .options(joinedload(TrainerProfile.user))
        .where(TrainerProfile.is_active.is_(True))
        .order_by(TrainerProfile.id)
    ).all()
    pairs = db.session.execute(
        select(SessionAssignment.trainer_id, CourseSession.starts_at)
        .join(CourseSession, CourseSession.id == SessionAssignment.session_id)
        .where(
            CourseSession.starts_at >= starts,
            CourseSession.starts_at < ends,
            CourseSession.status != SessionStatus.CANCELLED,
        )
    ).all()
    index = {week_of(datetime.combine(m, time(12), LONDON)): n for n, m in enumerate(mondays)}
    counts = {t.id: [0] * weeks for t in trainers}
    for trainer_id, starts_at in pairs:
        column = index.get(week_of(starts_at))
        if trainer_id in counts and column is not None:
            counts[trainer_id][column] += 1
    return LoadTable(weeks=mondays, rows=[(t, counts[t.id]) for t in trainers])
