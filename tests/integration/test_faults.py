"""Faults as production meets them, kept fast (seconds): the queue's Redis unreachable, a worker
killed mid-send, PostgreSQL connections cut during a booking burst, SMTP failing then
recovering. Each asserts no 5xx for a saved action, nothing lost, nothing done twice at Stripe,
and how long recovery takes (on the fixed clock where the wait is a lease or a backoff)."""

import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from huey.storage import RedisStorage
from sqlalchemy import func, select, text

from booking import create_app
from booking.extensions import db as _db
from booking.jobs import locks, notifications, scheduled, worker
from booking.models import (
    ACTIVE_STATES,
    Booking,
    Channel,
    Notification,
    NotificationStatus,
    Refund,
    RefundStatus,
    Role,
    utcnow,
)
from config import TestConfig
from tests import factories
from tests.databases import postgres_url
from tests.payment_helpers import FakeGateway, booking_awaiting_payment, checkout_event, post_event

pytestmark = pytest.mark.database

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
APP_NAME = "waypoint-fault-suite"
FEE = 3000


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _signed_in(app, person):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = person.get_id()
        session["_fresh"] = True
    return client


class FlakySender:
    """SMTP or Notify that refuses the first ``failures`` sends, then accepts; counts sends."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.delivered: list[int] = []

    def send(self, notification):
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionRefusedError("server down")
        self.delivered.append(notification.id)
        return f"provider-{notification.id}"


def _queue_messages(db, count):
    person = factories.user(Role.ATTENDEE)
    for number in range(count):
        db.session.add(
            Notification(
                user_id=person.id,
                channel=Channel.EMAIL,
                to_address=person.email,
                kind="booking_confirmed",
                subject="Your booking",
                body=f"Message {number}",
                status=NotificationStatus.PENDING,
                next_attempt_at=NOW,
                created_at=NOW,
            )
        )
    db.session.commit()


def _channels(sender):
    return {channel: sender for channel in (Channel.EMAIL, Channel.TEXT, Channel.LETTER)}


def test_redis_unreachable_saved_cancellations_answer_success_and_the_sweep_refunds_once(
    app, client, db, monkeypatch
):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    course_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=FEE),
        starts_at=utcnow() + timedelta(days=30),
    )
    paid = []
    for _ in range(4):
        booking, payment = booking_awaiting_payment(db, course_session=course_session)
        event = checkout_event(f"evt_paid_{payment.id}", "checkout.session.completed", payment)
        assert post_event(client, event).status_code == 200
        paid.append((booking.reference, booking.user))
    gateway = FakeGateway()
    monkeypatch.setattr("booking.jobs.scheduled.gateway_from_config", lambda config: gateway)
    worker.huey.immediate = False
    worker.huey.storage = RedisStorage(worker.QUEUE_NAME, url=f"redis://127.0.0.1:{_closed_port()}")
    try:
        statuses = [
            _signed_in(app, person).post(f"/my/bookings/{reference}/cancel").status_code
            for reference, person in paid
        ]
    finally:
        worker.configure_queue(app)
    assert [status for status in statuses if status >= 500] == []  # before the fix: 4 of 4

    scheduled.send_leftover_refunds(utcnow())  # the sweep, once Redis is back
    scheduled.send_leftover_refunds(utcnow())  # and again: nothing twice
    db.session.expire_all()
    refunds = db.session.scalars(select(Refund)).all()
    assert len(refunds) == 4 and {refund.status for refund in refunds} == {RefundStatus.SUCCEEDED}
    keys = [call["key"] for call in gateway.calls]
    assert len(keys) == len(set(keys)) == 4  # each refund made once at Stripe


def test_a_worker_killed_mid_send_is_taken_over_within_the_lease_and_sends_once_more(db):
    _queue_messages(db, 3)
    # The killed worker: held the sending job and had claimed (and maybe sent) the first message.
    assert locks.acquire("send-notifications", now=NOW)
    in_flight = db.session.scalar(select(Notification).order_by(Notification.id))
    in_flight.status, in_flight.claimed_at = NotificationStatus.SENDING, NOW
    db.session.commit()

    sender = FlakySender()
    recovered_at = None
    for second in range(0, 120, 5):  # the next worker tries every 5 seconds
        moment = NOW + timedelta(seconds=second)
        with locks.exclusive("send-notifications", now=moment) as mine:
            if mine:
                notifications.send_pending(now=moment, channels=_channels(sender))
                if in_flight.id in sender.delivered:
                    recovered_at = second
                    break
    assert recovered_at is not None and recovered_at <= 35  # seconds, not ten minutes
    db.session.expire_all()
    rows = db.session.scalars(select(Notification)).all()
    assert {row.status for row in rows} == {NotificationStatus.SENT}  # nothing lost
    assert sorted(sender.delivered) == sorted(row.id for row in rows)  # each once more at most
    assert "may have arrived twice" in db.session.get(Notification, in_flight.id).last_error


def test_smtp_failing_then_recovering_delivers_everything_once(db):
    _queue_messages(db, 6)
    sender = FlakySender(failures=notifications.FAILURES_BEFORE_PAUSE)

    down = notifications.send_pending(now=NOW, channels=_channels(sender))
    assert down["sent"] == 0 and down["retrying"] == notifications.FAILURES_BEFORE_PAUSE
    recovered_at = None
    for minute in range(1, 30):
        moment = NOW + timedelta(minutes=minute)
        notifications.send_pending(now=moment, channels=_channels(sender))
        if len(sender.delivered) == 6:
            recovered_at = minute
            break
    assert recovered_at is not None and recovered_at <= 2  # first backoff: one minute
    assert sorted(sender.delivered) == sorted(set(sender.delivered))  # none twice


@pytest.mark.skipif(
    postgres_url() is None, reason="cutting connections needs PostgreSQL: set TEST_DATABASE_URL"
)
def test_connections_cut_mid_burst_give_no_5xx_no_oversell_and_no_dead_pooled_connection(
    database_url, db
):
    # The app under test names its connections, so only they are cut (never the harness's).
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        PROPAGATE_EXCEPTIONS=False,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"application_name": APP_NAME}},
    )
    capacity, people = 5, 24
    course_session = factories.course_session(capacity=capacity)
    attendees = [factories.user(Role.ATTENDEE) for _ in range(people)]
    db.session.commit()
    session_id = course_session.id
    clients = [_signed_in(app, person) for person in attendees]
    harness = db.engine  # the test's own connections, named differently: never cut

    def book(client):
        with app.app_context():
            return client.post(f"/my/sessions/{session_id}/book").status_code

    def cut_connections():
        with harness.connect() as connection:
            return connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": APP_NAME},
            ).scalar()

    half = people // 2
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(book, clients[:half]))
        cut = cut_connections()  # every pooled connection of the app is now dead
        statuses += list(pool.map(book, clients[half:]))
    # Quiet requests after the cut: the pool pre-pings, so no dead connection fails one.
    quiet = []
    for _ in range(10):
        with app.app_context():
            quiet.append(_signed_in(app, attendees[0]).get("/my/bookings").status_code)
    with app.app_context():
        active = _db.session.scalar(
            select(func.count(Booking.id)).where(
                Booking.session_id == session_id, Booking.status.in_(ACTIVE_STATES)
            )
        )
        _db.session.remove()
        _db.engine.dispose()
    assert cut >= 1
    assert [status for status in statuses if status >= 500] == []  # busy (409), never 500
    assert active <= capacity  # nothing oversold
    assert quiet == [200] * 10
