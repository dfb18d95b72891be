"""Which referral a seat serves, and why a session does not fit one.

Used by the placement function only, so every way of taking a seat (catalogue, referral,
waiting list, reschedule, staff) answers the same question the same way.
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, exists, select

from booking.extensions import db
from booking.models import Booking, CourseSession, Referral, ReferralStatus, User
from booking.models.bookings import REFERRAL_LIVE_STATES
from booking.services.clock import LONDON
from booking.services.errors import ReferralError
from booking.services.locks import relock

BOOKABLE_STATES = (ReferralStatus.OPEN, ReferralStatus.BOOKED)


def deadline_moment(referral: Referral) -> datetime:
    """The end of the deadline day, London time, as aware UTC."""
    return datetime.combine(referral.deadline + timedelta(days=1), time(0), LONDON).astimezone(UTC)


def active_booking(referral: Referral) -> Booking | None:
    """The referral's live booking; a missed session does not count (the person may rebook)."""
    return db.session.scalar(
        select(Booking).where(
            Booking.referral_id == referral.id, Booking.status.in_(REFERRAL_LIVE_STATES)
        )
    )


def bookable_referrals(person: User) -> list[Referral]:
    """The person's referrals that can still be booked, newest first."""
    return list(
        db.session.scalars(
            select(Referral)
            .where(Referral.user_id == person.id, Referral.status.in_(BOOKABLE_STATES))
            .order_by(Referral.id.desc())
        )
    )


def fitting_referral_exists(user_id, course_type_id) -> ColumnElement[bool]:
    """SQL: whether the person has a bookable referral for the course type, i.e. whether
    ``referral_for_seat`` has any to look at. Read with the placement's other checks, so a
    person without one (most catalogue bookings) costs no query for their referrals."""
    return exists().where(
        Referral.user_id == user_id,
        Referral.status.in_(BOOKABLE_STATES),
        Referral.course_type_id == course_type_id,
    )


def why_not(
    referral: Referral, course_session: CourseSession, *, replacing: Booking | None = None
) -> str | None:
    """The error code saying why ``course_session`` cannot serve ``referral``, or None.

    ``replacing`` is the booking a reschedule lets go of: its place does not count as taken.
    """
    if referral.status not in BOOKABLE_STATES:
        return "referral_closed"
    if referral.course_type_id != course_session.course_type_id:
        return "referral_course_type"
    # A session serves its force's area (and online ones serve every area).
    if not course_session.is_online and course_session.force_id != referral.force_id:
        return "referral_area"
    if course_session.ends_at > deadline_moment(referral):
        return "referral_deadline"
    current = active_booking(referral)
    if current is not None and (replacing is None or current.id != replacing.id):
        return "referral_already_booked"
    return None


def referral_for_seat(
    person: User,
    course_session: CourseSession,
    *,
    referral: Referral | None,
    replacing: Booking | None = None,
    lock: bool = True,
    none_fitting: bool = False,
    bookable: list[Referral] | None = None,
) -> Referral | None:
    """The referral a new seat on ``course_session`` serves, locked, or None for a seat that
    serves none. Call with the session locked.

    A named referral must be the person's and fit. Otherwise a person with a bookable referral
    for this course type is booked against it (a second place, or one past the deadline, is
    refused with the reason); a course type that needs a referral is refused to anyone without
    a fitting one. Raises ReferralError "referral_not_found", "referral_closed",
    "referral_course_type", "referral_area", "referral_deadline", "referral_already_booked",
    "referral_required". With ``lock=False`` (to show a page, not to book) nothing is locked.
    ``none_fitting`` says the caller has already read (``fitting_referral_exists``) that the
    person has no bookable referral for this course type, so none is looked up; ``bookable``
    passes the person's ``bookable_referrals`` when the caller has read them already.
    """
    if referral is not None:
        if referral.user_id != person.id:
            raise ReferralError("referral_not_found")
        candidates = [referral]
    elif none_fitting:
        candidates = []
    else:
        candidates = [
            row
            for row in (bookable_referrals(person) if bookable is None else bookable)
            if row.course_type_id == course_session.course_type_id
        ]
    if not candidates:
        if course_session.course_type.referral_required:
            raise ReferralError("referral_required")
        return None
    first_reason: str | None = None
    for candidate in candidates:
        if lock:
            # Lock the referral row so two seats can never be taken for it at once.
            relock(candidate)
        reason = why_not(candidate, course_session, replacing=replacing)
        if reason is None:
            return candidate
        first_reason = first_reason or reason
    raise ReferralError(first_reason or "referral_closed")


def why_session_does_not_fit(
    person: User, course_session: CourseSession, *, bookable: list[Referral] | None = None
) -> str | None:
    """The error code a booking of ``course_session`` by ``person`` would meet from the
    referral rule, or None; read only, for telling the person before they try."""
    try:
        referral_for_seat(person, course_session, referral=None, lock=False, bookable=bookable)
    except ReferralError as error:
        return error.code
    return None
