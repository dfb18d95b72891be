"""Self-service changes: cancel with a notice, and reschedule as one atomic swap (rule 2)."""

from datetime import datetime, timedelta

from booking.extensions import db
from booking.models import Booking, BookingStatus, Referral, User
from booking.services import audit
from booking.services.bookings import cancellation, waitlist
from booking.services.bookings import seats as bookings
from booking.services.errors import BookingError, ReferralError
from booking.services.locks import lock_sessions
from booking.services.notify import messages
from booking.services.referrals import lookup as referrals


def reschedule(
    booking_id: int,
    new_session_id: int,
    person: User,
    *,
    now: datetime,
    min_notice_hours: int,
    hold_minutes: int,
    offer_hours: int,
    base_url: str,
    claim_url,
) -> Booking:
    """Swap a person's seat for one on another session, all or nothing.

    Both sessions are locked in id order; the old booking is cancelled and the new seat taken in
    the same transaction, so if the new session has filled, the error rolls everything back and
    the person keeps their original place. Within the referral's rules and deadline, and not
    later than ``min_notice_hours`` before the old session. Raises BookingError "not_found",
    "not_cancellable", "reschedule_too_late", "reschedule_same_session", "full", ... and
    ReferralError "referral_session_not_eligible".
    """
    old = db.session.get(Booking, booking_id)
    if old is None or old.user_id != person.id:
        raise BookingError("not_found")
    if old.session_id == new_session_id:
        raise BookingError("reschedule_same_session")
    lock_sessions(old.session_id, new_session_id)
    db.session.refresh(old, with_for_update=True)
    if old.status not in (
        BookingStatus.HELD,
        BookingStatus.AWAITING_PAYMENT,
        BookingStatus.AWAITING_WAIVER,
        BookingStatus.CONFIRMED,
    ):
        raise BookingError("not_cancellable")
    if old.session.starts_at - now < timedelta(hours=min_notice_hours):
        raise BookingError("reschedule_too_late")
    referral = db.session.get(Referral, old.referral_id) if old.referral_id else None
    if referral is not None and not referrals.session_fits(referral, new_session_id, now=now):
        raise ReferralError("referral_session_not_eligible")

    was_confirmed = old.status == BookingStatus.CONFIRMED
    old_referral_id = old.referral_id
    # Take the new seat, then end the old booking as "moved", in this same transaction: if the
    # new session is full, hold_seat raises, the unit of work rolls back, and the old booking
    # stands. The referral moves last: one active booking per referral, even mid-swap.
    if was_confirmed:
        # A confirmed seat moves as it is (paid, waived or free): nothing more to pay.
        new = bookings.hold_seat(new_session_id, person, now=now, hold_minutes=hold_minutes)
        new.fee_pence = old.fee_pence
        bookings.confirm(new, by=person, now=now, via="reschedule")
    else:
        new = bookings.book_session(new_session_id, person, now=now, hold_minutes=hold_minutes)
    new.rescheduled_from_id = old.id
    cancellation.end_booking(old, reason="moved", by=person, now=now, moved_to=new)
    new.referral_id = old_referral_id
    db.session.flush()
    audit.record("booking.rescheduled", "booking", new.id, actor=person, now=now, old=old.id)
    messages.booking_rescheduled(old, new, now=now, base_url=base_url)
    waitlist.offer_next(old.session_id, now=now, offer_hours=offer_hours, claim_url=claim_url)
    return new


def cancel_with_notice(
    booking_id: int,
    person: User,
    *,
    now: datetime,
    offer_hours: int,
    claim_url,
    full_refund_days_before: int = cancellation.DEFAULT_FULL_REFUND_DAYS_BEFORE,
) -> cancellation.Ending:
    """The attendee cancels (cancellation.cancel_by_attendee): money settled by the refund
    rule, the freed place offered to the next person waiting, and a message queued that says
    what happens to their money. Raises BookingError("not_found" | "not_cancellable")."""
    return cancellation.cancel_by_attendee(
        booking_id,
        person,
        now=now,
        offer_hours=offer_hours,
        claim_url=claim_url,
        full_refund_days_before=full_refund_days_before,
    )
