"""Which sessions fit a person: the list staff choose from when booking or moving them.

The same rule the placement function applies after the choice (see eligibility), read before
it, so the list offers only what would be accepted: a session of the course in a referral the
person can still book, in its area or online, ending by its deadline; a course that needs no
referral for someone without one for that course; women-only groups only for someone who asked
for one; not started, with places left, and not one the person already has a place on.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    ACTIVE_STATES,
    Booking,
    CourseSession,
    CourseType,
    Referral,
    SessionStatus,
    User,
)
from booking.models.bookings import REFERRAL_LIVE_STATES
from booking.services.bookings import eligibility
from booking.services.bookings import seats as bookings
from booking.services.notify import channels

MAX_CHOICES = 60


@dataclass(frozen=True)
class FittingSession:
    session: CourseSession
    places_left: int


def serves_referral(referral: Referral) -> ColumnElement[bool]:
    """SQL: a session that can serve ``referral``: its course, in its force's area or online,
    ending by the end of its deadline day."""
    return and_(
        CourseSession.course_type_id == referral.course_type_id,
        or_(CourseSession.is_online.is_(True), CourseSession.force_id == referral.force_id),
        CourseSession.ends_at <= eligibility.deadline_moment(referral),
    )


def women_only_allowed(wants_women_only: bool) -> list[ColumnElement[bool]]:
    """SQL conditions: women-only groups are offered only to someone who asked for one."""
    return [] if wants_women_only else [CourseSession.women_only.is_(False)]


def _referrals_still_to_book(person: User) -> tuple[list[Referral], set[int]]:
    """The person's bookable referrals without a live booking, and the course types of all
    their bookable referrals (a course with one is booked against it, never without)."""
    referrals = eligibility.bookable_referrals(person)
    if not referrals:
        return [], set()
    live = set(
        db.session.scalars(
            select(Booking.referral_id).where(
                Booking.referral_id.in_([r.id for r in referrals]),
                Booking.status.in_(REFERRAL_LIVE_STATES),
            )
        )
    )
    return [r for r in referrals if r.id not in live], {r.course_type_id for r in referrals}


def _asked_for_women_only(person: User) -> bool:
    profile = channels.profile_for(person)
    return bool(profile and profile.prefers_women_only)


def sessions_that_fit(person: User, *, now: datetime) -> list[FittingSession]:
    """Sessions staff may book for ``person`` now, soonest first, at most MAX_CHOICES, in a
    fixed number of queries whatever the schedule's size."""
    to_book, referral_courses = _referrals_still_to_book(person)
    without_referral = and_(
        CourseType.referral_required.is_(False),
        CourseSession.course_type_id.not_in(referral_courses) if referral_courses else true(),
    )
    already = (
        select(Booking.session_id)
        .where(Booking.user_id == person.id, Booking.status.in_(ACTIVE_STATES))
        .scalar_subquery()
    )
    candidates = db.session.scalars(
        select(CourseSession)
        .join(CourseType, CourseType.id == CourseSession.course_type_id)
        .options(joinedload(CourseSession.venue), joinedload(CourseSession.course_type))
        .where(
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.starts_at > now,
            CourseSession.id.not_in(already),
            or_(without_referral, *(serves_referral(r) for r in to_book)),
            *women_only_allowed(_asked_for_women_only(person)),
        )
        .order_by(CourseSession.starts_at, CourseSession.id)
        .limit(MAX_CHOICES * 3)
    ).all()
    taken = bookings.seats_taken_by_session([s.id for s in candidates], now=now)
    fitting = []
    for candidate in candidates:
        left = candidate.capacity - taken.get(candidate.id, 0)
        if left > 0:
            fitting.append(FittingSession(session=candidate, places_left=left))
        if len(fitting) == MAX_CHOICES:
            break
    return fitting
