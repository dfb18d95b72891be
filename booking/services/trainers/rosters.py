"""What a trainer may see about the people on their sessions, and attendance.

Privacy: a roster shows a first name (or the name the person asked to be
called) and only the needs that affect the session: access, interpreter. Whether the session is
a women-only group is shown once, for the session. Never
surnames, emails, police references, payments or waivers.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    AttendanceRecord,
    AttendanceStatus,
    AttendeeProfile,
    Booking,
    BookingStatus,
    CourseSession,
    SessionAssignment,
    SessionStatus,
    TrainerProfile,
    User,
)
from booking.services import audit
from booking.services.bookings import seats as bookings
from booking.services.errors import DomainError
from booking.services.referrals import outcomes

ROSTER_STATES = (BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


class AttendanceError(DomainError):
    http_status = 400


@dataclass(frozen=True)
class RosterLine:
    booking_id: int
    name: str
    needs: tuple[str, ...]
    attendance: AttendanceStatus | None


def needs_for_session(profile: AttendeeProfile | None, session: CourseSession) -> tuple[str, ...]:
    """Only the person's own needs that change how the session is run."""
    if profile is None:
        return ()
    needs = []
    if profile.needs_step_free:
        needs.append("Step-free access")
    if profile.needs_hearing_loop:
        needs.append("Hearing loop")
    if profile.needs_large_print:
        needs.append("Large print")
    if profile.needs_bsl_interpreter:
        needs.append("BSL interpreter")
    if profile.interpreter_language:
        needs.append(f"Interpreter: {profile.interpreter_language}")
    # A women-only group is a fact about the session, shown once at the top of the roster; as
    # a line on every person it would read as each woman's own need.
    return tuple(needs)


def trainer_session(trainer: TrainerProfile, session_id: int) -> CourseSession | None:
    """The session, only if this trainer is assigned to it (else None: the route answers 404)."""
    return db.session.scalars(
        select(CourseSession)
        .join(SessionAssignment, SessionAssignment.session_id == CourseSession.id)
        .options(joinedload(CourseSession.course_type), joinedload(CourseSession.venue))
        .where(CourseSession.id == session_id, SessionAssignment.trainer_id == trainer.id)
    ).first()


def roster(session: CourseSession, *, viewer: User, now: datetime) -> list[RosterLine]:
    """The need-to-know roster for a session; the viewing is audited."""
    rows = db.session.execute(
        select(Booking, AttendeeProfile, AttendanceRecord)
        .join(User, User.id == Booking.user_id)
        .outerjoin(AttendeeProfile, AttendeeProfile.user_id == Booking.user_id)
        .outerjoin(AttendanceRecord, AttendanceRecord.booking_id == Booking.id)
        .options(joinedload(Booking.user))
        .where(Booking.session_id == session.id, Booking.status.in_(ROSTER_STATES))
        .order_by(User.first_name, Booking.id)
    ).all()
    audit.record("roster.viewed", "course_session", session.id, actor=viewer, now=now)
    return [
        RosterLine(
            booking_id=booking.id,
            name=(profile.preferred_name if profile and profile.preferred_name else None)
            or booking.user.first_name,
            needs=needs_for_session(profile, session),
            attendance=record.status if record else None,
        )
        for booking, profile, record in rows
    ]


def mark_attendance(
    session: CourseSession,
    marks: dict[int, AttendanceStatus],
    *,
    by: User,
    now: datetime,
) -> int:
    """Record attended / left early / did not attend for bookings on this session, from its
    start until it is closed. Marks for bookings not on the roster are ignored. Raises
    AttendanceError("attendance_too_early") or ("session_closed")."""
    check_attendance_open(session, now=now)
    on_roster = {
        b.id: b
        for b in db.session.scalars(
            select(Booking).where(
                Booking.session_id == session.id, Booking.status == BookingStatus.CONFIRMED
            )
        )
    }
    existing = {
        r.booking_id: r
        for r in db.session.scalars(
            select(AttendanceRecord).where(AttendanceRecord.booking_id.in_(list(on_roster)))
        )
    }
    count = 0
    for booking_id, status in marks.items():
        if booking_id not in on_roster:
            continue
        record = existing.get(booking_id)
        if record is None:
            record = AttendanceRecord(booking_id=booking_id, status=status, marked_by_id=by.id)
            db.session.add(record)
        record.status = status
        record.marked_by_id = by.id
        record.marked_at = now
        count += 1
    db.session.flush()
    audit.record("attendance.marked", "course_session", session.id, actor=by, now=now, count=count)
    return count


