"""After the course: what to offer a person once their session is over.

Someone who completed a course is offered further support: the next sessions open to everyone
(peer support, family support) near where they went, or online, each bookable in one step.
Someone who did not attend is offered, calmly, another date of the same course. A referral's
missed session already gets its own offer (referrals/outcomes.py), so only bookings without a
referral get the rebooking message here.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import Booking, BookingStatus, CourseSession, CourseType, SessionStatus
from booking.services.bookings import seats
from booking.services.notify import messages

HOW_MANY = 3


# Courses for the people close to someone (family, partners, carers), by slug: after a course
# they are offered to the person to pass on, never booked for the person themselves.
FOR_FAMILY_AND_CARERS = ("family-support",)


@dataclass
class NextSteps:
    """What the booking page, the certificate and the message offer after the session."""

    kind: str = ""  # "support" (completed), "rebook" (did not attend) or "" (nothing to offer)
    sessions: list[CourseSession] = field(default_factory=list)
    # After a course: a course for the people close to the person (family and carers), to
    # pass on to them, not to book for themselves. None when there is none.
    to_pass_on: CourseType | None = None


def _near_or_online(booking: Booking):
    here = booking.session.force_id
    online = and_(CourseSession.is_online.is_(True), CourseSession.force_id.is_(None))
    return or_(CourseSession.force_id == here, online) if here is not None else online


def _upcoming(condition, booking: Booking, *, now: datetime) -> list[CourseSession]:
    """The next few open, mixed sessions matching ``condition`` near the person or online,
    with places left (one query for the sessions and one for the seats)."""
    candidates = db.session.scalars(
        select(CourseSession)
        .join(CourseSession.course_type)
        .options(joinedload(CourseSession.course_type), joinedload(CourseSession.venue))
        .where(
            condition,
            _near_or_online(booking),
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.starts_at > now,
            # Booked in one step: a women-only group asks its own question first.
            CourseSession.women_only.is_(False),
        )
        .order_by(CourseSession.starts_at, CourseSession.id)
        .limit(HOW_MANY * 3)
    ).all()
    taken = seats.seats_taken_by_session([s.id for s in candidates], now=now)
    return [s for s in candidates if s.capacity > taken.get(s.id, 0)][:HOW_MANY]


def _for_family() -> CourseType | None:
    return db.session.scalar(
        select(CourseType)
        .where(CourseType.slug.in_(FOR_FAMILY_AND_CARERS), CourseType.is_active.is_(True))
        .order_by(CourseType.id)
        .limit(1)
    )


def next_steps(booking: Booking, *, now: datetime) -> NextSteps:
    if booking.status == BookingStatus.ATTENDED:
        support = and_(
            CourseType.referral_required.is_(False),
            CourseType.slug.not_in(FOR_FAMILY_AND_CARERS),
            CourseType.id != booking.session.course_type_id,
        )
        return NextSteps("support", _upcoming(support, booking, now=now), to_pass_on=_for_family())
    if booking.status == BookingStatus.NO_SHOW and booking.referral_id is None:
        same_course = CourseSession.course_type_id == booking.session.course_type_id
        return NextSteps("rebook", _upcoming(same_course, booking, now=now))
    return NextSteps()


def after_session_closed(bookings: Sequence[Booking], *, now: datetime, base_url: str) -> int:
    """Queue the after-the-course message for each closed booking that has something to offer.
    Returns how many were queued (a person with no safe channel gets none)."""
    queued = 0
    for booking in bookings:
        steps = next_steps(booking, now=now)
        if steps.kind == "support":
            sent = messages.after_course(booking, steps.sessions, now=now, base_url=base_url)
        elif steps.kind == "rebook":
            sent = messages.missed_session(booking, steps.sessions, now=now, base_url=base_url)
        else:
            continue
        queued += sent is not None
    return queued
