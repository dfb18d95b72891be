"""Job locks and message claims are short leases: a worker killed mid-job (its lease abandoned,
never released) is taken over by another within seconds, not minutes, on a fixed clock."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from booking.jobs import locks, notifications, scheduled
from booking.models import Channel, Notification, NotificationStatus, Refund, RefundStatus
from tests import factories
from tests.payment_helpers import FakeGateway, booking_awaiting_payment

pytestmark = pytest.mark.database

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


class CountingSender:
    """Stands in for SMTP and Notify: accepts every message and counts each send."""

    def __init__(self):
        self.sent: list[int] = []

    def send(self, notification):
        self.sent.append(notification.id)
        return f"provider-{notification.id}"


def _channels(sender):
    return {channel: sender for channel in (Channel.EMAIL, Channel.TEXT, Channel.LETTER)}


def test_a_job_lease_left_by_a_killed_worker_is_taken_over_within_seconds(db):
    dead = locks.acquire("send-refunds", now=NOW)  # killed: never released
    assert dead is not None
    assert locks.acquire("send-refunds", now=NOW + timedelta(seconds=10)) is None
    assert locks.LEASE <= timedelta(seconds=30)
    assert locks.acquire("send-refunds", now=NOW + locks.LEASE + timedelta(seconds=1))


def test_a_working_holder_renews_its_lease_and_keeps_the_job(db):
    holder = locks.acquire("send-refunds", now=NOW)
    assert locks.renew("send-refunds", holder, now=NOW + timedelta(seconds=25))
    # Still working, so nobody takes the job when the first lease would have run out.
    assert locks.acquire("send-refunds", now=NOW + timedelta(seconds=31)) is None
    taken_over = NOW + timedelta(seconds=25) + locks.LEASE + timedelta(seconds=1)
    thief = locks.acquire("send-refunds", now=taken_over)
    assert thief is not None
    assert not locks.renew("send-refunds", holder, now=taken_over)  # it lost the lease


def test_a_refund_stalled_by_a_killed_worker_is_sent_once_by_the_next(db, monkeypatch):
    booking, payment = booking_awaiting_payment(db)
    refund = Refund(
        payment_id=payment.id,
        amount_pence=payment.amount_pence,
        reason="cancelled",
        status=RefundStatus.REQUESTED,
    )
    db.session.add(refund)
    db.session.commit()
    gateway = FakeGateway()
    monkeypatch.setattr("booking.jobs.scheduled.gateway_from_config", lambda config: gateway)
    locks.acquire("send-refunds", now=NOW)  # the killed worker's lease

    later = NOW + locks.LEASE + timedelta(seconds=1)
    with locks.exclusive("send-refunds", now=later) as mine:
        assert mine
        scheduled.send_leftover_refunds(later)

    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == RefundStatus.SUCCEEDED
    assert len(gateway.calls) == 1


def test_a_message_in_flight_when_its_sender_died_is_sent_once_more_and_recorded(db):
    person = factories.user()
    message = Notification(
        user_id=person.id,
        channel=Channel.EMAIL,
        to_address=person.email,
        kind="booking_confirmed",
        subject="Your booking",
        body="Your place is booked.",
        status=NotificationStatus.SENDING,  # claimed by a sender that was then killed
        claimed_at=NOW,
        next_attempt_at=NOW,
        created_at=NOW,
    )
    db.session.add(message)
    db.session.commit()
    sender = CountingSender()

    notifications.send_pending(now=NOW + timedelta(seconds=10), channels=_channels(sender))
    assert sender.sent == []  # its lease may still be live: never two senders at once

    after_lease = NOW + notifications.CLAIM_LEASE + timedelta(seconds=1)
    assert notifications.CLAIM_LEASE <= timedelta(seconds=30)
    notifications.send_pending(now=after_lease, channels=_channels(sender))
    notifications.send_pending(now=after_lease + timedelta(minutes=5), channels=_channels(sender))

    assert sender.sent == [message.id]  # once more, not again and again
    db.session.expire_all()
    sent = db.session.scalar(select(Notification).where(Notification.id == message.id))
    assert sent.status == NotificationStatus.SENT
    assert sent.attempts == 2  # the send that died, then this one
    assert "may have arrived twice" in sent.last_error
