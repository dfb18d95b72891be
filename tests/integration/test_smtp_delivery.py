"""The outbox sender against a real SMTP server (aiosmtpd in this process, on loopback)."""

import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import message_from_bytes, policy
from threading import Barrier

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from booking import create_app
from booking.extensions import db as app_db
from booking.integrations.email_sender import EmailSender, MailSettings
from booking.jobs import notifications as delivery
from booking.models import Booking, Channel, Notification, NotificationStatus, utcnow
from booking.services.bookings import seats as bookings
from booking.services.notify import messages, outbox, reminders
from config import TestConfig
from tests import factories
from tests.referral_factories import make_email_safe

pytestmark = pytest.mark.database


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port():
    return free_port()


def start_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def channels(port: int):
    settings = MailSettings(server="127.0.0.1", port=port, timeout=5, sender_name="Waypoint")
    return {Channel.EMAIL: EmailSender(settings)}


def _confirmed_booking(db):
    person = factories.user(first_name="Sam")
    make_email_safe(person)
    booking = bookings.book_session(factories.course_session().id, person, now=utcnow())
    db.session.commit()
    return booking


def test_confirmation_with_calendar_file_reaches_a_real_mail_server(db, smtp_port):
    booking = _confirmed_booking(db)
    messages.booking_confirmed(booking, now=utcnow(), base_url="http://test")
    db.session.commit()
    controller, inbox = start_server(smtp_port)
    try:
        counts = delivery.send_pending(now=utcnow(), channels=channels(smtp_port))
        again = delivery.send_pending(now=utcnow(), channels=channels(smtp_port))
    finally:
        controller.stop()
    assert counts == {"sent": 1, "retrying": 0, "moved_on": 0}
    assert again == {"sent": 0, "retrying": 0, "moved_on": 0}
    (message,) = inbox.messages
    assert message["Subject"] == "Your booking is confirmed"
    assert message["From"] == "Waypoint <bookings@waypoint.invalid>"
    assert message["To"] == booking.user.email
    body = message.get_body(("plain",)).get_content()
    assert "Your place is booked" in body and booking.reference in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "booking.ics"
    assert "BEGIN:VEVENT" in attachment.get_content()
    db.session.expire_all()
    row = db.session.query(Notification).one()
    assert row.status == NotificationStatus.SENT and row.attempts == 1


def test_server_down_keeps_messages_queued_then_each_goes_out_exactly_once(db, smtp_port):
    booking = _confirmed_booking(db)
    now = utcnow()
    for _ in range(3):
        messages.booking_confirmed(booking, now=now, base_url="http://test")
    db.session.commit()

    down = delivery.send_pending(now=now, channels=channels(smtp_port))
    assert down["sent"] == 0 and down["retrying"] >= 1
    db.session.expire_all()
    rows = db.session.query(Notification).all()
    assert all(row.status == NotificationStatus.PENDING for row in rows)
    assert all(row.sent_at is None for row in rows)
    assert any(row.last_error and row.next_attempt_at > now for row in rows)

    controller, inbox = start_server(smtp_port)
    try:
        later = now + timedelta(hours=7)  # past the longest backoff
        first = delivery.send_pending(now=later, channels=channels(smtp_port))
        second = delivery.send_pending(now=later, channels=channels(smtp_port))
    finally:
        controller.stop()
    assert first["sent"] == 3 and second["sent"] == 0
    assert len(inbox.messages) == 3
    assert len({message["Message-ID"] for message in inbox.messages}) == 3
    db.session.expire_all()
    assert all(row.status == NotificationStatus.SENT for row in db.session.query(Notification))


def test_backoff_doubles_and_is_capped():
    assert outbox.backoff(1) == timedelta(minutes=1)
    assert outbox.backoff(3) == timedelta(minutes=4)
    assert outbox.backoff(30) == timedelta(hours=6)


def test_send_notifications_command_uses_the_configured_server(app, db, smtp_port):
    booking = _confirmed_booking(db)
    messages.booking_cancelled(booking, now=utcnow())
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port)
    controller, inbox = start_server(smtp_port)
    try:
        result = CliRunner().invoke(app.cli, ["send-notifications"], catch_exceptions=False)
    finally:
        controller.stop()
    assert "Sent 1, will retry 0, moved to another safe way 0." in result.output
    assert inbox.messages[0]["Subject"] == "Your booking has been cancelled"
    assert inbox.messages[0]["From"].addresses[0].display_name == app.config["MAIL_SENDER_NAME"]


def test_reminders_are_queued_once_even_when_run_twice(db):
    person = factories.user()
    make_email_safe(person)
    soon = factories.course_session(
        starts_at=utcnow().replace(microsecond=0) + timedelta(days=1),
        online=True,
        online_join_url="https://meet.example.org/abc",
    )
    far = factories.course_session(starts_at=utcnow().replace(microsecond=0) + timedelta(days=9))
    bookings.book_session(soon.id, person, now=utcnow())
    bookings.book_session(far.id, person, now=utcnow())
    assert reminders.send_reminders(now=utcnow(), base_url="http://test") == 1
    assert reminders.send_reminders(now=utcnow(), base_url="http://test") == 0
    (reminder,) = db.session.query(Notification).filter_by(kind="booking_reminder").all()
    assert reminder.subject == "A reminder about your booking"
    assert "https://meet.example.org/abc" in reminder.body
    assert db.session.query(Booking).filter(Booking.reminder_sent_at.isnot(None)).count() == 1


def test_no_email_queued_when_email_is_not_safe(db):
    person = factories.user()
    booking = bookings.book_session(factories.course_session().id, person, now=utcnow())
    assert messages.booking_confirmed(booking, now=utcnow(), base_url="http://test") is None
    assert (
        db.session.query(Notification)
        .filter(Notification.status != NotificationStatus.WITHHELD)
        .count()
        == 0
    )


def test_after_request_sending_never_breaks_the_page(database_url):
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        SEND_NOTIFICATIONS_AFTER_REQUEST=True,
        MAIL_PORT=free_port(),  # nothing listens there
    )
    with app.app_context():
        person = factories.user()
        make_email_safe(person)
        booking = bookings.book_session(factories.course_session().id, person, now=utcnow())
        messages.booking_cancelled(booking, now=utcnow())
        app_db.session.commit()
        response = app.test_client().get("/healthz")
        assert response.status_code == 200
        app_db.session.expire_all()
        row = app_db.session.query(Notification).one()
        assert row.status == NotificationStatus.PENDING and row.attempts == 1
        app_db.session.remove()
        app_db.engine.dispose()


def test_two_senders_at_once_send_each_message_exactly_once(app, db, smtp_port):
    booking = _confirmed_booking(db)
    for _ in range(12):
        messages.booking_cancelled(booking, now=utcnow())
    db.session.commit()
    barrier = Barrier(2)

    def run_sender(_):
        with app.app_context():
            barrier.wait()
            counts = delivery.send_pending(now=utcnow(), channels=channels(smtp_port))
            app_db.session.remove()
            return counts["sent"]

    controller, inbox = start_server(smtp_port)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            sent = list(pool.map(run_sender, range(2)))
    finally:
        controller.stop()
    assert sum(sent) == 12
    assert len(inbox.messages) == 12
    assert len({message["Message-ID"] for message in inbox.messages}) == 12
