"""Booking: hold a seat, confirm, and the booking's own state machine. The seat count is
decided under a lock. Endings (cancel, expire) go through cancellation.end_booking.

State machine (every change goes through ``transition`` and writes an audit event)::

    held ─┬─> confirmed ─┬─> attended | no_show
          ├─> awaiting_payment ─> confirmed
          ├─> awaiting_waiver ──> confirmed | awaiting_payment
          └─> expired            (held / awaiting_payment only, when the hold lapses)
    any active state ─> cancelled
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    ACTIVE_STATES,
    EXPIRING_STATES,
    SEAT_STATES,
    Booking,
    BookingStatus,
    CourseSession,
    SessionStatus,
    User,
    WaitingListEntry,
    WaitingStatus,
)
from booking.services import audit
from booking.services.errors import BookingError
from booking.services.locks import lock_sessions

DEFAULT_HOLD_MINUTES = 30
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread

_ALLOWED = {
    BookingStatus.HELD: {
        BookingStatus.CONFIRMED,
        BookingStatus.AWAITING_PAYMENT,
        BookingStatus.AWAITING_WAIVER,
        BookingStatus.EXPIRED,
        BookingStatus.CANCELLED,
    },
    BookingStatus.AWAITING_PAYMENT: {
        BookingStatus.CONFIRMED,
        BookingStatus.AWAITING_WAIVER,
        BookingStatus.EXPIRED,
        BookingStatus.CANCELLED,
    },
    BookingStatus.AWAITING_WAIVER: {
        BookingStatus.CONFIRMED,
        BookingStatus.AWAITING_PAYMENT,
        BookingStatus.CANCELLED,
    },
    BookingStatus.CONFIRMED: {
        BookingStatus.ATTENDED,
        BookingStatus.NO_SHOW,
        BookingStatus.CANCELLED,
    },
    # Staff may correct a closed session's attendance either way (with a reason, audited).
    BookingStatus.ATTENDED: {BookingStatus.NO_SHOW},
    BookingStatus.NO_SHOW: {BookingStatus.ATTENDED},
    BookingStatus.CANCELLED: set(),
    # A card payment that arrives after the hold lapsed: services/payments.py confirms it only
    # when a place is still free, counted under the session lock.
    BookingStatus.EXPIRED: {BookingStatus.CONFIRMED},
}


def seat_holding_condition(now: datetime):
    """SQL condition for a booking that takes a seat at ``now`` (rule 1 of PRODUCT.md)."""
    return or_(
        Booking.status.in_(SEAT_STATES),
        and_(Booking.status.in_(EXPIRING_STATES), Booking.hold_expires_at > now),
    )


def open_offer_condition(now: datetime):
    """SQL condition for a waiting-list offer that still holds a seat at ``now``."""
    return and_(
        WaitingListEntry.status == WaitingStatus.OFFERED, WaitingListEntry.offer_expires_at > now
    )


def seats_taken(session_id: int, *, now: datetime) -> int:
    """How many seats of one session are taken: confirmed, awaiting a decision, held, or
    offered to someone on the waiting list (an open offer counts until it lapses)."""
    booked = db.session.execute(
        select(func.count(Booking.id)).where(
            Booking.session_id == session_id, seat_holding_condition(now)
        )
    ).scalar_one()
    offered = db.session.execute(
        select(func.count(WaitingListEntry.id)).where(
            WaitingListEntry.session_id == session_id, open_offer_condition(now)
        )
    ).scalar_one()
    return booked + offered


def seats_taken_by_session(session_ids: list[int], *, now: datetime) -> dict[int, int]:
    """Seats taken for many sessions in one query, for list pages."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(Booking.session_id, func.count(Booking.id))
        .where(Booking.session_id.in_(session_ids), seat_holding_condition(now))
        .group_by(Booking.session_id)
    ).all()
    taken = {session_id: count for session_id, count in rows}
    offers = db.session.execute(
        select(WaitingListEntry.session_id, func.count(WaitingListEntry.id))
        .where(WaitingListEntry.session_id.in_(session_ids), open_offer_condition(now))
        .group_by(WaitingListEntry.session_id)
    ).all()
    for session_id, count in offers:
        taken[session_id] = taken.get(session_id, 0) + count
    return taken


def places_left(course_session: CourseSession, *, now: datetime) -> int:
    return max(course_session.capacity - seats_taken(course_session.id, now=now), 0)


def fee_for(course_session: CourseSession) -> int:
    """The fee in pence a person pays for a session (schemes may override; see payments)."""
    return course_session.course_type.default_fee_pence


