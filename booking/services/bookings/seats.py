"""Taking a seat: the one placement function, and how many seats a session has left.

Every route that takes a seat (catalogue, referral, waiting-list claim, reschedule, staff acting
for a person) calls ``place_booking``, so each rule is written once. The seat count is decided
under the session lock. A booking's states and moves live in states.py (re-exported here).
"""

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import ColumnElement, DateTime, Integer, and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from booking.extensions import db
from booking.models import (
    ACTIVE_STATES,
    EXPIRING_STATES,
    SEAT_STATES,
    Booking,
    BookingStatus,
    CourseSession,
    CourseType,
    Referral,
    ReferralStatus,
    SessionStatus,
    User,
    Venue,
    WaitingListEntry,
    WaitingStatus,
)
from booking.services import audit
from booking.services.bookings import eligibility
from booking.services.bookings.states import (  # noqa: F401 (re-exported for callers)
    confirm,
    mark_cancelled,
    record_attendance,
    transition,
)
from booking.services.errors import BookingError, ReferralError
from booking.services.locks import lock_sessions, relock
from booking.services.money import fees
from booking.services.referrals import states as referral_states

DEFAULT_HOLD_MINUTES = 30
SOURCES = ("catalogue", "referral", "waitlist", "reschedule", "staff")
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


# A moment in SQL: a datetime, or a bound parameter given one when a prepared statement runs.
Moment = datetime | ColumnElement[datetime]


def seat_holding_condition(now: Moment):
    """SQL condition for a booking that takes a seat at ``now``."""
    return or_(
        Booking.status.in_(SEAT_STATES),
        and_(Booking.status.in_(EXPIRING_STATES), Booking.hold_expires_at > now),
    )


def open_offer_condition(now: Moment):
    """SQL condition for a waiting-list offer that still holds a seat at ``now``."""
    return and_(
        WaitingListEntry.status == WaitingStatus.OFFERED, WaitingListEntry.offer_expires_at > now
    )


def _seats_taken_sql(session_id, now: Moment) -> ColumnElement[int]:
    """Seats taken of one session as one SQL expression: seat-holding bookings plus open
    waiting-list offers. ``session_id`` is a value, or a column to correlate with."""
    booked = (
        select(func.count(Booking.id))
        .where(Booking.session_id == session_id, seat_holding_condition(now))
        .scalar_subquery()
    )
    offered = (
        select(func.count(WaitingListEntry.id))
        .where(WaitingListEntry.session_id == session_id, open_offer_condition(now))
        .scalar_subquery()
    )
    return booked + offered


def seats_taken_column(now: Moment) -> ColumnElement[int]:
    """Seats taken, as a column of a query over course sessions: list pages and the session
    page read places left in the same round trip as the sessions themselves."""
    return _seats_taken_sql(CourseSession.id, now)


def seats_taken(session_id: int, *, now: datetime) -> int:
    """How many seats of one session are taken: confirmed, awaiting a decision, held, or
    offered to someone on the waiting list (an open offer counts until it lapses)."""
    return db.session.execute(select(_seats_taken_sql(session_id, now))).scalar_one()


def seats_taken_by_session(session_ids: list[int], *, now: datetime) -> dict[int, int]:
    """Seats taken for many sessions in one query, for list pages."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(CourseSession.id, seats_taken_column(now)).where(CourseSession.id.in_(session_ids))
    ).all()
    return {session_id: count for session_id, count in rows}


def places_left(course_session: CourseSession, *, now: datetime) -> int:
    return max(course_session.capacity - seats_taken(course_session.id, now=now), 0)


def fee_for_person(
    course_session: CourseSession, person: User, *, bookable: list[Referral] | None = None
) -> int:
    """The fee ``place_booking`` would charge this person: the one fee rule, with the scheme of
    the referral the seat would serve (for showing the cost before booking). ``bookable``: the
    person's ``eligibility.bookable_referrals``, when the caller has read them already."""
    fitting = [
        referral
        for referral in (eligibility.bookable_referrals(person) if bookable is None else bookable)
        if referral.course_type_id == course_session.course_type_id
    ]
    return fees.fee_for(course_session, fitting[0].scheme if fitting else None)


