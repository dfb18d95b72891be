"""Reading money records for pages: named queries, so routes never build SQL themselves."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.extensions import db
from booking.models import HardshipFund, Payment, WaiverRequest


def latest_waiver(booking_id: int) -> WaiverRequest | None:
    """The booking's most recent request for help with its fee, if any."""
    return db.session.scalar(
        select(WaiverRequest)
        .where(WaiverRequest.booking_id == booking_id)
        .order_by(WaiverRequest.id.desc())
    )


def fund(fund_id: int) -> HardshipFund | None:
    return db.session.get(HardshipFund, fund_id)


def payment(payment_id: int) -> Payment | None:
    return db.session.get(Payment, payment_id)


def payments_for(booking_id: int) -> list[Payment]:
    """A booking's payments, oldest first, with their refunds."""
    return list(
        db.session.scalars(
            select(Payment)
            .options(selectinload(Payment.refunds))
            .where(Payment.booking_id == booking_id)
            .order_by(Payment.id)
        )
    )


def waivers_for(booking_id: int) -> list[WaiverRequest]:
    """A booking's requests for help with its fee, oldest first."""
    return list(
        db.session.scalars(
            select(WaiverRequest)
            .where(WaiverRequest.booking_id == booking_id)
            .order_by(WaiverRequest.id)
        )
    )
