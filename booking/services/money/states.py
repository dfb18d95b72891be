"""State machines for money: payments, refunds and help requests (waivers).

Each status is an enum with one transition table here; ``transition()`` is the only way to
change a status, and it writes the audit event. A move the table does not allow raises
DomainError("invalid_transition"), so a bug shows as a refused action, never as bad money::

    payment:       pending ─┬─> succeeded
                            ├─> failed ─> succeeded   (Stripe says the money arrived after all)
                            └─> needs_review ─> succeeded | failed
    refund:        requested ─┬─> succeeded
                              └─> failed ─> requested   (staff retry)
    help request:  pending ─┬─> approved ─> (stays; a reversal in the fund gives it back)
                            ├─> declined
                            └─> withdrawn  (booking ended, or the fee was paid another way)
"""

from datetime import datetime
from typing import Any

from booking.extensions import db
from booking.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    User,
    WaiverRequest,
    WaiverStatus,
)
from booking.services import audit
from booking.services.errors import DomainError

PAYMENT_TRANSITIONS: dict[PaymentStatus, set[PaymentStatus]] = {
    PaymentStatus.PENDING: {
        PaymentStatus.SUCCEEDED,
        PaymentStatus.FAILED,
        PaymentStatus.NEEDS_REVIEW,
    },
    PaymentStatus.NEEDS_REVIEW: {PaymentStatus.SUCCEEDED, PaymentStatus.FAILED},
    PaymentStatus.SUCCEEDED: set(),
    # Stripe is the source of truth: money it says arrived after we saw a failure still counts
    # (the booking is then confirmed if a place is free, or the money refunded).
    PaymentStatus.FAILED: {PaymentStatus.SUCCEEDED},
}

REFUND_TRANSITIONS: dict[RefundStatus, set[RefundStatus]] = {
    RefundStatus.REQUESTED: {RefundStatus.SUCCEEDED, RefundStatus.FAILED},
    RefundStatus.FAILED: {RefundStatus.REQUESTED},
    RefundStatus.SUCCEEDED: set(),
}

HELP_REQUEST_TRANSITIONS: dict[WaiverStatus, set[WaiverStatus]] = {
    WaiverStatus.PENDING: {WaiverStatus.APPROVED, WaiverStatus.DECLINED, WaiverStatus.WITHDRAWN},
    WaiverStatus.APPROVED: set(),
    WaiverStatus.DECLINED: set(),
    WaiverStatus.WITHDRAWN: set(),
}

_MACHINES: dict[type, tuple[str, str, dict[Any, set[Any]]]] = {
    Payment: ("payment", "payment", PAYMENT_TRANSITIONS),
    Refund: ("refund", "refund", REFUND_TRANSITIONS),
    WaiverRequest: ("waiver", "waiver_request", HELP_REQUEST_TRANSITIONS),
}


class InvalidTransition(DomainError):
    """Code "invalid_transition", shared with the referral machine; the words fit money."""

    http_status = 409

    @property
    def message(self) -> str:
        return "This has already changed, so that cannot be done now. Please reload the page."


def can_move(record: Payment | Refund | WaiverRequest, to) -> bool:
    """Whether the table allows ``record`` to move to ``to`` from where it is now."""
    _, _, table = _MACHINES[type(record)]
    return to in table[record.status]


def transition(
    record: Payment | Refund | WaiverRequest,
    to: PaymentStatus | RefundStatus | WaiverStatus,
    *,
    by: User | None,
    now: datetime,
    **detail: object,
):
    """Move a payment, refund or help request to ``to`` and write the audit event
    ("payment.succeeded", "refund.failed", "waiver.withdrawn", ...).

    Raises InvalidTransition (code "invalid_transition") for a move the table forbids.
    """
    prefix, entity_type, table = _MACHINES[type(record)]
    previous = record.status
    if to not in table[previous]:
        raise InvalidTransition(
            "invalid_transition", record=entity_type, previous=previous.value, to=to.value
        )
    record.status = to
    db.session.flush()
    audit.record(
        f"{prefix}.{to.value}",
        entity_type,
        record.id,
        actor=by,
        now=now,
        previous=previous.value,
        **detail,
    )
    return record
