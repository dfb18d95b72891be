"""Reading bookings for pages: named queries, so routes never build SQL themselves."""

from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, User


def own_booking(reference: str, person: User) -> Booking | None:
    """``person``'s booking with this reference; None for anyone else's, or none at all."""
    return db.session.scalar(
        select(Booking).where(Booking.reference == reference, Booking.user_id == person.id)
    )