def check_attendance_open(session: CourseSession, *, now: datetime) -> None:
    """Attendance is recorded from the session's start until it is closed (a mark made days
    early would be a guess). Raises AttendanceError("session_closed"), ("session_cancelled")
    or ("attendance_too_early")."""
    if session.status == SessionStatus.DELIVERED:
        raise AttendanceError("session_closed")
    if session.status == SessionStatus.CANCELLED:
        raise AttendanceError("session_cancelled")
    if session.starts_at > now:
        raise AttendanceError("attendance_too_early")


def close_session(session: CourseSession, *, by: User, now: datetime, base_url: str = "") -> int:
    """Close a delivered session: every confirmed booking must be marked; attended bookings
    become ATTENDED (the person gets a certificate), others NO_SHOW; the session becomes
    DELIVERED, and each referral on it moves at once (referrals/outcomes.py). Raises
    AttendanceError: session_closed, session_not_started, not_all_marked."""
    if session.status == SessionStatus.DELIVERED:
        raise AttendanceError("session_closed")
    if session.starts_at > now:
        raise AttendanceError("session_not_started")
    confirmed = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.CONFIRMED)
        .with_for_update()
    ).all()
    records = {
        r.booking_id: r
        for r in db.session.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.booking_id.in_([b.id for b in confirmed])
            )
        )
    }
    if any(b.id not in records for b in confirmed):
        raise AttendanceError("not_all_marked")
    attended = 0
    for booking in confirmed:
        did_attend = records[booking.id].status == AttendanceStatus.ATTENDED
        bookings.record_attendance(booking, attended=did_attend, by=by, now=now)
        attended += did_attend
    session.status = SessionStatus.DELIVERED
    db.session.flush()
    audit.record("session.delivered", "course_session", session.id, actor=by, now=now)
    outcomes.session_closed(confirmed, by=by, now=now, base_url=base_url)
    return attended


def correct_attendance(
    session: CourseSession,
    booking_id: int,
    status: AttendanceStatus,
    *,
    reason: str,
    by: User,
    now: datetime,
    base_url: str = "",
) -> Booking:
    """Staff correct one person's attendance on a closed session, with a reason (audited).
    The booking (and so the certificate) and the referral follow: attended completes it;
    otherwise it reopens, or is not completed once the deadline has passed. Raises
    AttendanceError: session_not_closed, reason_required, not_on_session."""
    if session.status != SessionStatus.DELIVERED:
        raise AttendanceError("session_not_closed")
    reason = (reason or "").strip()
    if not reason:
        raise AttendanceError("reason_required")
    booking = db.session.scalars(
        select(Booking)
        .where(
            Booking.id == booking_id,
            Booking.session_id == session.id,
            Booking.status.in_((BookingStatus.ATTENDED, BookingStatus.NO_SHOW)),
        )
        .with_for_update()
    ).first()
    if booking is None:
        raise AttendanceError("not_on_session")
    record = db.session.scalar(
        select(AttendanceRecord).where(AttendanceRecord.booking_id == booking.id)
    )
    previous = record.status if record else None
    if record is None:
        record = AttendanceRecord(booking_id=booking.id, status=status, marked_by_id=by.id)
        db.session.add(record)
    record.status, record.marked_by_id, record.marked_at = status, by.id, now
    did_attend = status == AttendanceStatus.ATTENDED
    outcome_changed = did_attend != (booking.status == BookingStatus.ATTENDED)
    if outcome_changed:
        bookings.record_attendance(booking, attended=did_attend, by=by, now=now)
    db.session.flush()
    audit.record(
        "attendance.corrected",
        "booking",
        booking.id,
        actor=by,
        now=now,
        previous=previous.value if previous else None,
        status=status.value,
        reason=reason[:500],
    )
    if outcome_changed:  # "left early" for "did not attend" changes nothing for the referral
        outcomes.apply_attendance(booking, by=by, now=now, base_url=base_url, reason=reason[:500])
    return booking
