"""Reading money records for pages: named queries, so routes never build SQL themselves."""

from sqlalchemy import select

from booking.extensions import db
from booking.models import WaiverRequest


def latest_waiver(booking_id: int) -> WaiverRequest | None:
    """The booking's most recent request for help with its fee, if any."""
    return db.session.scalar(
        select(WaiverRequest)
        .where(WaiverRequest.booking_id == booking_id)
        .order_by(WaiverRequest.id.desc())
    )
