"""What a booking owes: the fee, less help from the fund, less what has been paid."""

from sqlalchemy import func, select

from booking.extensions import db
from booking.models import (
    Booking,
    BookingStatus,
    Payment,
    PaymentStatus,
    WaiverRequest,
    WaiverStatus,
)


def waived_pence(booking_id: int) -> int:
    """How much of a booking's fee the hardship fund has agreed to pay."""
    return db.session.scalar(
        select(func.coalesce(func.sum(WaiverRequest.approved_pence), 0)).where(
            WaiverRequest.booking_id == booking_id, WaiverRequest.status == WaiverStatus.APPROVED
        )
    )


def paid_pence(booking_id: int) -> int:
    """Money received for a booking and not refunded (or being refunded)."""
    return db.session.execute(
        select(func.coalesce(func.sum(Payment.amount_pence - Payment.refunded_pence), 0)).where(
            Payment.booking_id == booking_id, Payment.status == PaymentStatus.SUCCEEDED
        )
    ).scalar_one()


def amount_due(booking: Booking) -> int:
    """The fee, less any waiver, less what has been paid; never below zero.

    A cancelled booking owes nothing: once it ends, a refund must not make the fee look due
    again. (An expired hold can still be paid by staff, so it still shows what is due.)
    """
    if booking.status == BookingStatus.CANCELLED:
        return 0
    return max(booking.fee_pence - waived_pence(booking.id) - paid_pence(booking.id), 0)
