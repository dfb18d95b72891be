"""Outcomes on time: when a session closes (or its attendance is corrected), each referral on
it moves at once, so the force's outcome report is right the same day.

- attended: the referral is completed, dated the day of the session;
- did not attend: the referral stays open and the person gets a calm offer to choose another
  date while time remains before the deadline; "not completed" comes only at the deadline
  (referrals/deadlines.py), never from one missed session.
"""

from collections.abc import Sequence
from datetime import date, datetime

from booking.extensions import db
from booking.models import Booking, BookingStatus, Referral, ReferralStatus, User
from booking.services.bookings import after_course
from booking.services.clock import LONDON
from booking.services.notify import messages
from booking.services.referrals import deadlines, states
from booking.services.referrals.lookup import active_booking, eligible_sessions


def apply_attendance(
    booking: Booking, *, by: User | None, now: datetime, base_url: str = "", **detail: object
) -> Referral | None:
    """Bring the booking's referral (if any) into line with the booking's recorded attendance.
    Returns the referral, or None for a booking without one."""
    if booking.referral_id is None:
        return None
    referral = db.session.get(Referral, booking.referral_id, with_for_update=True)
    if referral is None or referral.status == ReferralStatus.WITHDRAWN:
        return referral
    attended_on = deadlines.attended_date(referral)
    if attended_on is not None:
        _complete(referral, attended_on, by=by, now=now, **detail)
    elif booking.status == BookingStatus.NO_SHOW:
        _reopen(referral, by=by, now=now, base_url=base_url, **detail)
    return referral


def _complete(referral: Referral, day: date, *, by: User | None, now: datetime, **detail):
    if referral.status == ReferralStatus.COMPLETED:
        states.change_completion_date(referral, day, by=by, now=now)
        return
    states.transition(
        referral, ReferralStatus.COMPLETED, by=by, now=now, completed_on=day, **detail
    )


def _reopen(referral: Referral, *, by: User | None, now: datetime, base_url: str, **detail):
    today = now.astimezone(LONDON).date()
    if referral.status == ReferralStatus.COMPLETED:
        # A correction took away the only attendance: past the deadline it is not completed.
        to = ReferralStatus.NOT_COMPLETED if referral.deadline < today else ReferralStatus.OPEN
        states.transition(referral, to, by=by, now=now, **detail)
        return
    if active_booking(referral) is not None:
        return  # already booked on another date: nothing to reopen or offer
    if referral.status == ReferralStatus.BOOKED:
        states.transition(referral, ReferralStatus.OPEN, by=by, now=now, **detail)
    if referral.status == ReferralStatus.OPEN:
        offer_rebooking(referral, now=now, base_url=base_url)


def offer_rebooking(referral: Referral, *, now: datetime, base_url: str):
    """Queue a calm note offering another date, only while a session still fits before the
    deadline (otherwise the deadline notice says what happens next). Returns the message."""
    person = referral.user
    if person is None or not eligible_sessions(referral, now=now):
        return None
    return messages.referral_rebook(
        referral, choose_url=f"{base_url.rstrip('/')}/referral/start", now=now
    )


def session_closed(bookings: Sequence[Booking], *, by: User | None, now: datetime, base_url: str):
    """Apply each closed booking's attendance to its referral, then offer each person what
    comes next (further support, or another date). Returns how many referrals completed."""
    completed = 0
    for booking in bookings:
        referral = apply_attendance(booking, by=by, now=now, base_url=base_url)
        completed += referral is not None and referral.status == ReferralStatus.COMPLETED
    after_course.after_session_closed(bookings, now=now, base_url=base_url)
    return completed
