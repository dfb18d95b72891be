"""Need to know: one booking's needs and safe contact, for the staff arranging it.

Only here, one person at a time, and every look is recorded in the audit log.
"""

from flask import abort, render_template
from flask_login import current_user

from booking.database import unit_of_work
from booking.extensions import db
from booking.models import Booking, utcnow
from booking.services import audit
from booking.services.bookings import seats as bookings
from booking.services.notify import channels as contact
from booking.staff.schedule.blueprint import bp


@bp.get("/bookings/<reference>/needs")
def booking_needs(reference: str):
    """What one booked person needs, and how it is safe to contact them."""
    booking = bookings.booking_for_staff(reference)
    if booking is None:
        abort(404)
    booking_id, person_id = booking.id, booking.user_id
    with unit_of_work():  # who saw a person's needs is itself recorded
        audit.record(
            "profile.viewed",
            "user",
            person_id,
            actor=current_user,
            now=utcnow(),
            booking=booking_id,
        )
    booking = db.session.get(Booking, booking_id)
    return render_template(
        "staff/schedule/booking_needs.html",
        booking=booking,
        profile=contact.profile_for(booking.user),
    )
