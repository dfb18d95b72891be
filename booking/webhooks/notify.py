"""Notify's callbacks: delivery receipts (POST /webhooks/notify) and received texts
(POST /webhooks/notify/inbound). Notify signs neither; it sends the bearer token we set in its
callback settings, so a request without that token changes nothing."""

import hmac
from typing import Any

from flask import current_app, jsonify, request

from booking.database import unit_of_work
from booking.models import utcnow
from booking.services.notify import outbox, replies
from booking.webhooks.blueprint import bp

_LONGEST_ID = 100  # the stored provider id's column length


def _token_ok() -> bool:
    expected = current_app.config.get("NOTIFY_CALLBACK_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    return bool(expected) and hmac.compare_digest(given.encode(), f"Bearer {expected}".encode())


def _payload(*fields: str) -> dict[str, str] | None:
    """The JSON body's named fields as short strings, or None when any is missing or odd."""
    body: Any = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    values = {}
    for name in fields:
        value = body.get(name)
        if not isinstance(value, str) or not value or len(value) > 500 or "\x00" in value:
            return None
        values[name] = value
    return values


@bp.post("/notify")
def notify_receipt():
    """A delivery receipt: delivered, failed for good (next safe channel) or for now (retry)."""
    if not _token_ok():
        return jsonify(error="unauthorised"), 401
    receipt = _payload("id", "status")
    if receipt is None or len(receipt["id"]) > _LONGEST_ID:
        return jsonify(error="malformed receipt"), 400
    with unit_of_work():
        found = outbox.record_receipt(receipt["id"], receipt["status"], now=utcnow())
    # A receipt for a message we do not know is answered 200 too, so Notify stops retrying it.
    return jsonify(received=True, known=found is not None), 200


@bp.post("/notify/inbound")
def notify_inbound():
    """A text someone sent us: recorded against the booking it answers."""
    if not _token_ok():
        return jsonify(error="unauthorised"), 401
    text = _payload("id", "source_number", "message")
    if text is None or len(text["id"]) > _LONGEST_ID:
        return jsonify(error="malformed message"), 400
    with unit_of_work():
        replies.record_reply(
            provider_id=text["id"],
            from_number=text["source_number"],
            content=text["message"],
            now=utcnow(),
        )
    return jsonify(received=True), 200
