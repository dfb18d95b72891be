"""An attendee's certificate page, for their own attended bookings only."""

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import Booking, BookingStatus, CourseSession, Role, utcnow
from booking.services.bookings import after_course
from booking.web.security import role_required

bp = Blueprint("certificates", __name__)


@bp.get("/<reference>")
@role_required(Role.ATTENDEE)
def certificate(reference: str):
    """A certificate the person can print or save; 404 unless it is theirs and attended."""
    booking = db.session.scalars(
        select(Booking)
        .options(joinedload(Booking.session).joinedload(CourseSession.course_type))
        .where(
            Booking.reference == reference,
            Booking.user_id == current_user.id,
            Booking.status == BookingStatus.ATTENDED,
        )
    ).first()
    if booking is None:
        abort(404)
    return render_template(
        "account/certificates/certificate.html",
        booking=booking,
        next_steps=after_course.next_steps(booking, now=utcnow()),
    )