def new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def place_booking(
    session_id: int,
    person: User,
    *,
    now: datetime,
    by: User | None = None,
    referral: Referral | None = None,
    women_only_confirmed: bool = False,
    hold_minutes: int = DEFAULT_HOLD_MINUTES,
    source: str = "catalogue",
    offer: WaitingListEntry | None = None,
    replacing: Booking | None = None,
    release: Callable[[Booking], object] | None = None,
    settle: bool = True,
) -> Booking:
    """The one way to take a seat, whatever the route (``source``, one of SOURCES).

     Under the session lock it decides, in this order: the session is open and not started;
     the person has no other active place on it; a women-only group is confirmed by the person
    ; the seat serves a fitting referral when the person has one for this course type,
     and a referral-only course needs one (see eligibility); a place is free, where an
     ``offer`` made to this person from the waiting list is their place. The fee is the one fee
     rule (the referral's scheme can override the course type's fee).

     The booking is linked to its referral (now "booked"). A reschedule passes the booking it is
     ``replacing`` and a ``release`` that lets the old seat go once the new one is taken, in the
     same transaction: the new booking is linked to the old, and takes over its referral.
     With ``settle`` a £0 fee confirms at once and any other fee awaits payment; without it the
     seat is left held for the caller (a reschedule settles the money it carries over).
     Raises BookingError "session_not_open", "session_started", "already_booked",
     "women_only_unconfirmed", "full", "busy", "offer_gone", "offer_expired", and the
     ReferralError codes of ``eligibility.referral_for_seat``.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown booking source {source!r}")
    course_session = _lock_open_session(session_id, now=now)
    if offer is not None:
        _check_offer(offer, course_session, person, now=now)
        referral = referral or (
            db.session.get(Referral, offer.referral_id) if offer.referral_id else None
        )
    # Nothing else can change this session's bookings while we hold its lock, so whether the
    # person already has a place and how many seats are taken are read in one round trip
    # (with an offer, the count is read after the offer is claimed, below).
    already_booked, taken, any_fitting = _place_check(course_session, person, now=now)
    if already_booked:
        raise BookingError("already_booked")
    if course_session.women_only and not women_only_confirmed:
        raise BookingError("women_only_unconfirmed")
    served = eligibility.referral_for_seat(
        person,
        course_session,
        referral=referral,
        replacing=replacing,
        none_fitting=not any_fitting,
    )
    if offer is not None:
        # The offer held this seat for this person: closing it frees the seat for them.
        offer.status = WaitingStatus.CLAIMED
        db.session.flush()
        taken = seats_taken(course_session.id, now=now)
    if taken >= course_session.capacity:
        raise BookingError("full")

    booking = Booking(
        reference=new_reference(),
        session_id=course_session.id,
        # Kept on the booking, so what comes next (the confirmation message) need not load
        # the session again.
        session=course_session,
        user_id=person.id,
        status=BookingStatus.HELD,
        fee_pence=fees.fee_for(course_session, served.scheme if served else None),
        hold_expires_at=now + timedelta(minutes=hold_minutes),
        created_at=now,
        # The old booking still holds the referral until it is released (one active per referral).
        referral_id=served.id if served and release is None else None,
        rescheduled_from_id=replacing.id if replacing else None,
    )
    actor = by or person
    audit.record_about("booking.held", "booking", booking, actor=actor, now=now, source=source)
    if settle:
        _settle_before_writing(booking, actor=actor, now=now)
    try:
        _write_new_booking(booking, served)
    except (BookingError, ReferralError):
        audit.forget_about(booking)
        raise
    if release is not None:
        release(booking)
        if served is not None:
            booking.referral_id = served.id
            db.session.flush()
    if served is not None:
        _mark_referral_booked(served, actor=actor, now=now)
    if offer is not None:
        audit.record("waitlist.claimed", "waiting_list_entry", offer.id, actor=actor, now=now)
    return booking


def _lock_open_session(session_id: int, *, now: datetime) -> CourseSession:
    """The session, locked, if it still takes bookings."""
    (course_session,) = lock_sessions(session_id) or (None,)
    if course_session is None or course_session.status != SessionStatus.SCHEDULED:
        raise BookingError("session_not_open")
    if course_session.starts_at <= now:
        raise BookingError("session_started")
    return course_session


def _settle_before_writing(booking: Booking, *, actor: User, now: datetime) -> None:
    # Settled before it is first written: one INSERT in its final state, not an INSERT and
    # an UPDATE. Its audit events (held, then the move) are written with it.
    if booking.fee_pence == 0:
        confirm(booking, by=actor, now=now, via="no_fee")
    else:
        transition(booking, BookingStatus.AWAITING_PAYMENT, by=actor, now=now)


def _mark_referral_booked(served: Referral, *, actor: User, now: datetime) -> None:
    if served.status == ReferralStatus.BOOKED:
        # Already booked (a lapsed hold, or the booking this one replaces): it stays so.
        audit.record("referral.booked", "referral", served.id, actor=actor, now=now)
    else:
        referral_states.transition(served, ReferralStatus.BOOKED, by=actor, now=now)


def _write_new_booking(booking: Booking, served: Referral | None) -> None:
    """Insert the new booking (it gets its id), turning a unique index's refusal into why."""
    if served is None:
        # A second active place for this person on this session is ruled out above, under the
        # session lock, so the savepoint (two more statements) is only paid for a referral.
        db.session.add(booking)
        try:
            db.session.flush()
        except IntegrityError as error:
            raise BookingError("already_booked") from error
        return
    try:
        with db.session.begin_nested():
            db.session.add(booking)
    except IntegrityError as error:
        # A partial unique index caught a second active place for this referral.
        if eligibility.active_booking(served) is not None:
            raise ReferralError("referral_already_booked") from error
        raise BookingError("already_booked") from error


