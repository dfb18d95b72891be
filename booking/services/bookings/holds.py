"""A held seat's time limit, and the one extension a person may ask for (WCAG 2.2.1).

A held seat is scarce: while it is held nobody else can book it, so the hold cannot be open-ended.
A person may still ask for more time once, before the hold runs out.
"""

from datetime import datetime, timedelta

from booking.models import EXPIRING_STATES, Booking, User
from booking.services import audit
from booking.services.errors import BookingError


def can_extend_hold(booking: Booking, *, now: datetime) -> bool:
    """Whether the page should offer "more time": a live hold that has not been extended."""
    return (
        booking.status in EXPIRING_STATES
        and booking.hold_expires_at is not None
        and booking.hold_expires_at > now
        and not booking.hold_extended
    )


def extend_hold(booking: Booking, *, person: User, now: datetime, minutes: int) -> Booking:
    """Give a held (or awaiting-payment) booking ``minutes`` more, once.

    The caller locks the booking row first. Raises BookingError "not_found" (not theirs),
    "hold_not_extendable" (not held), "hold_expired" (time already ran out) or
    "hold_already_extended" (the one extension was used).
    """
    if booking.user_id != person.id:
        raise BookingError("not_found")
    if booking.status not in EXPIRING_STATES or booking.hold_expires_at is None:
        raise BookingError("hold_not_extendable")
    if booking.hold_expires_at <= now:
        raise BookingError("hold_expired")
    if booking.hold_extended:
        raise BookingError("hold_already_extended")
    booking.hold_expires_at = booking.hold_expires_at + timedelta(minutes=minutes)
    booking.hold_extended = True
    audit.record(
        "booking.hold_extended",
        "booking",
        booking.id,
        actor=person,
        now=now,
        until=booking.hold_expires_at.isoformat(),
    )
    return booking
