"""Booking a place from the catalogue as a signed-in attendee."""

from datetime import datetime

from booking.models import Booking, User
from booking.services.bookings import confirmation


def book_and_confirm(
    session_id: int,
    person: User,
    *,
    now: datetime,
    hold_minutes: int,
    base_url: str,
    women_only_confirmed: bool = False,
) -> Booking:
    """Book a place through the one placement function; one confirmed at once (nothing to pay)
    gets its confirmation message. A person with a referral for this course is booked against
    it, or told why the session does not fit it.

    Paid places are confirmed later by the payment, which sends its own message. Raises what
    ``bookings.place_booking`` raises.
    """
    booking = confirmation.place_and_tell(
        session_id,
        person,
        now=now,
        hold_minutes=hold_minutes,
        women_only_confirmed=women_only_confirmed,
        source="catalogue",
        base_url=base_url,
    )
    return booking
