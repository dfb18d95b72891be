"""Send requested refunds to Stripe, after the commit that wrote them.

Each refund takes two short transactions with the call to Stripe between them, so no database
lock is held while Stripe is slow or down: the first counts the attempt and reads what to send,
the second records succeeded (with Stripe's refund id) or failed (with the reason, for staff to
retry). The refund row's id is the idempotency key, so a retry, or two senders at once, make
one refund at Stripe. Run by the worker when a request has committed refunds (the request queues
``worker.send_refunds_after_commit``, so nobody waits on Stripe), by the worker's sweep and
``flask --app wsgi send-refunds`` for anything left over (a crash, Stripe down), and directly by
the two finance actions whose page says at once whether Stripe made the refund.
"""

from dataclasses import dataclass
from datetime import datetime

from booking.database import unit_of_work
from booking.integrations.stripe_gateway import RefundRefused, StripeGateway
from booking.services.money import refunds


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # not sent: card refunds are off (no Stripe key)


def send_refunds(
    gateway: StripeGateway | None, *, now: datetime, refund_ids: list[int] | None = None
) -> SendResult:
    """Send ``refund_ids`` (None: every requested refund). Never raises for a refusal."""
    result = SendResult()
    if refund_ids is None:
        with unit_of_work():
            refund_ids = refunds.refunds_to_send()
    if gateway is None:
        result.waiting = len(refund_ids)
        return result
    for refund_id in refund_ids:
        with unit_of_work():
            to_send = refunds.start_sending(refund_id, now=now)
        if to_send is None:
            continue
        try:
            stripe_refund_id = gateway.refund(
                payment_intent_id=to_send.payment_intent_id,
                amount_pence=to_send.amount_pence,
                idempotency_key=to_send.idempotency_key,
            )
        except RefundRefused as error:
            with unit_of_work():
                refunds.record_failure(refund_id, why=str(error) or "Stripe refused", now=now)
            result.failed += 1
            continue
        with unit_of_work():
            refunds.record_sent(refund_id, stripe_refund_id=stripe_refund_id, now=now)
        result.sent += 1
    return result
