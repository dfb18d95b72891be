"""Outcome webhooks: when a referral completes, is not completed or is withdrawn, a signed POST
to the force's URL is queued in the same transaction, and sent after the commit by
``booking.jobs.force_webhooks`` with retries and back-off.

Signature (as Stripe's): header ``Waypoint-Signature: t=<unix seconds>,v1=<hex>``, where the hex
is HMAC-SHA256 with the force's secret over ``f"{t}.{body}"``. The force recomputes it, compares
in constant time and refuses a timestamp older than a few minutes (no replays).
"""

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    DeliveryStatus,
    ForceWebhookDelivery,
    PoliceForce,
    Referral,
    ReferralStatus,
    User,
)
from booking.services import audit
from booking.services.clock import LONDON
from booking.services.referrals import sharing, webhook_addresses

SIGNATURE_HEADER = "Waypoint-Signature"
# Waits after each failed attempt; after the last one the delivery is marked failed.
BACK_OFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACK_OFF) + 1
OUTCOME_EVENTS = {
    ReferralStatus.COMPLETED: "referral.completed",
    ReferralStatus.NOT_COMPLETED: "referral.not_completed",
    ReferralStatus.WITHDRAWN: "referral.withdrawn",
}


def outcome_date(referral: Referral):
    """The day of the outcome: attendance for a completion, otherwise the day it closed."""
    if referral.status == ReferralStatus.COMPLETED and referral.completed_on is not None:
        return referral.completed_on
    if referral.closed_at is not None:
        return referral.closed_at.astimezone(LONDON).date()
    return None


def outcome_payload(referral: Referral, event: str, *, now: datetime) -> dict:
    """What the force's agreement allows (sharing.share, the one allow-list): without one,
    status and date only; never needs, disclosures, payments or help requests."""
    agreement = sharing.current(referral.force_id)
    record = sharing.outcome_record(agreement, referral, outcome_date(referral))
    return {"type": event, "created_at": now.isoformat(), "data": sharing.share(agreement, record)}