def _check_offer(
    offer: WaitingListEntry, course_session: CourseSession, person: User, *, now: datetime
) -> None:
    # Re-read under the session lock: of two claims racing, one wins and one is told it's gone.
    relock(offer)
    if (
        offer.session_id != course_session.id
        or offer.user_id != person.id
        or offer.status != WaitingStatus.OFFERED
    ):
        raise BookingError("offer_gone")
    if offer.offer_expires_at is not None and offer.offer_expires_at <= now:
        raise BookingError("offer_expired")


@cache
def _place_check_statement():
    # Built once: making this expression anew on every booking cost more than running it.
    session_id = bindparam("session_id", type_=Integer)
    active = (
        select(Booking.id)
        .where(
            Booking.session_id == session_id,
            Booking.user_id == bindparam("user_id", type_=Integer),
            Booking.status.in_(ACTIVE_STATES),
        )
        .limit(1)
        .scalar_subquery()
    )
    now = bindparam("now", type_=DateTime(timezone=True))
    any_fitting = eligibility.fitting_referral_exists(
        bindparam("user_id", type_=Integer), bindparam("course_type_id", type_=Integer)
    )
    return (
        select(active, _seats_taken_sql(session_id, now), any_fitting, CourseType, Venue)
        .select_from(CourseType)
        .outerjoin(Venue, Venue.id == bindparam("venue_id", type_=Integer))
        .where(CourseType.id == bindparam("course_type_id", type_=Integer))
    )


def _place_check(
    course_session: CourseSession, person: User, *, now: datetime
) -> tuple[bool, int, bool]:
    """Whether ``person`` already has an active place on the session, its seats taken, and
    whether the person has a bookable referral for its course type (else none is looked up).

    The session's course type (which the referral and fee rules read next) and venue (which
    the confirmation names; none for an online session) come in the same round trip and are
    attached to the session, instead of each being loaded on its own.
    """
    found, taken, any_fitting, course_type, venue = db.session.execute(
        _place_check_statement(),
        {
            "session_id": course_session.id,
            "user_id": person.id,
            "now": now,
            "venue_id": course_session.venue_id,
            "course_type_id": course_session.course_type_id,
        },
    ).one()
    set_committed_value(course_session, "course_type", course_type)
    set_committed_value(course_session, "venue", venue)
    return found is not None, taken, bool(any_fitting)


def hold_seat(
    course_session_id: int,
    person: User,
    *,
    now: datetime,
    hold_minutes: int = DEFAULT_HOLD_MINUTES,
    women_only_confirmed: bool = False,
) -> Booking:
    """Take a seat through ``place_booking`` and leave it held (not yet awaiting payment)."""
    return place_booking(
        course_session_id,
        person,
        now=now,
        hold_minutes=hold_minutes,
        women_only_confirmed=women_only_confirmed,
        settle=False,
    )


def book_session(
    course_session_id: int,
    person: User,
    *,
    now: datetime,
    hold_minutes: int = DEFAULT_HOLD_MINUTES,
    women_only_confirmed: bool = False,
) -> Booking:
    """A catalogue booking through ``place_booking``: confirmed at once when there is nothing to
    pay, otherwise awaiting payment while the hold lasts."""
    return place_booking(
        course_session_id,
        person,
        now=now,
        hold_minutes=hold_minutes,
        women_only_confirmed=women_only_confirmed,
    )
