"""Builders for trainer tests: profiles, assignments and bookings through the real models."""

from datetime import time, timedelta

from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    AvailabilitySlot,
    Booking,
    BookingStatus,
    Role,
    SessionAssignment,
    TrainerProfile,
    utcnow,
)
from booking.services.trainers.calendar import new_token
from tests import factories


def trainer_profile(*, course_types=(), forces=(), user=None, **fields) -> TrainerProfile:
    values = dict(covers_online=True, can_lead_women_only=False, max_sessions_per_week=5)
    values.update(fields)
    profile = TrainerProfile(
        user=user or factories.user(Role.TRAINER),
        calendar_token=new_token(),
        course_types=list(course_types),
        forces=list(forces),
        **values,
    )
    profile.weekly_slots = [
        AvailabilitySlot(weekday=d, starts=time(0), ends=time(23, 59)) for d in range(7)
    ]
    db.session.add(profile)
    db.session.flush()
    return profile


def assign(session, profile, *, is_lead=True) -> SessionAssignment:
    row = SessionAssignment(session_id=session.id, trainer_id=profile.id, is_lead=is_lead)
    db.session.add(row)
    db.session.flush()
    return row


def confirmed_booking(session, person=None, **profile_fields) -> Booking:
    person = person or factories.user(Role.ATTENDEE)
    if profile_fields:
        db.session.add(AttendeeProfile(user=person, **profile_fields))
    booking = Booking(
        reference=f"R{person.id:07d}"[:12],
        session_id=session.id,
        user_id=person.id,
        status=BookingStatus.CONFIRMED,
        confirmed_at=utcnow(),
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def started_session(**fields):
    """A session that began an hour ago (so it can be closed)."""
    return factories.course_session(
        starts_at=utcnow().replace(microsecond=0) - timedelta(hours=1), **fields
    )
