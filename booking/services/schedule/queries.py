"""Reading the schedule for staff pages: named queries, so routes never build SQL themselves."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    AttendanceRecord,
    AttendanceStatus,
    Booking,
    CourseSession,
    CourseType,
    PoliceForce,
    Scheme,
    SessionSeries,
    SessionStatus,
    Venue,
    WaitingListEntry,
)
from booking.services.bookings.seats import seats_taken_column


def upcoming_sessions(*, now: datetime, days: int, limit: int) -> list[CourseSession]:
    """Scheduled sessions starting in the next ``days`` days, soonest first, with course and
    venue."""
    return list(
        db.session.scalars(
            select(CourseSession)
            .options(joinedload(CourseSession.course_type), joinedload(CourseSession.venue))
            .where(CourseSession.status == SessionStatus.SCHEDULED, CourseSession.starts_at > now)
            .where(CourseSession.starts_at < now + timedelta(days=days))
            .order_by(CourseSession.starts_at, CourseSession.id)
            .limit(limit)
        )
    )


def upcoming_sessions_with_taken(
    *, now: datetime, days: int, limit: int
) -> tuple[list[CourseSession], dict[int, int]]:
    """``upcoming_sessions`` and the seats taken of each, in one statement (however many or few
    sessions there are)."""
    rows = db.session.execute(
        select(CourseSession, seats_taken_column(now))
        .options(joinedload(CourseSession.course_type), joinedload(CourseSession.venue))
        .where(CourseSession.status == SessionStatus.SCHEDULED, CourseSession.starts_at > now)
        .where(CourseSession.starts_at < now + timedelta(days=days))
        .order_by(CourseSession.starts_at, CourseSession.id)
        .limit(limit)
    ).all()
    return [session for session, _ in rows], {session.id: taken for session, taken in rows}


def course_session(session_id: int) -> CourseSession | None:
    return db.session.get(CourseSession, session_id)


def venue(venue_id: int) -> Venue | None:
    return db.session.get(Venue, venue_id)


def venues() -> list[Venue]:
    """Every venue by name, with its force."""
    return list(
        db.session.scalars(select(Venue).options(joinedload(Venue.force)).order_by(Venue.name))
    )


def venue_choices(*, keeping: int | None) -> list[Venue]:
    """Venues in use by name; the venue ``keeping`` names stays a choice even if it is not."""
    return list(
        db.session.scalars(
            select(Venue).where(Venue.is_active | (Venue.id == (keeping or 0))).order_by(Venue.name)
        )
    )


def course_type(course_type_id: int) -> CourseType | None:
    return db.session.get(CourseType, course_type_id)


def course_types() -> list[CourseType]:
    """Every course type by name."""
    return list(db.session.scalars(select(CourseType).order_by(CourseType.name)))


def course_type_with_slug(slug: str) -> int | None:
    """The id of the course type that uses this short name, if any."""
    return db.session.scalar(select(CourseType.id).where(CourseType.slug == slug))


def force_names() -> list[tuple[int, str]]:
    """(id, name) of every police force, by name."""
    rows = db.session.execute(select(PoliceForce.id, PoliceForce.name).order_by(PoliceForce.name))
    return [(force_id, name) for force_id, name in rows]


def bookings_on(session_id: int) -> list[Booking]:
    """Every booking on a session, oldest first, with the person."""
    return list(
        db.session.scalars(
            select(Booking)
            .options(joinedload(Booking.user))
            .where(Booking.session_id == session_id)
            .order_by(Booking.created_at)
        )
    )


def attendance_marks(booking_ids: list[int]) -> dict[int, AttendanceStatus]:
    """The attendance recorded for each of these bookings (none yet: not in the result)."""
    if not booking_ids:
        return {}
    return {
        record.booking_id: record.status
        for record in db.session.scalars(
            select(AttendanceRecord).where(AttendanceRecord.booking_id.in_(booking_ids))
        )
    }


def partner_force_names() -> list[tuple[int, str]]:
    """(id, name) of the forces that refer people to us, by name."""
    rows = db.session.execute(
        select(PoliceForce.id, PoliceForce.name)
        .where(PoliceForce.is_partner.is_(True))
        .order_by(PoliceForce.name)
    )
    return [(force_id, name) for force_id, name in rows]


def course_type_names() -> list[tuple[int, str]]:
    """(id, name) of every course type, by name."""
    rows = db.session.execute(select(CourseType.id, CourseType.name).order_by(CourseType.name))
    return [(course_type_id, name) for course_type_id, name in rows]


def active_venue_names() -> list[tuple[int, str]]:
    """(id, name) of the venues in use, by name."""
    rows = db.session.execute(
        select(Venue.id, Venue.name).where(Venue.is_active.is_(True)).order_by(Venue.name)
    )
    return [(venue_id, name) for venue_id, name in rows]


def force(force_id: int) -> PoliceForce | None:
    return db.session.get(PoliceForce, force_id)


def scheme(scheme_id: int) -> Scheme | None:
    return db.session.get(Scheme, scheme_id)


def series(series_id: int) -> SessionSeries | None:
    return db.session.get(SessionSeries, series_id)


def booking(booking_id: int) -> Booking | None:
    return db.session.get(Booking, booking_id)


def waiting_entry(entry_id: int) -> WaitingListEntry | None:
    return db.session.get(WaitingListEntry, entry_id)
