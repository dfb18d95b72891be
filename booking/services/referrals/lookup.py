"""Booking by police reference: find a referral, show sessions that fit, book one.

A look-up that fails for any reason answers the same way, so nobody can learn which of the
reference, surname or date of birth was wrong.
"""

import secrets
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    AttendeeProfile,
    Booking,
    CourseSession,
    Referral,
    Role,
    SessionStatus,
    User,
)
from booking.services import audit
from booking.services.bookings import confirmation
from booking.services.bookings.eligibility import (  # noqa: F401 (re-exported for callers)
    BOOKABLE_STATES,
    active_booking,
    deadline_moment,
)
from booking.services.errors import ReferralError


def normalise_reference(reference: str) -> str:
    return "".join(reference.split()).upper()


def find_referral(reference: str, surname: str, date_of_birth: date | None) -> Referral | None:
    """The bookable referral matching all three details, or None for any mismatch."""
    if not reference or not surname or date_of_birth is None:
        return None
    candidates = db.session.scalars(
        select(Referral).where(Referral.police_reference == normalise_reference(reference))
    ).all()
    wanted = surname.strip().casefold()
    for referral in candidates:
        if (
            referral.last_name.strip().casefold() == wanted
            and referral.date_of_birth == date_of_birth
            and referral.status in BOOKABLE_STATES
        ):
            return referral
    return None


def referral_for_person(person: User) -> Referral | None:
    """The person's most recent bookable referral."""
    return db.session.scalar(
        select(Referral)
        .where(Referral.user_id == person.id, Referral.status.in_(BOOKABLE_STATES))
        .order_by(Referral.id.desc())
        .limit(1)
    )


def _wants_women_only(referral: Referral) -> bool:
    if referral.user_id is None:
        return False
    return bool(
        db.session.scalar(
            select(AttendeeProfile.prefers_women_only).where(
                AttendeeProfile.user_id == referral.user_id
            )
        )
    )


def _fits_condition(referral: Referral, now: datetime):
    # Women-only groups are offered to people who said they want one.
    women_only = () if _wants_women_only(referral) else (CourseSession.women_only.is_(False),)
    return (
        *women_only,
        CourseSession.course_type_id == referral.course_type_id,
        CourseSession.status == SessionStatus.SCHEDULED,
        CourseSession.starts_at > now,
        CourseSession.ends_at <= deadline_moment(referral),
        or_(CourseSession.force_id == referral.force_id, CourseSession.is_online.is_(True)),
    )


def eligible_sessions(referral: Referral, *, now: datetime) -> list[CourseSession]:
    """Sessions that fit: the referral's course type, in the force's area or online, ending by
    the deadline, not yet started, women-only groups only for those who asked. Two queries,
    whatever the number of sessions."""
    return list(
        db.session.scalars(
            select(CourseSession)
            .options(joinedload(CourseSession.venue), joinedload(CourseSession.course_type))
            .where(*_fits_condition(referral, now))
            .order_by(CourseSession.starts_at, CourseSession.id)
        )
    )


def attendee_for_referral(referral: Referral, *, now: datetime) -> User:
    """The attendee account for a referral, created on first use with an unusable password.

    A contact email already used by another account is not reused (it may be someone else's);
    the new account then gets a placeholder address that can never receive mail.
    """
    if referral.user is not None:
        return referral.user
    email = (referral.contact_email or "").strip().lower()
    taken = email and db.session.scalar(select(User.id).where(func.lower(User.email) == email))
    if not email or taken:
        email = f"referral-{referral.id}-{secrets.token_hex(6)}@no-email.invalid"
    person = User(
        email=email,
        role=Role.ATTENDEE,
        first_name=referral.first_name,
        last_name=referral.last_name,
        created_at=now,
    )
    person.set_unusable_password()  # nobody knows it: no memory test at sign-in
    db.session.add(person)
    db.session.flush()
    db.session.add(AttendeeProfile(user_id=person.id, updated_at=now))
    referral.user_id = person.id
    db.session.flush()
    audit.record("referral.account_created", "referral", referral.id, actor=None, now=now)
    return person


def book_for_referral(
    referral_id: int,
    session_id: int,
    person: User,
    *,
    now: datetime,
    hold_minutes: int,
    base_url: str,
    women_only_confirmed: bool = False,
) -> Booking:
    """Book a session for a referral through the one placement function.

    Raises ReferralError "referral_not_found" and whatever ``bookings.place_booking`` raises
    ("referral_closed", "referral_deadline", "referral_already_booked", "full", ...).
    """
    referral = db.session.get(Referral, referral_id)
    if referral is None or referral.user_id != person.id:
        raise ReferralError("referral_not_found")
    booking = confirmation.place_and_tell(
        session_id,
        person,
        now=now,
        referral=referral,
        women_only_confirmed=women_only_confirmed,
        hold_minutes=hold_minutes,
        source="referral",
        base_url=base_url,
    )
    return booking
