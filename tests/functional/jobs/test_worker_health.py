"""/healthz/worker: green while a worker beats and keeps up; 503 when the heartbeat stops, the
queue cannot be reached, or a message or refund has waited past its threshold."""

from datetime import UTC, datetime, timedelta

import pytest
from huey.storage import RedisStorage

from booking.jobs import health, worker
from booking.models import Channel, Notification, NotificationStatus, Refund, RefundStatus, utcnow
from tests import factories
from tests.payment_helpers import booking_awaiting_payment

pytestmark = pytest.mark.database

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def _message(db, *, due):
    person = factories.user()
    db.session.add(
        Notification(
            user_id=person.id,
            channel=Channel.EMAIL,
            to_address=person.email,
            kind="booking_confirmed",
            subject="Your booking",
            body="Your place is booked.",
            status=NotificationStatus.PENDING,
            next_attempt_at=due,
            created_at=due,
        )
    )
    db.session.commit()


def test_a_beating_worker_that_keeps_up_is_healthy(db):
    health.beat("worker-1", now=NOW - timedelta(seconds=20))
    _message(db, due=NOW + timedelta(hours=3))  # waiting for the person's safe hours: not late
    state = health.worker_health(now=NOW, queue_depth=3)
    assert state.ok and state.heartbeat_age_seconds == 20
    assert state.oldest_unsent_message_seconds == 0 and state.queue_depth == 3


def test_a_silent_worker_late_messages_and_waiting_refunds_are_each_named(db):
    health.beat("worker-1", now=NOW - health.HEARTBEAT_LIMIT - timedelta(seconds=1))
    _message(db, due=NOW - timedelta(minutes=11))
    _, payment = booking_awaiting_payment(db)
    db.session.add(
        Refund(
            payment_id=payment.id,
            amount_pence=payment.amount_pence,
            status=RefundStatus.REQUESTED,
            created_at=NOW - timedelta(minutes=16),
        )
    )
    db.session.commit()
    state = health.worker_health(now=NOW, queue_depth=None)
    assert state.problems == [
        "no worker heartbeat",
        "queue cannot be reached",
        "messages late",
        "refunds waiting",
    ]
    assert state.oldest_unsent_message_seconds == 11 * 60
    assert state.oldest_waiting_refund_seconds == 16 * 60


def test_the_page_answers_503_until_a_worker_beats(client, db, queued):
    stalled = client.get("/healthz/worker")
    assert stalled.status_code == 503
    assert stalled.json["problems"] == ["no worker heartbeat"]

    health.beat("worker-1", now=utcnow())
    fine = client.get("/healthz/worker")
    assert fine.status_code == 200
    assert fine.json["status"] == "ok" and fine.json["queue_depth"] == 0


def test_the_page_answers_503_when_the_queue_cannot_be_reached(app, client, db):
    health.beat("worker-1", now=utcnow())
    worker.huey.immediate = False
    worker.huey.storage = RedisStorage(worker.QUEUE_NAME, url="redis://127.0.0.1:9/0")
    try:
        response = client.get("/healthz/worker")
    finally:
        worker.configure_queue(app)
    assert response.status_code == 503
    assert response.json["problems"] == ["queue cannot be reached"]
