"""Deliver queued outcome webhooks to the forces, after the commit that queued them.

Each delivery takes two short transactions with the HTTP call between them, so no database lock
is held while a force's server is slow or down: the first claims the attempt (counted, next
time pushed on), the second records the answer. Failures wait longer each time
(services/referrals/webhooks.BACK_OFF) and, after the last attempt, show as failed to staff.
Run by ``flask --app wsgi send-force-webhooks``; the scheduler calls ``send_due(now)``.
"""

import time
from dataclasses import dataclass
from datetime import datetime

from booking.database import unit_of_work
from booking.integrations import webhook_sender
from booking.services.referrals import webhooks


@dataclass
class SendResult:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def send_due(now: datetime) -> SendResult:
    """Send every delivery due at ``now``. Safe to run twice, or two at once."""
    result = SendResult()
    with unit_of_work():
        due = webhooks.due_ids(now=now)
    for delivery_id in due:
        with unit_of_work():
            claimed = webhooks.start_attempt(delivery_id, now=now)
        if claimed is None:
            continue
        url, secret, body = claimed
        # The signature's time is the real moment of sending, so receivers can refuse replays.
        header = webhooks.signature_header(secret, int(time.time()), body)
        status: int | None
        try:
            status = webhook_sender.post(
                url, body, signature_header=webhooks.SIGNATURE_HEADER, signature=header
            )
            error = ""
        except (OSError, ValueError) as failure:
            status, error = None, f"Could not reach the force's server: {failure}"[:300]
        with unit_of_work():
            delivery = webhooks.record_result(delivery_id, status_code=status, error=error, now=now)
            outcome = delivery.status.value
        if outcome == "delivered":
            result.delivered += 1
        elif outcome == "failed":
            result.failed += 1
        else:
            result.retrying += 1
    return result