def queue_outcome(referral: Referral, *, now: datetime) -> ForceWebhookDelivery | None:
    """Queue the outcome for the force's webhook, if the force has one. Called in the
    transaction that recorded the outcome, so an outcome and its delivery commit together."""
    event = OUTCOME_EVENTS.get(referral.status)
    force = db.session.get(PoliceForce, referral.force_id)
    if event is None or force is None or not force.webhook_url or not force.webhook_secret:
        return None
    body = json.dumps(outcome_payload(referral, event, now=now), separators=(",", ":"))
    delivery = ForceWebhookDelivery(
        force_id=force.id,
        referral_id=referral.id,
        event=event,
        body=body,
        status=DeliveryStatus.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(delivery)
    db.session.flush()
    return delivery


def signature(secret: str, timestamp: int, body: str) -> str:
    message = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: str) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str, body: str, *, now: datetime, tolerance_seconds=300) -> bool:
    """What a force's receiver does: check the signature and that it is recent."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))


def due_ids(*, now: datetime, limit: int = 100) -> list[int]:
    return list(
        db.session.scalars(
            select(ForceWebhookDelivery.id)
            .where(
                ForceWebhookDelivery.status == DeliveryStatus.PENDING,
                ForceWebhookDelivery.next_attempt_at <= now,
            )
            .order_by(ForceWebhookDelivery.next_attempt_at, ForceWebhookDelivery.id)
            .limit(limit)
        )
    )


def start_attempt(delivery_id: int, *, now: datetime) -> tuple[str, str, str] | None:
    """Claim a due delivery for one attempt: count it and push its next time on, so a crash or
    a second sender does not send it again at once. Returns (url, secret, body) or None."""
    delivery = db.session.scalar(
        select(ForceWebhookDelivery)
        .options(joinedload(ForceWebhookDelivery.force))
        .where(
            ForceWebhookDelivery.id == delivery_id,
            ForceWebhookDelivery.status == DeliveryStatus.PENDING,
            ForceWebhookDelivery.next_attempt_at <= now,
        )
        .with_for_update(of=ForceWebhookDelivery, skip_locked=True)
    )
    if delivery is None:
        return None
    force = delivery.force
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.next_attempt_at = now + _wait_after(delivery.attempts)
    if not force.webhook_url or not force.webhook_secret:
        _give_up_or_wait(delivery, "The force has no webhook address or secret set.")
        return None
    db.session.flush()
    return force.webhook_url, force.webhook_secret, delivery.body


def _wait_after(attempts: int) -> timedelta:
    return BACK_OFF[min(attempts, len(BACK_OFF)) - 1]


def _give_up_or_wait(delivery: ForceWebhookDelivery, why: str) -> None:
    delivery.last_error = why[:300]
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None


def record_result(
    delivery_id: int, *, status_code: int | None, error: str, now: datetime
) -> ForceWebhookDelivery:
    """Record how an attempt went: 2xx is delivered; anything else waits for the next try,
    or fails for good after the last one."""
    delivery = db.session.get(ForceWebhookDelivery, delivery_id, with_for_update=True)
    assert delivery is not None
    delivery.response_status = status_code
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        _give_up_or_wait(delivery, error or f"The force's server answered {status_code}.")
    db.session.flush()
    return delivery


def retry(delivery: ForceWebhookDelivery, *, by: User, now: datetime) -> None:
    """Staff send a failed delivery again (say, after the force fixed its server)."""
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    db.session.flush()
    audit.record("webhook.retried", "force_webhook_delivery", delivery.id, actor=by, now=now)


def recent_deliveries(force: PoliceForce, *, limit: int = 50) -> list[ForceWebhookDelivery]:
    return list(
        db.session.scalars(
            select(ForceWebhookDelivery)
            .where(ForceWebhookDelivery.force_id == force.id)
            .order_by(ForceWebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def set_endpoint(force: PoliceForce, *, url: str, secret: str, by: User, now: datetime) -> None:
    """Set (or clear, with an empty URL) where a force's outcomes go. An empty secret keeps the
    one already set, so staff never need to see it again. Raises UnsafeAddress (a ValueError)
    for anything but https to a public host."""
    url = url.strip()
    if url:
        # https to a public host only; raises UnsafeAddress (a ValueError) with the reason.
        webhook_addresses.check_when_saved(url)
    force.webhook_url = url
    if secret.strip():
        force.webhook_secret = secret.strip()
    db.session.flush()
    audit.record("webhook.endpoint_set", "police_force", force.id, actor=by, now=now, url=url)


TEST_EVENT = "test.ping"
SECRET_PREFIX = "whsec_"


def queue_test(force: PoliceForce, *, by: User | None, now: datetime) -> ForceWebhookDelivery:
    """Queue a signed test delivery to the force's webhook (sent after the commit, like an
    outcome, and shown in the delivery log). It names no person and no referral.
    Raises ValueError when the force has no address or secret yet."""
    if not force.webhook_url or not force.webhook_secret:
        raise ValueError("Set the webhook address and secret first.")
    body = json.dumps(
        {"type": TEST_EVENT, "created_at": now.isoformat(), "data": {}}, separators=(",", ":")
    )
    delivery = ForceWebhookDelivery(
        force_id=force.id,
        referral_id=None,
        event=TEST_EVENT,
        body=body,
        status=DeliveryStatus.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(delivery)
    db.session.flush()
    audit.record("webhook.test_queued", "police_force", force.id, actor=by, now=now)
    return delivery


def rotate_secret(force: PoliceForce, *, by: User | None, now: datetime) -> str:
    """A new signing secret for the force, returned once to show (never shown again).
    Deliveries from now on are signed with it."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    force.webhook_secret = secret
    db.session.flush()
    audit.record("webhook.secret_rotated", "police_force", force.id, actor=by, now=now)
    return secret
