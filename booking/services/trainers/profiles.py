"""Trainer profiles and availability: trainers keep their own availability; admins edit all."""

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    AvailabilitySlot,
    CourseSession,
    CourseType,
    PoliceForce,
    Role,
    SessionAssignment,
    SessionStatus,
    TrainerProfile,
    Unavailability,
    User,
)
from booking.services import audit
from booking.services.notify import messages
from booking.services.trainers.allocation import core, model
from booking.services.trainers.allocation.runs import AllocationError, unassign
from booking.services.trainers.calendar import new_token

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekly_hours_words(profile: TrainerProfile) -> list[str]:
    """The trainer's weekly availability, one line a window: "Monday 09:00 to 17:00"."""
    return [
        f"{WEEKDAYS[slot.weekday]} {slot.starts:%H:%M} to {slot.ends:%H:%M}"
        for slot in sorted(profile.weekly_slots, key=lambda s: (s.weekday, s.starts))
    ]


def leave_ahead(profile: TrainerProfile, *, now: datetime) -> list[Unavailability]:
    """The trainer's leave and time off that has not ended yet, soonest first."""
    return [row for row in profile.unavailability if row.ends_at > now]


def candidates_for(course_session: CourseSession) -> list[tuple[TrainerProfile, str]]:
    """Every active trainer beside what their time allows for the session ("free then", "on
    leave or time off then", "does not work then"), free ones first; a fixed number of
    queries whatever the number of trainers."""
    session = model.session_spec(course_session)
    rows = [
        (profile, core.time_words(model.trainer_spec(profile), session))
        for profile in model.load_trainers()
    ]
    return sorted(rows, key=lambda row: (row[1] != "free then", row[0].name))


def profile_for(user: User) -> TrainerProfile | None:
    return db.session.scalars(
        select(TrainerProfile).where(TrainerProfile.user_id == user.id)
    ).first()


def save_profile(
    user: User,
    *,
    course_type_ids: list[int],
    force_ids: list[int],
    covers_online: bool,
    can_lead_women_only: bool,
    max_sessions_per_week: int,
    home_force_id: int | None,
    is_active: bool = True,
    by: User | None,
    now: datetime,
) -> TrainerProfile:
    """Create or update the profile of a trainer account (role must be trainer).
    Raises AllocationError("not_a_trainer")."""
    if user.role != Role.TRAINER:
        raise AllocationError("not_a_trainer")
    profile = profile_for(user)
    if profile is None:
        profile = TrainerProfile(user=user, calendar_token=new_token())
        db.session.add(profile)
    profile.course_types = list(
        db.session.scalars(select(CourseType).where(CourseType.id.in_(course_type_ids)))
    )
    profile.forces = list(
        db.session.scalars(select(PoliceForce).where(PoliceForce.id.in_(force_ids)))
    )
    profile.covers_online = covers_online
    profile.can_lead_women_only = can_lead_women_only
    profile.max_sessions_per_week = max(0, max_sessions_per_week)
    profile.home_force_id = home_force_id
    profile.is_active = is_active
    db.session.flush()
    audit.record("trainer_profile.saved", "trainer_profile", profile.id, actor=by, now=now)
    return profile


def add_slot(
    profile: TrainerProfile, *, weekday: int, starts: time, ends: time, by: User, now: datetime
) -> AvailabilitySlot:
    """Add a weekly availability window. Raises AllocationError("invalid_slot")."""
    if not 0 <= weekday <= 6 or ends <= starts:
        raise AllocationError("invalid_slot")
    slot = AvailabilitySlot(trainer_id=profile.id, weekday=weekday, starts=starts, ends=ends)
    db.session.add(slot)
    db.session.flush()
    audit.record("availability.added", "trainer_profile", profile.id, actor=by, now=now)
    return slot


def add_unavailability(
    profile: TrainerProfile,
    *,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    by: User,
    now: datetime,
) -> tuple[Unavailability, list[CourseSession]]:
    """Record time off or leave. The trainer is taken off every upcoming session it overlaps
    (audited, and the trainer told), so those sessions show as short of trainers at once.
    Returns the row and those sessions. Raises AllocationError("invalid_dates")."""
    if ends_at <= starts_at:
        raise AllocationError("invalid_dates")
    row = Unavailability(
        trainer_id=profile.id, starts_at=starts_at, ends_at=ends_at, reason=reason[:120]
    )
    db.session.add(row)
    db.session.flush()
    audit.record("unavailability.added", "trainer_profile", profile.id, actor=by, now=now)
    overlapping = db.session.scalars(
        select(SessionAssignment)
        .join(CourseSession, CourseSession.id == SessionAssignment.session_id)
        .options(joinedload(SessionAssignment.session))
        .where(
            SessionAssignment.trainer_id == profile.id,
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.ends_at > now,
            CourseSession.starts_at < ends_at,
            CourseSession.ends_at > starts_at,
        )
        .order_by(CourseSession.starts_at)
    ).all()
    released = []
    for assignment in overlapping:
        course_session = assignment.session
        unassign(assignment, by=by, now=now, reason="not_available", cause="leave")
        released.append(course_session)
    if released:
        _tell_released(profile.user, released, now=now)
    return row, released


def _tell_released(person: User, sessions: list[CourseSession], *, now: datetime) -> None:
    messages.trainer_released(person, sessions, now=now)


def remove_availability_row(
    profile: TrainerProfile, row: AvailabilitySlot | Unavailability, *, by: User, now: datetime
) -> None:
    """Delete a weekly slot or time off belonging to this profile (others are ignored)."""
    if row.trainer_id != profile.id:
        return
    db.session.delete(row)
    db.session.flush()
    audit.record("availability.removed", "trainer_profile", profile.id, actor=by, now=now)
