"""Payment test helpers: Stripe's signature scheme, and a booking awaiting payment."""

import hashlib
import hmac
import json
import time

from booking.integrations.stripe_gateway import RefundRefused
from booking.models import Role, utcnow
from booking.services.bookings import seats as bookings
from booking.services.money import payments
from tests import factories

WEBHOOK_SECRET = "whsec_test_only"  # TestConfig.STRIPE_WEBHOOK_SECRET
FEE = 3000


def signature(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``, exactly as Stripe signs."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def post_event(client, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp=None, body=None):
    payload = json.dumps(event).encode()
    header = signature(payload, secret, timestamp)
    return client.post(
        "/webhooks/stripe",
        data=body if body is not None else payload,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def checkout_event(event_id: str, event_type: str, payment, **overrides) -> dict:
    obj = {
        "id": payment.stripe_checkout_session_id,
        "object": "checkout.session",
        "payment_status": "paid",
        "status": "complete",
        "amount_total": payment.amount_pence,
        "currency": "gbp",
        "payment_intent": f"pi_for_{payment.id}",
        "metadata": {"booking_id": str(payment.booking_id), "payment_id": str(payment.id)},
    }
    obj.update(overrides)
    return {"id": event_id, "object": "event", "type": event_type, "data": {"object": obj}}


def booking_awaiting_payment(db, *, fee=FEE, capacity=10, person=None, course_session=None):
    """A person holding a fee'd seat, with a pending card payment and its Checkout Session id."""
    course_session = course_session or factories.course_session(
        capacity=capacity, course_type_row=factories.course_type(default_fee_pence=fee)
    )
    person = person or factories.user(Role.ATTENDEE)
    now = utcnow()
    booking = bookings.book_session(course_session.id, person, now=now)
    payment, _ = payments.start_checkout(booking.id, person=person, now=now)
    payments.attach_checkout_session(payment.id, f"cs_test_{payment.id}")
    db.session.commit()
    return booking, payment


class FakeGateway:
    """Stands in for Stripe's Refund API: records calls, or refuses like an outage."""

    def __init__(self, fail: bool = False):
        self.fail = fail
        self.calls: list[dict] = []

    def refund(self, *, payment_intent_id, amount_pence, idempotency_key):
        self.calls.append(
            {"intent": payment_intent_id, "amount": amount_pence, "key": idempotency_key}
        )
        if self.fail:
            raise RefundRefused("Stripe could not be reached")
        return f"re_fake_{len(self.calls)}"
