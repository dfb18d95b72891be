"""A held seat's time limit, and the extensions a person may ask for (WCAG 2.2.1).

A held seat is scarce: while it is held nobody else can book it, so the hold cannot be
open-ended. A person may still ask for more time, up to ten times (WCAG 2.2.1 asks for at
least ten), each time when the hold is close to running out: asking earlier would only stack
time nobody needs, and a long hold (a week while a fee request is decided) needs none.
"""

from datetime import datetime, timedelta

from booking.models import EXPIRING_STATES, Booking, BookingStatus, User
from booking.services import audit
from booking.services.errors import BookingError

MAX_EXTENSIONS = 10


def extensions_left(booking: Booking) -> int:
    return max(MAX_EXTENSIONS - (booking.hold_extensions or 0), 0)


def is_running_out(booking: Booking, *, now: datetime, minutes: int) -> bool:
    """A live hold with no more than ``minutes`` left: when the page warns and offers more."""
    return (
        booking.status in EXPIRING_STATES
        and booking.hold_expires_at is not None
        and now < booking.hold_expires_at <= now + timedelta(minutes=minutes)
    )


# "Your time is nearly up" is said only in the last few minutes of a hold, never on a fresh one.
NEARLY_UP_MINUTES = 5


def is_nearly_up(booking: Booking, *, now: datetime) -> bool:
    """A live hold in its last few minutes: when the page says time is nearly up."""
    return is_running_out(booking, now=now, minutes=NEARLY_UP_MINUTES)


def has_ended(booking: Booking, *, now: datetime) -> bool:
    """A hold whose time has passed (whether or not the sweep has marked it expired yet)."""
    if booking.status == BookingStatus.EXPIRED:
        return True
    return (
        booking.status in EXPIRING_STATES
        and booking.hold_expires_at is not None
        and booking.hold_expires_at <= now
    )


def can_extend_hold(booking: Booking, *, now: datetime, minutes: int) -> bool:
    """Whether the page should offer "more time": a hold running out, with extensions left."""
    return is_running_out(booking, now=now, minutes=minutes) and extensions_left(booking) > 0


def extend_hold(booking: Booking, *, person: User, now: datetime, minutes: int) -> Booking:
    """Give a held (or awaiting-payment) booking ``minutes`` more, up to MAX_EXTENSIONS times.

    The caller locks the booking row first. Raises BookingError "not_found" (not theirs),
    "hold_not_extendable" (not held), "hold_expired" (time already ran out),
    "hold_not_running_out" (more than ``minutes`` left) or "hold_already_extended" (no
    extensions left).
    """
    if booking.user_id != person.id:
        raise BookingError("not_found")
    if booking.status not in EXPIRING_STATES or booking.hold_expires_at is None:
        raise BookingError("hold_not_extendable")
    if booking.hold_expires_at <= now:
        raise BookingError("hold_expired")
    if extensions_left(booking) == 0:
        raise BookingError("hold_already_extended")
    if not is_running_out(booking, now=now, minutes=minutes):
        raise BookingError("hold_not_running_out")
    booking.hold_expires_at = booking.hold_expires_at + timedelta(minutes=minutes)
    booking.hold_extensions = (booking.hold_extensions or 0) + 1
    booking.hold_extended = True
    audit.record(
        "booking.hold_extended",
        "booking",
        booking.id,
        actor=person,
        now=now,
        until=booking.hold_expires_at.isoformat(),
        times=booking.hold_extensions,
    )
    return booking
