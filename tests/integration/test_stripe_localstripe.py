"""The Stripe API path end to end against localstripe on loopback (no internet).

A person books a £30 session and pays: the app creates a Checkout Session through the stripe
library, the person "pays" on the fake Stripe page, a signed checkout.session.completed reaches
the running app's webhook, the booking is confirmed; staff then refund it through the Refund API.
"""

import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from booking import create_app
from booking.extensions import db as _db
from booking.models import Booking, BookingStatus, Payment, PaymentStatus, Refund, Role, utcnow
from booking.services.bookings import cancellation
from booking.services.bookings import seats as bookings
from config import TestConfig
from tests import factories, localstripe_checkout

WEBHOOK_SECRET = "whsec_localstripe_test"


@pytest.fixture(scope="module")
def localstripe_url():
    url = localstripe_checkout.start()
    yield url
    localstripe_checkout.stop()


@pytest.fixture
def app(database_url, localstripe_url):
    """The app, served over HTTP on loopback so localstripe can deliver its webhook."""
    port = localstripe_checkout.free_port()
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        STRIPE_SECRET_KEY="sk_test_localstripe",
        STRIPE_API_BASE=localstripe_url,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    localstripe_checkout.CONFIG.update(
        webhook_url=f"http://127.0.0.1:{port}/webhooks/stripe", webhook_secret=WEBHOOK_SECRET
    )
    try:
        with app.app_context():
            yield app
            _db.session.remove()
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            _db.engine.dispose()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _visit_without_following(url: str):
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=20)
    except urllib.error.HTTPError as response:  # 3xx arrive here when not followed
        return response.code, response.headers.get("Location")
    raise AssertionError("expected a redirect")


def test_pay_by_card_then_refund(client, auth, db, localstripe_url):
    course_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=3000)
    )
    db.session.commit()
    person = auth.login_as(Role.ATTENDEE)
    booked = client.post(f"/my/sessions/{course_session.id}/book")
    reference = booked.headers["Location"].rsplit("/", 1)[-1]
    page = client.get(f"/my/bookings/{reference}").get_data(as_text=True)
    assert "Pay £30 by card" in page

    checkout = client.post(f"/my/bookings/{reference}/pay")
    assert checkout.status_code == 303
    pay_url = checkout.headers["Location"]
    assert pay_url.startswith(localstripe_url + "/_config/checkout/cs_test_")
    session_id = pay_url.split("/")[-2]
    stripe_session = localstripe_checkout.SESSIONS[session_id]
    assert stripe_session["metadata"]["booking_id"]
    assert stripe_session["amount_total"] == 3000 and stripe_session["currency"] == "gbp"
    assert stripe_session["idempotency_key"].startswith("waypoint-checkout-")
    db.session.expire_all()
    booking = db.session.scalar(select(Booking).where(Booking.reference == reference))
    assert booking.status == BookingStatus.AWAITING_PAYMENT
    assert abs(stripe_session["expires_at"] - booking.hold_expires_at.timestamp()) < 2
    waiting = client.get(f"/my/bookings/{reference}/payment").get_data(as_text=True)
    assert "waiting for your payment" in waiting and 'http-equiv="refresh"' in waiting

    status, location = _visit_without_following(pay_url)

    assert status == 303 and location.endswith(f"/my/bookings/{reference}/payment")
    done = client.get(f"/my/bookings/{reference}/payment").get_data(as_text=True)
    assert "Your place is booked" in done and "refresh" not in done
    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    assert booking.status == BookingStatus.CONFIRMED
    payment = db.session.scalar(select(Payment).where(Payment.booking_id == booking.id))
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.stripe_payment_intent_id == stripe_session["payment_intent"]

    auth.logout()
    auth.login_as(Role.ADMIN)
    too_much = client.post(
        f"/admin/money/bookings/{reference}/payments/{payment.id}/refund",
        data={"amount": "31", "reason": "Too much"},
        headers={"Referer": f"http://localhost/admin/money/bookings/{reference}"},
        follow_redirects=True,
    )
    assert "cannot be more than what was paid" in too_much.get_data(as_text=True)
    refunded = client.post(
        f"/admin/money/bookings/{reference}/payments/{payment.id}/refund",
        data={"amount": "10", "reason": "Part refund agreed"},
        follow_redirects=True,
    )
    assert "Refund made" in refunded.get_data(as_text=True)
    db.session.expire_all()
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund.amount_pence == 1000 and refund.stripe_refund_id.startswith("re_")
    assert db.session.get(Payment, payment.id).refunded_pence == 1000
    assert person.id == booking.user_id


def _start_card_payment(client, auth, db, *, days_ahead=10, capacity=10):
    course_session = factories.course_session(
        starts_at=utcnow().replace(microsecond=0) + timedelta(days=days_ahead),
        capacity=capacity,
        course_type_row=factories.course_type(default_fee_pence=3000),
    )
    db.session.commit()
    person = auth.login_as(Role.ATTENDEE)
    booked = client.post(f"/my/sessions/{course_session.id}/book")
    reference = booked.headers["Location"].rsplit("/", 1)[-1]
    pay_url = client.post(f"/my/bookings/{reference}/pay").headers["Location"]
    return person, reference, pay_url


def test_attendee_cancelling_in_good_time_is_refunded_in_full(client, auth, db):
    _, reference, pay_url = _start_card_payment(client, auth, db, days_ahead=10)
    _visit_without_following(pay_url)
    response = client.post(f"/my/bookings/{reference}/cancel", follow_redirects=True)
    assert "refunding your payment in full" in response.get_data(as_text=True)
    db.session.expire_all()
    payment = db.session.scalar(select(Payment).join(Booking).where(Booking.reference == reference))
    assert payment.refunded_pence == 3000
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund.stripe_refund_id.startswith("re_")


def test_payment_arriving_after_the_last_place_went_is_refunded(client, auth, db):
    _, reference, pay_url = _start_card_payment(client, auth, db, capacity=1)
    booking = db.session.scalar(select(Booking).where(Booking.reference == reference))
    cancellation.expire_holds(now=utcnow() + timedelta(hours=2), policy=factories.ENDING_POLICY)
    other = factories.user(Role.ATTENDEE)
    taken = bookings.hold_seat(booking.session_id, other, now=utcnow())
    bookings.confirm(taken, by=other, now=utcnow(), via="test")
    db.session.commit()

    status, _ = _visit_without_following(pay_url)

    assert status == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.EXPIRED
    payment = db.session.scalar(select(Payment).where(Payment.booking_id == booking.id))
    assert payment.refunded_pence == payment.amount_pence == 3000
    assert db.session.scalar(select(Refund.stripe_refund_id)).startswith("re_")
