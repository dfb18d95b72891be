"""A place is confirmed and the person told in one step, so no path confirms and stays silent.

Two ways a booking becomes confirmed: it is placed with nothing to pay (``place_and_tell``, for
every entry path that takes a seat for a person), or what it owed is covered later by a
payment or an award (``confirm_and_tell``). Both queue "your place is confirmed" in the same
transaction; the outbox sends it after the commit. A move to another date is the one
confirmation that says something else ("rescheduled", rescheduling.py).
"""

from datetime import datetime
from typing import Any

from booking.models import Booking, BookingStatus, User
from booking.services.bookings import seats, states
from booking.services.notify import messages


def confirm_and_tell(
    booking: Booking, *, by: User | None, now: datetime, via: str, base_url: str = ""
) -> Booking:
    """Confirm the booking (``via`` "payment" or "waiver") and queue its confirmation."""
    states.confirm(booking, by=by, now=now, via=via)
    messages.booking_confirmed(booking, now=now, base_url=base_url, via=via)
    return booking


def place_and_tell(session_id: int, person: User, *, base_url: str, **placement: Any) -> Booking:
    """Take a seat through the one placement function (``seats.place_booking``, whose
    keywords ``placement`` are) and, when nothing is due so the place is confirmed at once,
    queue its confirmation. Raises what ``seats.place_booking`` raises."""
    booking = seats.place_booking(session_id, person, **placement)
    if booking.status == BookingStatus.CONFIRMED:
        messages.booking_confirmed(booking, now=placement["now"], base_url=base_url)
    return booking
