"""Need to know: one booking's needs and safe contact, for the staff arranging it.

Only here, one person at a time, and every look is recorded in the audit log.
"""

from flask import render_template
from flask_login import current_user

from booking.database import unit_of_work
from booking.models import utcnow
from booking.services import audit
from booking.services.bookings import queries as booking_queries
from booking.services.notify import channels as contact
from booking.services.schedule import queries
from booking.staff.schedule.blueprint import bp
from booking.web.found import or_404


@bp.get("/bookings/<reference>/needs")
def booking_needs(reference: str):
    """What one booked person needs, and how it is safe to contact them."""
    booking = or_404(booking_queries.booking_for_staff(reference))
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
    booking = or_404(queries.booking(booking_id))
    return render_template(
        "staff/schedule/booking_needs.html",
        booking=booking,
        profile=contact.profile_for(booking.user),
    )