def new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def hold_seat(
    course_session_id: int,
    person: User,
    *,
    now: datetime,
    hold_minutes: int = DEFAULT_HOLD_MINUTES,
) -> Booking:
    """Hold a seat for ``person`` on a session, if one is free.

    The session row is locked first, then seats are counted, then the booking is inserted, so
    two people can never take the last seat together. Raises BookingError with code
    "session_not_open", "session_started", "already_booked", "full" or "busy".
    """
    (course_session,) = lock_sessions(course_session_id) or (None,)
    if course_session is None or course_session.status != SessionStatus.SCHEDULED:
        raise BookingError("session_not_open")
    if course_session.starts_at <= now:
        raise BookingError("session_started")
    already = db.session.scalar(
        select(Booking.id).where(
            Booking.session_id == course_session.id,
            Booking.user_id == person.id,
            Booking.status.in_(ACTIVE_STATES),
        )
    )
    if already is not None:
        raise BookingError("already_booked")
    if seats_taken(course_session.id, now=now) >= course_session.capacity:
        raise BookingError("full")

    booking = Booking(
        reference=new_reference(),
        session_id=course_session.id,
        user_id=person.id,
        status=BookingStatus.HELD,
        fee_pence=fee_for(course_session),
        hold_expires_at=now + timedelta(minutes=hold_minutes),
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(booking)
    except IntegrityError as error:
        # The partial unique index caught a second active booking for this person.
        raise BookingError("already_booked") from error
    audit.record("booking.held", "booking", booking.id, actor=person, now=now)
    return booking


def book_session(
    course_session_id: int,
    person: User,
    *,
    now: datetime,
    hold_minutes: int = DEFAULT_HOLD_MINUTES,
) -> Booking:
    """Hold a seat and, when there is nothing to pay, confirm it at once.

    A booking with a fee waits for payment, still holding its seat until the hold lapses.
    Raises what ``hold_seat`` raises.
    """
    booking = hold_seat(course_session_id, person, now=now, hold_minutes=hold_minutes)
    if booking.fee_pence == 0:
        confirm(booking, by=person, now=now, via="no_fee")
    else:
        _move(booking, BookingStatus.AWAITING_PAYMENT, by=person, now=now)
    return booking


def confirm(booking: Booking, *, by: User | None, now: datetime, via: str) -> Booking:
    """Confirm a booking (rule 4: no fee, payment, full waiver or an offline payment)."""
    _move(booking, BookingStatus.CONFIRMED, by=by, now=now, via=via)
    booking.confirmed_at = now
    booking.hold_expires_at = None
    return booking


def mark_cancelled(
    booking: Booking, *, by: User | None, now: datetime, reason: str = ""
) -> Booking:
    """The booking's own step of an ending: CANCELLED, with when and why.

    Only ``cancellation.end_booking`` calls this, so that money, help requests, the waiting
    list, the referral and the message all follow; call that instead.
    Raises BookingError("not_cancellable").
    """
    if booking.status not in ACTIVE_STATES or booking.status in (
        BookingStatus.ATTENDED,
        BookingStatus.NO_SHOW,
    ):
        raise BookingError("not_cancellable")
    _move(booking, BookingStatus.CANCELLED, by=by, now=now, reason=reason)
    booking.cancelled_at = now
    booking.cancel_reason = reason[:200]
    return booking


def bookings_for_person(person: User) -> list[Booking]:
    """A person's bookings, soonest session first, with their sessions loaded in one query."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .options(
                joinedload(Booking.session).joinedload(CourseSession.course_type),
                joinedload(Booking.session).joinedload(CourseSession.venue),
            )
            .where(Booking.user_id == person.id)
            .order_by(CourseSession.starts_at, Booking.id)
        ).unique()
    )


def booking_for_staff(reference: str) -> Booking | None:
    """A booking by its reference, with its person and course loaded, for staff pages."""
    return db.session.scalar(
        select(Booking)
        .options(
            joinedload(Booking.user),
            joinedload(Booking.session).joinedload(CourseSession.course_type),
        )
        .where(Booking.reference == reference)
    )


def transition(
    booking: Booking, to: BookingStatus, *, by: User | None, now: datetime, **detail: object
) -> None:
    """Move a booking to ``to`` if the table allows it, writing the audit event.
    Raises BookingError("not_cancellable") or ("not_found") for a move it does not allow."""
    if to not in _ALLOWED[booking.status]:
        raise BookingError("not_cancellable" if to == BookingStatus.CANCELLED else "not_found")
    previous = booking.status
    booking.status = to
    db.session.flush()
    audit.record(
        f"booking.{to.value}",
        "booking",
        booking.id,
        actor=by,
        now=now,
        previous=previous.value,
        **detail,
    )


_move = transition  # the name this module's own steps use


def record_attendance(
    booking: Booking, *, attended: bool, by: User | None, now: datetime
) -> Booking:
    """Complete a confirmed booking after the session: ATTENDED, or NO_SHOW when the person did
    not attend or left early. Raises BookingError("not_found") from any other state."""
    _move(booking, BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW, by=by, now=now)
    return booking
