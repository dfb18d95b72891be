"""POST /webhooks/stripe: the only place a card payment is confirmed."""

import json

import stripe
from flask import Blueprint, current_app, jsonify, request

from booking.database import unit_of_work
from booking.extensions import csrf
from booking.integrations.stripe_gateway import gateway_from_config
from booking.jobs import refunds as refund_jobs
from booking.models import utcnow
from booking.services.money import stripe_events

bp = Blueprint("webhooks", __name__)
csrf.exempt(bp)  # Stripe cannot send our CSRF token; the signature check replaces it.


@bp.post("/stripe")
def stripe_webhook():
    """Verify Stripe's signature on the raw body, then apply the event once (public by design)."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        return jsonify(error="webhooks are not configured"), 400
    payload = request.get_data()  # the raw bytes: parsing first would break the signature
    try:
        stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature", ""), secret)
        event = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError):
        return jsonify(error="invalid signature"), 400
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        return jsonify(error="invalid event"), 400
    with unit_of_work():
        outcome = stripe_events.handle_event(event, now=utcnow())
    if outcome == "refunded_no_place":
        # The refund row is committed; send it now, outside the transaction (and the
        # send-refunds command picks it up if Stripe is down).
        refund_jobs.send_refunds(gateway_from_config(current_app.config), now=utcnow())
    current_app.logger.info("stripe event %s %s: %s", event["id"], event.get("type"), outcome)
    return jsonify(received=True, outcome=outcome), 200
