"""An attendee's certificate page, for their own attended bookings only."""

from flask import Blueprint, render_template
from flask_login import current_user

from booking.models import Role, utcnow
from booking.services.bookings import after_course, queries
from booking.web.found import or_404
from booking.web.security import role_required

bp = Blueprint("certificates", __name__)


@bp.get("/<reference>")
@role_required(Role.ATTENDEE)
def certificate(reference: str):
    """A certificate the person can print or save; 404 unless it is theirs and attended."""
    booking = or_404(queries.attended_booking(reference, current_user))
    return render_template(
        "account/certificates/certificate.html",
        booking=booking,
        next_steps=after_course.next_steps(booking, now=utcnow()),
    )
