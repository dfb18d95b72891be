"""With the queue's Redis unreachable, a saved action still answers with its success page, and
what it could not queue (a refund, messages) is done later by the worker's sweep."""

import socket
from datetime import timedelta

import pytest
from huey.storage import RedisStorage
from sqlalchemy import select

from booking.jobs import notifications, scheduled, worker
from booking.models import (
    Booking,
    Channel,
    Notification,
    NotificationStatus,
    Payment,
    Refund,
    RefundStatus,
    Role,
    utcnow,
)
from tests import factories
from tests.payment_helpers import FakeGateway, booking_awaiting_payment, checkout_event, post_event
from tests.referral_factories import make_email_safe

pytestmark = pytest.mark.database

FEE = 3000


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the probe goes: nothing listens


@pytest.fixture
def queue_down(app):
    """The queue's store is a Redis where nothing listens (the shared server keeps running)."""
    worker.huey.immediate = False
    worker.huey.storage = RedisStorage(
        worker.QUEUE_NAME, url=f"redis://127.0.0.1:{_closed_port()}/0"
    )
    yield worker.huey
    worker.configure_queue(app)


@pytest.fixture
def gateway(monkeypatch):
    fake = FakeGateway()
    monkeypatch.setattr("booking.jobs.scheduled.gateway_from_config", lambda config: fake)
    return fake


def _paid_by_card(client, db, course_session):
    person = factories.user(Role.ATTENDEE)
    make_email_safe(person)  # told by email
    db.session.commit()
    booking, payment = booking_awaiting_payment(db, course_session=course_session, person=person)
    event = checkout_event(f"evt_paid_{payment.id}", "checkout.session.completed", payment)
    assert post_event(client, event).json["outcome"] == "confirmed"
    db.session.expire_all()
    return db.session.get(Booking, booking.id), db.session.get(Payment, payment.id)


class RecordingSender:
    """Stands in for SMTP and Notify: accepts every message and keeps it."""

    def __init__(self):
        self.sent = []

    def send(self, notification):
        self.sent.append(notification.id)
        return f"provider-{notification.id}"


def _fee_session():
    return factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=FEE),
        starts_at=utcnow() + timedelta(days=30),
    )


def test_an_attendee_cancelling_with_the_queue_down_sees_success_and_the_sweep_refunds(
    client, auth, db, queue_down, gateway
):
    booking, payment = _paid_by_card(client, db, _fee_session())
    auth.login_as(user=booking.user)

    response = client.post(f"/my/bookings/{booking.reference}/cancel", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your booking is cancelled" in page and "Something went wrong" not in page
    db.session.expire_all()
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund.status == RefundStatus.REQUESTED and gateway.calls == []

    scheduled.send_leftover_refunds(utcnow())  # the worker's sweep, once Redis is back

    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == RefundStatus.SUCCEEDED
    assert [call["amount"] for call in gateway.calls] == [FEE]


def test_staff_cancelling_a_session_with_the_queue_down_sees_success_and_the_sweep_catches_up(
    client, auth, db, queue_down, gateway
):
    course_session = _fee_session()
    _, payment = _paid_by_card(client, db, course_session)
    auth.login_as(Role.ADMIN)

    response = client.post(
        f"/admin/sessions/{course_session.id}/cancel",
        data={"reason": "Trainer unwell"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "Something went wrong" not in response.get_data(as_text=True)
    db.session.expire_all()
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund.status == RefundStatus.REQUESTED
    scheduled.send_leftover_refunds(utcnow())
    sender = RecordingSender()
    channels = {channel: sender for channel in (Channel.EMAIL, Channel.TEXT, Channel.LETTER)}
    notifications.send_pending(now=utcnow(), channels=channels)  # the minute's sweep
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == RefundStatus.SUCCEEDED
    assert len(gateway.calls) == 1
    told = db.session.scalars(
        select(Notification).where(Notification.kind == "session_cancelled")
    ).all()
    assert told and all(message.status == NotificationStatus.SENT for message in told)
    assert {message.id for message in told} <= set(sender.sent)
