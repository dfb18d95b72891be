"""Outcome webhooks against a real HTTPS receiver on 127.0.0.1: signed, retried with back-off,
failed for good after the last attempt, and the whole journey from an API referral to the
force hearing the outcome the same day.

The receiver plays a force's public server: its name resolves (in the test) to a public
address, the sender connects to that checked address, and the test routes that one connection
to 127.0.0.1, where the receiver serves TLS with a throwaway authority's certificate."""

import json
import socket
import ssl
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from booking.integrations import webhook_sender
from booking.jobs import force_webhooks
from booking.models import (
    AttendanceStatus,
    DeliveryStatus,
    ForceWebhookDelivery,
    Referral,
    ReferralStatus,
    utcnow,
)
from booking.services.referrals import lookup, webhook_addresses, webhooks
from booking.services.trainers import rosters
from tests import factories
from tests.force_helpers import bearer, force_with_token, referral_body
from tests.trainer_factories import trainer_profile

pytestmark = pytest.mark.database

PORT = 5131
SECRET = "whsec_test_secret"
HOST = "outcomes.force-example.org"
PUBLIC_ADDRESS = "81.2.69.160"  # a public address: the receiver's, as far as the sender knows


class Receiver:
    """A force's webhook endpoint: records each request, answers with the next status queued."""

    def __init__(self):
        self.requests: list[tuple[dict[str, str], str]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                body = self.rfile.read(length).decode()
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.authority = trustme.CA()
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.authority.issue_cert(HOST).configure_cert(server_context)
        self.server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
        self.server.socket = server_context.wrap_socket(self.server.socket, server_side=True)
        self.connected_to: list[str] = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://{HOST}/waypoint-outcomes"


def public_names(names: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in names:
            raise OSError(f"{host} not found")
        return names[host]

    return resolve


@pytest.fixture
def receiver(monkeypatch):
    running = Receiver()
    monkeypatch.setattr(webhook_addresses, "resolve", public_names({HOST: [PUBLIC_ADDRESS]}))

    def open_socket(address, port, timeout):
        running.connected_to.append(address)
        return socket.create_connection(("127.0.0.1", PORT), timeout)

    def tls_context():
        context = ssl.create_default_context()
        running.authority.configure_trust(context)
        return context

    monkeypatch.setattr(webhook_sender, "open_socket", open_socket)
    monkeypatch.setattr(webhook_sender, "tls_context", tls_context)
    running.thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


def _force_with_webhook(url: str):
    force, token = force_with_token()
    force.webhook_url = url
    force.webhook_secret = SECRET
    return force, token


def test_from_an_api_referral_to_the_outcome_at_the_force_the_same_day(client, db, receiver):
    force, token = _force_with_webhook(receiver.url)
    course = factories.course_type(referral_required=True)
    started = utcnow().replace(microsecond=0) - timedelta(hours=1)
    session = factories.course_session(
        course_type_row=course, venue_row=factories.venue(force), starts_at=started
    )
    db.session.commit()

    # The force's system creates the referral.
    created = client.post(
        "/api/v1/referrals", json=referral_body(course.slug), headers=bearer(token)
    )
    assert created.status_code == 201
    referral = db.session.get(Referral, created.get_json()["id"])

    # The person books (a day before the session), attends, and the trainer closes it.
    booked_at = started - timedelta(days=1)
    person = lookup.attendee_for_referral(referral, now=booked_at)
    booking = lookup.book_for_referral(
        referral.id, session.id, person, now=booked_at, hold_minutes=30, base_url=""
    )
    trainer = trainer_profile()
    rosters.mark_attendance(
        session, {booking.id: AttendanceStatus.ATTENDED}, by=trainer.user, now=utcnow()
    )
    rosters.close_session(session, by=trainer.user, now=utcnow())
    db.session.commit()
    assert referral.status == ReferralStatus.COMPLETED

    today = utcnow().date().isoformat()
    outcomes = client.get(f"/api/v1/outcomes?from={today}&to={today}", headers=bearer(token))
    [outcome] = outcomes.get_json()["items"]
    assert outcome["referral_id"] == referral.id and outcome["status"] == "completed"
    assert outcome["date"] == referral.completed_on.isoformat()

    result = force_webhooks.send_due(utcnow())
    assert result.delivered == 1
    [(headers, body)] = receiver.requests
    assert webhooks.verify(SECRET, headers["Waypoint-Signature"], body, now=utcnow())
    assert json.loads(body)["data"] == {
        "referral_id": referral.id,
        "police_reference": "AB/123/26",
        "status": "completed",
        "date": referral.completed_on.isoformat(),
    }


def test_a_wrong_secret_or_altered_body_fails_the_signature_check(db, receiver):
    force, _ = _force_with_webhook(receiver.url)
    row = _withdrawn_referral(force)
    db.session.commit()
    force_webhooks.send_due(utcnow())
    [(headers, body)] = receiver.requests
    signature = headers["Waypoint-Signature"]
    assert webhooks.verify(SECRET, signature, body, now=utcnow())
    assert not webhooks.verify("another secret", signature, body, now=utcnow())
    assert not webhooks.verify(
        SECRET, signature, body.replace("withdrawn", "completed"), now=utcnow()
    )
    # An old signature (a replay) is refused.
    assert not webhooks.verify(SECRET, signature, body, now=utcnow() + timedelta(minutes=10))
    assert json.loads(body)["data"]["referral_id"] == row.id


def _withdrawn_referral(force):
    from booking.services.referrals import admin
    from tests.referral_factories import referral

    row = referral(force, factories.course_type())
    admin.withdraw(row, by=None, now=utcnow(), reason="Force asked", policy=factories.ENDING_POLICY)
    return row


def test_a_failing_receiver_is_retried_with_back_off_then_marked_failed(db, receiver):
    force, _ = _force_with_webhook(receiver.url)
    _withdrawn_referral(force)
    db.session.commit()
    receiver.statuses = [500] * webhooks.MAX_ATTEMPTS
    now = utcnow()
    first = force_webhooks.send_due(now)
    assert (first.delivered, first.retrying) == (0, 1)
    # Not due again until the first wait has passed.
    assert force_webhooks.send_due(now + timedelta(seconds=30)).retrying == 0
    moment = now
    for wait in webhooks.BACK_OFF:
        moment += wait
        force_webhooks.send_due(moment)
    db.session.expire_all()
    delivery = db.session.query(ForceWebhookDelivery).one()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == webhooks.MAX_ATTEMPTS == len(receiver.requests)
    assert delivery.response_status == 500
    # The same signed body every time.
    assert len({body for _, body in receiver.requests}) == 1


def test_a_receiver_that_recovers_gets_the_outcome_on_a_retry(db, receiver):
    force, _ = _force_with_webhook(receiver.url)
    _withdrawn_referral(force)
    db.session.commit()
    receiver.statuses = [503]
    now = utcnow()
    assert force_webhooks.send_due(now).retrying == 1
    assert force_webhooks.send_due(now + webhooks.BACK_OFF[0]).delivered == 1
    db.session.expire_all()
    assert db.session.query(ForceWebhookDelivery).one().status == DeliveryStatus.DELIVERED


def test_an_unreachable_server_is_a_retry_not_a_crash(db, monkeypatch):
    monkeypatch.setattr(webhook_addresses, "resolve", public_names({HOST: [PUBLIC_ADDRESS]}))
    monkeypatch.setattr(
        webhook_sender,
        "open_socket",
        lambda address, port, timeout: socket.create_connection(("127.0.0.1", 5132), timeout),
    )
    force, _ = _force_with_webhook(f"https://{HOST}/nobody-listens")
    _withdrawn_referral(force)
    db.session.commit()
    result = force_webhooks.send_due(utcnow())
    assert result.retrying == 1
    db.session.expire_all()
    assert "Could not reach" in db.session.query(ForceWebhookDelivery).one().last_error


def test_no_webhook_is_queued_for_a_force_without_one(db):
    force = factories.force()
    _withdrawn_referral(force)
    db.session.commit()
    assert db.session.query(ForceWebhookDelivery).count() == 0


def test_the_sender_connects_only_to_the_checked_public_address(db, receiver):
    force, _ = _force_with_webhook(receiver.url)
    _withdrawn_referral(force)
    db.session.commit()
    assert force_webhooks.send_due(utcnow()).delivered == 1
    assert receiver.connected_to == [PUBLIC_ADDRESS]


@pytest.mark.parametrize(
    "inward",
    [["127.0.0.1"], ["169.254.169.254"], ["10.1.2.3"], ["::1"], [PUBLIC_ADDRESS, "192.168.0.9"]],
)
def test_a_name_re_pointed_inward_after_saving_is_not_called(db, receiver, monkeypatch, inward):
    """Checked when saved, and again when resolved at delivery (DNS rebinding)."""
    force, _ = _force_with_webhook(receiver.url)
    webhook_addresses.check_when_saved(receiver.url)  # public when saved
    _withdrawn_referral(force)
    db.session.commit()
    monkeypatch.setattr(webhook_addresses, "resolve", public_names({HOST: inward}))
    result = force_webhooks.send_due(utcnow())
    assert (result.delivered, result.retrying) == (0, 1)
    assert receiver.requests == [] and receiver.connected_to == []
    db.session.expire_all()
    assert "public host" in db.session.query(ForceWebhookDelivery).one().last_error


def test_a_plain_http_address_already_stored_is_not_called(db, receiver):
    force, _ = _force_with_webhook(f"http://{HOST}/waypoint-outcomes")
    _withdrawn_referral(force)
    db.session.commit()
    assert force_webhooks.send_due(utcnow()).retrying == 1
    assert receiver.requests == [] and receiver.connected_to == []
