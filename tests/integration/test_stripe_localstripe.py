"""The Stripe API path end to end against localstripe on loopback (no internet).

A person books a £30 session and pays: the app creates a Checkout Session through the stripe
library, the person "pays" on the fake Stripe page, a signed checkout.session.completed reaches
the running app's webhook, the booking is confirmed; staff then refund it through the Refund API.
"""

import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from booking import create_app
from booking.extensions import db as _db
from booking.models import Booking, BookingStatus, Payment, PaymentStatus, Refund, Role
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
