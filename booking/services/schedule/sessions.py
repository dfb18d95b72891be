"""Admin scheduling: venues, course types, sessions and weekly series, and cancelling sessions."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.models import (
    ACTIVE_STATES,
    Booking,
    BookingStatus,
    CourseSession,
    CourseType,
    SessionSeries,
    SessionStatus,
    User,
    Venue,
)
from booking.services import audit, working_days
from booking.services.bookings import cancellation
from booking.services.bookings import seats as bookings
from booking.services.bookings.ending_policy import EndingPolicy
from booking.services.clock import LONDON
from booking.services.errors import ScheduleError
from booking.services.locks import lock_sessions
from booking.services.schedule import changes
from booking.services.trainers import staffing

MAX_SERIES_SESSIONS = 60


@dataclass
class SessionDetails:
    """What an admin says about a session; times are UK local wall-clock times."""

    course_type_id: int
    venue_id: int | None
    is_online: bool
    online_join_url: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    women_only: bool
    notes: str = ""


def _check(details: SessionDetails) -> None:
    if details.ends_at <= details.starts_at:
        raise ScheduleError("invalid_dates")
    if not details.is_online and details.venue_id is None:
        raise ScheduleError("venue_required")


def _apply(course_session: CourseSession, details: SessionDetails) -> None:
    venue = db.session.get(Venue, details.venue_id) if details.venue_id else None
    course_session.course_type_id = details.course_type_id
    course_session.is_online = details.is_online
    course_session.venue_id = None if details.is_online else details.venue_id
    course_session.force_id = None if details.is_online or venue is None else venue.force_id
    course_session.online_join_url = details.online_join_url if details.is_online else ""
    course_session.starts_at = details.starts_at
    course_session.ends_at = details.ends_at
    course_session.capacity = details.capacity
    course_session.women_only = details.women_only
    course_session.notes = details.notes


def create_session(
    details: SessionDetails, *, by: User, now: datetime, series=None
) -> CourseSession:
    """Schedule one session. Raises ScheduleError for impossible times or a missing venue."""
    _check(details)
    course_session = CourseSession(status=SessionStatus.SCHEDULED, created_at=now, series=series)
    _apply(course_session, details)
    db.session.add(course_session)
    db.session.flush()
    audit.record("session.created", "session", course_session.id, actor=by, now=now)
    return course_session


def update_session(
    session_id: int,
    details: SessionDetails,
    *,
    by: User,
    now: datetime,
    base_url: str = "",
    tell: bool = True,
) -> changes.SessionChange:
    """Change a session. Capacity can never drop below the seats already taken (under a lock);
    it cannot move into the past or more than two years ahead. The trainer rules are checked
    again and a moved session's people and trainers are told (schedule/changes.py). Raises
    ScheduleError: session_cancelled, session_delivered, capacity_below_bookings,
    session_in_past, session_too_far_ahead. Without ``tell`` the caller tells people (see
    changes.after_change)."""
    _check(details)
    course_session = _locked_session(session_id)
    if course_session.status == SessionStatus.CANCELLED:
        raise ScheduleError("session_cancelled")
    if course_session.status == SessionStatus.DELIVERED:
        raise ScheduleError("session_delivered")
    changes.check_new_time(course_session, details.starts_at, now=now)
    if details.capacity < bookings.seats_taken(session_id, now=now):
        raise ScheduleError("capacity_below_bookings")
    before = changes.where_and_when(course_session)
    _apply(course_session, details)
    moved = changes.where_and_when(course_session) != before
    audit.record("session.updated", "session", session_id, actor=by, now=now, moved=moved)
    return changes.after_change(
        course_session, moved=moved, by=by, now=now, base_url=base_url, tell=tell
    )


def create_weekly_series(
    details: SessionDetails, *, last_date: date, by: User, now: datetime
) -> list[CourseSession]:
    """Repeat a session every week on the same weekday and local time, up to ``last_date``,
    leaving out the bank holidays of the venue's area (nobody staffs a room on 25 December).

    Local wall-clock time is kept across the clock change (10am stays 10am in BST and GMT).
    Raises ScheduleError for a range that ends before it starts or has over 60 sessions.
    """
    first_start = details.starts_at.astimezone(LONDON)
    first_end = details.ends_at.astimezone(LONDON)
    if last_date < first_start.date():
        raise ScheduleError("invalid_range")
    weeks = (last_date - first_start.date()).days // 7 + 1
    if weeks > MAX_SERIES_SESSIONS:
        raise ScheduleError("too_many_sessions")
    _check(details)
    series = SessionSeries(title="", created_at=now)
    db.session.add(series)
    region = _region_of_venue(details.venue_id)
    created = []
    for week in range(weeks):
        day = first_start.date() + timedelta(weeks=week)
        if working_days.is_bank_holiday(day, region):
            continue
        starts_at = datetime.combine(day, first_start.time(), tzinfo=LONDON)
        ends_at = datetime.combine(
            day + (first_end.date() - first_start.date()), first_end.time(), tzinfo=LONDON
        )
        occurrence = SessionDetails(
            **{**details.__dict__, "starts_at": starts_at, "ends_at": ends_at}
        )
        created.append(create_session(occurrence, by=by, now=now, series=series))
    return created


def _region_of_venue(venue_id: int | None) -> str:
    venue = db.session.get(Venue, venue_id) if venue_id else None
    force = venue.force if venue is not None else None
    return working_days.region_for_country(force.country if force is not None else None)


def cancel_session(
    session_id: int,
    *,
    by: User,
    now: datetime,
    reason: str,
    policy: EndingPolicy,
    endings: list[cancellation.Ending] | None = None,
    trainers_later: list | None = None,
) -> int:
    """Cancel a session and end every active booking on it (cancellation.end_booking: card
    payments refunded in full, help from the fund given back, a message that says so), and
    tell its trainers.

    Returns how many bookings were ended. With ``endings`` (a list) each ending is added to
    it, for a caller cancelling several sessions at once to tell each person once; with
    ``trainers_later`` the trainers are listed there rather than told. Raises ScheduleError
    for an unknown or cancelled session.
    """
    course_session = _locked_session(session_id)
    if course_session.status == SessionStatus.CANCELLED:
        raise ScheduleError("session_cancelled")
    course_session.status = SessionStatus.CANCELLED
    audit.record("session.cancelled", "session", session_id, actor=by, now=now, reason=reason)
    affected = db.session.scalars(
        select(Booking)
        .where(
            Booking.session_id == session_id,
            Booking.status.in_(ACTIVE_STATES),
            Booking.status.not_in([BookingStatus.ATTENDED, BookingStatus.NO_SHOW]),
        )
        .order_by(Booking.id)
    ).all()
    for booking in affected:
        ending = cancellation.end_booking(
            booking,
            reason="session_cancelled",
            by=by,
            now=now,
            policy=policy,
        )
        if endings is not None:
            endings.append(ending)
    staffing.tell_trainers_cancelled(course_session, now=now, told_later=trainers_later)
    return len(affected)


def _locked_session(session_id: int) -> CourseSession:
    """The session, locked; ScheduleError("session_not_found") when there is no such session."""
    rows = lock_sessions(session_id)
    if not rows:
        raise ScheduleError("session_not_found")
    return rows[0]


def save_venue(venue: Venue | None, fields: dict, *, by: User, now: datetime) -> Venue:
    """Create a venue (``venue`` None) or change one."""
    created = venue is None
    venue = venue or Venue()
    for name, value in fields.items():
        setattr(venue, name, value)
    db.session.add(venue)
    db.session.flush()
    audit.record(
        "venue.created" if created else "venue.updated", "venue", venue.id, actor=by, now=now
    )
    return venue


def save_course_type(
    course_type: CourseType | None, fields: dict, *, by: User, now: datetime
) -> CourseType:
    """Create a course type (``course_type`` None) or change one."""
    created = course_type is None
    course_type = course_type or CourseType()
    for name, value in fields.items():
        setattr(course_type, name, value)
    db.session.add(course_type)
    db.session.flush()
    audit.record(
        "course_type.created" if created else "course_type.updated",
        "course_type",
        course_type.id,
        actor=by,
        now=now,
    )
    return course_type


def local_datetime(day: date, clock: time) -> datetime:
    """A UK wall-clock date and time as an aware datetime."""
    return datetime.combine(day, clock, tzinfo=LONDON)
