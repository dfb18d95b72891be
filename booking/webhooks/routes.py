"""POST /webhooks/stripe: the only place a card payment is confirmed."""

import json

from flask import current_app, jsonify, request

from booking.database import unit_of_work
from booking.extensions import csrf
from booking.integrations import stripe_gateway
from booking.jobs import enqueue
from booking.models import utcnow
from booking.services.input_rules import has_control_characters
from booking.services.money import stripe_events
from booking.web.policies import current_ending_policy
from booking.webhooks.blueprint import bp

# What a payment's arrival may end in when money has to go back (see stripe_events).
MAY_GIVE_MONEY_BACK = frozenset({"refunded_no_place", "confirmed", "already"})

csrf.exempt(bp)  # Stripe cannot send our CSRF token; the signature check replaces it.

# The fields of an event's object that the handlers read, and the JSON types each may have.
_OBJECT_FIELDS = {
    "id": str,
    "payment_intent": str,
    "payment_status": str,
    "currency": str,
    "amount_total": int,
    "amount_refunded": int,
    "metadata": dict,
    "refunds": dict,
}
_LONGEST_ID = 255  # the stored Stripe ids' column length


@bp.post("/stripe")
def stripe_webhook():
    """Verify Stripe's signature on the raw body, then apply the event once (public by design)."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        return jsonify(error="webhooks are not configured"), 400
    payload = request.get_data()  # the raw bytes: parsing first would break the signature
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        current_app.logger.warning("stripe webhook malformed: the body is not UTF-8")
        return jsonify(error="malformed event"), 400
    if not stripe_gateway.signature_is_valid(
        text, request.headers.get("Stripe-Signature", ""), secret
    ):
        return jsonify(error="invalid signature"), 400
    try:
        event = json.loads(text)
    except ValueError:
        event = None
    problem = _malformed(event)
    if problem:
        # Signed by Stripe (or by someone holding the secret) yet not an event we can read:
        # refuse it so Stripe shows the failure, and log it for staff to look at.
        current_app.logger.warning("stripe webhook malformed: %s", problem)
        return jsonify(error="malformed event"), 400
    with unit_of_work():
        outcome = stripe_events.handle_event(event, now=utcnow(), policy=current_ending_policy())
    if outcome in MAY_GIVE_MONEY_BACK:
        # A refund row may have been committed (no place left, or the fee was already covered):
        # the worker sends it to Stripe, outside the transaction and outside this request.
        enqueue.send_refunds_after_commit(None)
    current_app.logger.info("stripe event %s %s: %s", event["id"], event.get("type"), outcome)
    return jsonify(received=True, outcome=outcome), 200


def _malformed(event) -> str | None:
    """Why a verified body is not an event the handlers can read, or None when it is."""
    if not isinstance(event, dict):
        return "the body is not a JSON object"
    for name in ("id", "type"):
        if not _is_text(event.get(name)):
            return f"{name} is missing or not text"
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "data.object is missing or not an object"
    obj = data["object"]
    for name, kind in _OBJECT_FIELDS.items():
        value = obj.get(name)
        if value is None:
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"data.object.{name} is not {kind.__name__}"
        if kind is str and value and not _is_text(value):
            return f"data.object.{name} is not plain text"
    payment_id = (obj.get("metadata") or {}).get("payment_id")
    if payment_id is not None and not _is_text(payment_id):
        return "data.object.metadata.payment_id is not plain text"
    refund_list = (obj.get("refunds") or {}).get("data", [])
    if not isinstance(refund_list, list) or not all(
        isinstance(refund, dict) and _is_text(refund.get("id")) for refund in refund_list
    ):
        return "data.object.refunds.data is not a list of refunds"
    return None


def _is_text(value) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= _LONGEST_ID
        and not has_control_characters(value)
    )
