"""Rescheduling: moving a booking to another date of the same course, as one atomic swap.

A reschedule is a release and a placement in one transaction, through the same placement
function as every other booking, so every rule (capacity, women-only confirmation, referral
deadline, fee) holds for the new seat too.

Money moves with the person. The payments and hardship awards made for the old booking are
moved onto the new one, whose fee is the new session's fee by the one fee rule, so "what is
still due" is the new fee less what was already paid or awarded:
- dearer: the new booking awaits payment of the difference, its seat held like any new seat
  (or kept while a pending request for help, which moves too, is decided);
- the same or cheaper: the new booking is confirmed; what was paid beyond the new fee is given
  back: a card refund row (sent after the commit, never inside the transaction), or the staff
  list of refunds to decide for money paid another way.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    Booking,
    BookingStatus,
    CourseSession,
    Referral,
    SessionStatus,
    User,
    WaiverRequest,
    WaiverStatus,
)
from booking.services import audit, locks
from booking.services.bookings import cancellation, fitting
from booking.services.bookings import seats as bookings
from booking.services.bookings.ending_policy import EndingPolicy
from booking.services.errors import BookingError
from booking.services.locks import lock_sessions, relock
from booking.services.money import fees, help_requests, payments, refunds
from booking.services.notify import messages

MOVABLE_STATES = (
    BookingStatus.HELD,
    BookingStatus.AWAITING_PAYMENT,
    BookingStatus.AWAITING_WAIVER,
    BookingStatus.CONFIRMED,
)
MAX_OPTIONS = 30


@dataclass(frozen=True)
class MoveQuote:
    """What moving a booking to another session costs: the new fee, what the person already
    paid or was awarded, what they will still pay, and what they will get back (pence)."""

    fee_pence: int
    credit_pence: int
    to_pay_pence: int
    to_refund_pence: int


@dataclass(frozen=True)
class MoveOption:
    session: CourseSession
    places_left: int
    quote: MoveQuote


def can_move(booking: Booking, *, now: datetime, min_notice_hours: int) -> bool:
    """Whether the person may still move this booking online (outside the notice period)."""
    return booking.status in MOVABLE_STATES and booking.session.starts_at - now >= timedelta(
        hours=min_notice_hours
    )


def _referral_of(booking: Booking) -> Referral | None:
    return db.session.get(Referral, booking.referral_id) if booking.referral_id else None


def _paid_and_awarded(booking: Booking) -> tuple[int, int]:
    return payments.paid_pence(booking.id), payments.waived_pence(booking.id)


def _quote(fee: int, paid: int, awarded: int) -> MoveQuote:
    credit = paid + awarded
    return MoveQuote(
        fee_pence=fee,
        credit_pence=credit,
        to_pay_pence=max(fee - credit, 0),
        # Only money actually received can be given back; an award beyond the new fee is not.
        to_refund_pence=min(max(credit - fee, 0), paid),
    )


def quote(booking: Booking, course_session: CourseSession) -> MoveQuote:
    """What moving ``booking`` to ``course_session`` would cost or give back."""
    referral = _referral_of(booking)
    fee = fees.fee_for(course_session, referral.scheme if referral else None)
    return _quote(fee, *_paid_and_awarded(booking))


def move_options(booking: Booking, *, now: datetime, wants_women_only: bool) -> list[MoveOption]:
    """Sessions this booking can move to: the same course type, in the person's area (their
    referral's force, else the area of the session they booked) or online, ending by any
    referral deadline, not yet started, with places left; women-only groups only for someone
    who asked for one. Soonest first, at most MAX_OPTIONS, in a fixed number of queries."""
    current = booking.session
    referral = _referral_of(booking)
    area = referral.force_id if referral else current.force_id
    conditions = [
        CourseSession.course_type_id == current.course_type_id,
        CourseSession.status == SessionStatus.SCHEDULED,
        CourseSession.starts_at > now,
        CourseSession.id != current.id,
        or_(CourseSession.force_id == area, CourseSession.is_online.is_(True))
        if area is not None
        else CourseSession.is_online.is_(True),
    ]
    if referral is not None:
        conditions.append(fitting.serves_referral(referral))
    conditions.extend(fitting.women_only_allowed(wants_women_only))
    candidates = db.session.scalars(
        select(CourseSession)
        .options(joinedload(CourseSession.venue), joinedload(CourseSession.course_type))
        .where(*conditions)
        .order_by(CourseSession.starts_at, CourseSession.id)
        .limit(MAX_OPTIONS * 3)
    ).all()
    taken = bookings.seats_taken_by_session([s.id for s in candidates], now=now)
    paid, awarded = _paid_and_awarded(booking)
    options = []
    for candidate in candidates:
        left = max(candidate.capacity - taken.get(candidate.id, 0), 0)
        if left == 0:
            continue
        fee = fees.fee_for(candidate, referral.scheme if referral else None)
        options.append(
            MoveOption(session=candidate, places_left=left, quote=_quote(fee, paid, awarded))
        )
        if len(options) == MAX_OPTIONS:
            break
    return options


def reschedule(
    booking_id: int,
    new_session_id: int,
    person: User,
    *,
    now: datetime,
    min_notice_hours: int,
    hold_minutes: int,
    base_url: str,
    policy: EndingPolicy,
    women_only_confirmed: bool = False,
) -> Booking:
    """Swap a person's seat for one on another session of the same course, all or nothing.

    Both sessions are locked in id order; the new seat is taken through the placement function
    and the old booking ended in the same transaction, so any refusal (full, women-only not
    confirmed, past the referral's deadline...) rolls everything back and the person keeps
    their place. Not later than ``min_notice_hours`` before the old session. Money moves as the
    module docstring says. Raises BookingError "not_found", "not_cancellable",
    "reschedule_too_late", "reschedule_same_session", "reschedule_other_course" and what
    ``bookings.place_booking`` raises.
    """
    old = db.session.get(Booking, booking_id)
    if old is None or old.user_id != person.id:
        raise BookingError("not_found")
    if old.session_id == new_session_id:
        raise BookingError("reschedule_same_session")
    locked = lock_sessions(old.session_id, new_session_id)
    relock(old)
    if old.status not in MOVABLE_STATES:
        raise BookingError("not_cancellable")
    if old.session.starts_at - now < timedelta(hours=min_notice_hours):
        raise BookingError("reschedule_too_late")
    target = next((s for s in locked if s.id == new_session_id), None)
    if target is not None and target.course_type_id != old.session.course_type_id:
        raise BookingError("reschedule_other_course")

    def release(new: Booking) -> None:
        cancellation.end_booking(
            old,
            reason="moved",
            by=person,
            now=now,
            moved_to=new,
            policy=policy,
        )

    new = bookings.place_booking(
        new_session_id,
        person,
        now=now,
        referral=_referral_of(old),
        women_only_confirmed=women_only_confirmed,
        hold_minutes=hold_minutes,
        source="reschedule",
        replacing=old,
        release=release,
        settle=False,
    )
    _carry_money_over(old, new, by=person, now=now)
    audit.record("booking.rescheduled", "booking", new.id, actor=person, now=now, old=old.id)
    messages.booking_rescheduled(old, new, now=now, base_url=base_url)
    return new


def _carry_money_over(old: Booking, new: Booking, *, by: User, now: datetime) -> None:
    """Settle the new booking after the move. Ending the old booking as "moved" has already
    carried its payments, awards and any pending request for help over (cancellation.py);
    here the new booking is confirmed when nothing is due, otherwise awaits the decision or the
    difference, and money paid beyond the new fee is given back by the refund rule."""
    due = payments.amount_due(new)
    owed = _quote(new.fee_pence, *_paid_and_awarded(new)).to_refund_pence
    pending = db.session.scalar(
        select(WaiverRequest).where(
            WaiverRequest.booking_id == new.id, WaiverRequest.status == WaiverStatus.PENDING
        )
    )
    if due == 0:
        if pending is not None:
            help_requests.withdraw_pending(
                new, by=by, now=now, why="Withdrawn: nothing is due after the move."
            )
        if new.status != BookingStatus.CONFIRMED:
            bookings.confirm(new, by=by, now=now, via="reschedule")
    elif pending is not None:
        # A request for help keeps the seat with no time limit until staff decide.
        pending.fee_pence = due
        if pending.asked_pence is not None and pending.asked_pence >= due:
            pending.asked_pence = None  # what they asked for is now the whole of what is due
        if new.status != BookingStatus.AWAITING_WAIVER:
            bookings.transition(new, BookingStatus.AWAITING_WAIVER, by=by, now=now)
        new.hold_expires_at = None
    elif new.status != BookingStatus.AWAITING_PAYMENT:
        bookings.transition(new, BookingStatus.AWAITING_PAYMENT, by=by, now=now)
    if owed > 0:
        _give_back(new, owed, by=by, now=now)


def _give_back(booking: Booking, owed_pence: int, *, by: User, now: datetime) -> None:
    """Money paid beyond a cheaper session's fee: card payments are refunded (a refund row, sent
    after the commit); money paid another way goes to the staff list of refunds to decide."""
    for payment in locks.lock_payments_of(booking.id):
        if owed_pence <= 0:
            break
        amount = min(payment.refundable_pence, owed_pence)
        if amount <= 0:
            continue
        if refunds.refunds_by_card(payment):
            refunds.add_refund(
                payment,
                amount_pence=amount,
                reason="Moved to a session that costs less",
                by=by,
                now=now,
            )
        else:
            audit.record(
                "refund.staff_to_decide",
                "payment",
                payment.id,
                actor=by,
                now=now,
                booking_id=booking.id,
                amount_pence=amount,
            )
        owed_pence -= amount
