"""A booking's states and the one way to move between them (each move writes an audit event).

held ─┬─> confirmed ─┬─> attended | no_show
      ├─> awaiting_payment ─> confirmed
      ├─> awaiting_waiver ──> confirmed | awaiting_payment
      └─> expired            (held / awaiting_payment only, when the hold lapses)
any active state ─> cancelled
"""

from datetime import datetime

from booking.models import ACTIVE_STATES, Booking, BookingStatus, User
from booking.services import audit
from booking.services.errors import BookingError

_ALLOWED = {
    BookingStatus.HELD: {
        BookingStatus.CONFIRMED,
        BookingStatus.AWAITING_PAYMENT,
        BookingStatus.AWAITING_WAIVER,
        BookingStatus.EXPIRED,
        BookingStatus.CANCELLED,
    },
    BookingStatus.AWAITING_PAYMENT: {
        BookingStatus.CONFIRMED,
        BookingStatus.AWAITING_WAIVER,
        BookingStatus.EXPIRED,
        BookingStatus.CANCELLED,
    },
    BookingStatus.AWAITING_WAIVER: {
        BookingStatus.CONFIRMED,
        BookingStatus.AWAITING_PAYMENT,
        BookingStatus.CANCELLED,
    },
    BookingStatus.CONFIRMED: {
        BookingStatus.ATTENDED,
        BookingStatus.NO_SHOW,
        BookingStatus.CANCELLED,
    },
    # Staff may correct a closed session's attendance either way (with a reason, audited).
    BookingStatus.ATTENDED: {BookingStatus.NO_SHOW},
    BookingStatus.NO_SHOW: {BookingStatus.ATTENDED},
    BookingStatus.CANCELLED: set(),
    # A card payment that arrives after the hold lapsed: services/payments.py confirms it only
    # when a place is still free, counted under the session lock.
    BookingStatus.EXPIRED: {BookingStatus.CONFIRMED},
}


def confirm(booking: Booking, *, by: User | None, now: datetime, via: str) -> Booking:
    """Confirm a booking (no fee, payment, full waiver or an offline payment)."""
    _move(booking, BookingStatus.CONFIRMED, by=by, now=now, via=via)
    booking.confirmed_at = now
    booking.hold_expires_at = None
    return booking


def mark_cancelled(
    booking: Booking, *, by: User | None, now: datetime, reason: str = ""
) -> Booking:
    """The booking's own step of an ending: CANCELLED, with when and why.

    Only ``cancellation.end_booking`` calls this, so that money, help requests, the waiting
    list, the referral and the message all follow; call that instead.
    Raises BookingError("not_cancellable").
    """
    if booking.status not in ACTIVE_STATES or booking.status in (
        BookingStatus.ATTENDED,
        BookingStatus.NO_SHOW,
    ):
        raise BookingError("not_cancellable")
    _move(booking, BookingStatus.CANCELLED, by=by, now=now, reason=reason)
    booking.cancelled_at = now
    booking.cancel_reason = reason[:200]
    return booking


def record_attendance(
    booking: Booking, *, attended: bool, by: User | None, now: datetime
) -> Booking:
    """Complete a confirmed booking after the session: ATTENDED, or NO_SHOW when the person did
    not attend or left early. Raises BookingError("not_found") from any other state."""
    _move(booking, BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW, by=by, now=now)
    return booking


def transition(
    booking: Booking, to: BookingStatus, *, by: User | None, now: datetime, **detail: object
) -> None:
    """Move a booking to ``to`` if the table allows it, writing the audit event.

    Raises BookingError("not_cancellable") for a refused cancel, ("not_found") otherwise.
    """
    _move(booking, to, by=by, now=now, **detail)


def _move(
    booking: Booking, to: BookingStatus, *, by: User | None, now: datetime, **detail: object
) -> None:
    if to not in _ALLOWED[booking.status]:
        raise BookingError("not_cancellable" if to == BookingStatus.CANCELLED else "not_found")
    previous = booking.status
    booking.status = to
    # No flush: the change is written with the booking's next flush. A booking placed in this
    # transaction is then first written in the state its moves left it in (see audit).
    audit.record_about(
        f"booking.{to.value}",
        "booking",
        booking,
        actor=by,
        now=now,
        previous=previous.value,
        **detail,
    )
