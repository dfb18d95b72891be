"""POST /webhooks/stripe, signed with Stripe's real scheme and verified by the stripe library."""

import json
import time
from datetime import timedelta

from sqlalchemy import func, select

from booking.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    Notification,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    Role,
    StripeEvent,
    WaiverReason,
    utcnow,
)
from booking.services.bookings import cancellation
from booking.services.bookings import seats as bookings
from booking.services.money import fund, help_requests
from tests import factories
from tests.payment_helpers import (
    FakeGateway,
    booking_awaiting_payment,
    checkout_event,
    post_event,
    signature,
)
from tests.worker_helpers import run_queued_tasks


def _status(db, booking_id):
    db.session.expire_all()
    return db.session.get(Booking, booking_id).status


def test_completed_confirms_once_and_a_repeat_changes_nothing(client, db):
    booking, payment = booking_awaiting_payment(db)
    event = checkout_event("evt_paid_1", "checkout.session.completed", payment)

    first = post_event(client, event)
    again = post_event(client, event)

    assert first.status_code == 200 and first.json["outcome"] == "confirmed"
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    assert _status(db, booking.id) == BookingStatus.CONFIRMED
    assert db.session.get(Payment, payment.id).status == PaymentStatus.SUCCEEDED
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 1
    confirmations = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "booking.confirmed")
    )
    assert confirmations == 1
    emails = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.kind == "booking_confirmed")
    )
    assert emails <= 1


def test_expired_arriving_after_completed_does_not_release_the_seat(client, db):
    booking, payment = booking_awaiting_payment(db)
    post_event(client, checkout_event("evt_a", "checkout.session.completed", payment))
    late = post_event(client, checkout_event("evt_b", "checkout.session.expired", payment))
    assert late.status_code == 200
    assert _status(db, booking.id) == BookingStatus.CONFIRMED
    assert db.session.get(Payment, payment.id).status == PaymentStatus.SUCCEEDED


def test_expired_checkout_releases_the_seat(client, db):
    booking, payment = booking_awaiting_payment(db)
    response = post_event(client, checkout_event("evt_x", "checkout.session.expired", payment))
    assert response.status_code == 200
    assert _status(db, booking.id) == BookingStatus.EXPIRED
    assert db.session.get(Payment, payment.id).status == PaymentStatus.FAILED


def test_expired_checkout_keeps_a_seat_whose_hold_was_extended(client, db):
    """The person asked for more time: the old Checkout Session lapsing must not take the seat."""
    booking, payment = booking_awaiting_payment(db)
    booking.hold_extended = True
    booking.hold_expires_at = utcnow() + timedelta(minutes=25)
    db.session.commit()
    response = post_event(client, checkout_event("evt_y", "checkout.session.expired", payment))
    assert response.status_code == 200
    assert _status(db, booking.id) == BookingStatus.AWAITING_PAYMENT
    assert db.session.get(Payment, payment.id).status == PaymentStatus.FAILED


def test_forged_signature_is_refused_and_changes_nothing(client, db):
    booking, payment = booking_awaiting_payment(db)
    event = checkout_event("evt_forged", "checkout.session.completed", payment)
    response = post_event(client, event, secret="whsec_someone_else")
    assert response.status_code == 400
    assert _status(db, booking.id) == BookingStatus.AWAITING_PAYMENT
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 0


def test_tampered_body_is_refused(client, db):
    booking, payment = booking_awaiting_payment(db)
    event = checkout_event("evt_t", "checkout.session.completed", payment)
    tampered = json.dumps({**event, "id": "evt_other"}).encode()
    response = post_event(client, event, body=tampered)
    assert response.status_code == 400
    assert _status(db, booking.id) == BookingStatus.AWAITING_PAYMENT


def test_stale_timestamp_is_refused(client, db):
    booking, payment = booking_awaiting_payment(db)
    event = checkout_event("evt_old", "checkout.session.completed", payment)
    response = post_event(client, event, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert _status(db, booking.id) == BookingStatus.AWAITING_PAYMENT


def test_unsigned_event_is_refused(client, db):
    booking, payment = booking_awaiting_payment(db)
    event = checkout_event("evt_u", "checkout.session.completed", payment)
    response = client.post("/webhooks/stripe", json=event)
    assert response.status_code == 400
    assert _status(db, booking.id) == BookingStatus.AWAITING_PAYMENT


def test_unknown_event_type_is_accepted_and_ignored(client, db):
    booking, _ = booking_awaiting_payment(db)
    event = {"id": "evt_c", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    response = post_event(client, event)
    assert response.status_code == 200 and response.json["outcome"] == "ignored"
    assert _status(db, booking.id) == BookingStatus.AWAITING_PAYMENT


def test_amount_mismatch_never_confirms(client, db):
    booking, payment = booking_awaiting_payment(db)
    event = checkout_event("evt_m", "checkout.session.completed", payment, amount_total=100)
    response = post_event(client, event)
    assert response.status_code == 200 and response.json["outcome"] == "amount_mismatch"
    assert _status(db, booking.id) == BookingStatus.AWAITING_PAYMENT
    assert db.session.get(Payment, payment.id).status == PaymentStatus.NEEDS_REVIEW


def test_wrong_currency_never_confirms(client, db):
    booking, payment = booking_awaiting_payment(db)
    event = checkout_event("evt_cur", "checkout.session.completed", payment, currency="usd")
    assert post_event(client, event).json["outcome"] == "amount_mismatch"
    assert _status(db, booking.id) == BookingStatus.AWAITING_PAYMENT


def test_async_payment_waits_then_succeeds_or_fails(client, db):
    booking, payment = booking_awaiting_payment(db)
    pending = checkout_event(
        "evt_p1", "checkout.session.completed", payment, payment_status="unpaid"
    )
    assert post_event(client, pending).json["outcome"] == "awaiting_async_payment"
    assert _status(db, booking.id) == BookingStatus.AWAITING_PAYMENT
    succeeded = checkout_event("evt_p2", "checkout.session.async_payment_succeeded", payment)
    assert post_event(client, succeeded).json["outcome"] == "confirmed"

    other, other_payment = booking_awaiting_payment(db)
    failed = checkout_event("evt_p3", "checkout.session.async_payment_failed", other_payment)
    assert post_event(client, failed).json["outcome"] == "released"
    assert _status(db, other.id) == BookingStatus.EXPIRED


def test_payment_after_the_hold_lapsed_confirms_when_a_place_is_free(client, db):
    booking, payment = booking_awaiting_payment(db, capacity=2)
    cancellation.expire_holds(now=utcnow() + timedelta(hours=2), policy=factories.ENDING_POLICY)
    db.session.commit()
    assert _status(db, booking.id) == BookingStatus.EXPIRED
    response = post_event(client, checkout_event("evt_late", "checkout.session.completed", payment))
    assert response.json["outcome"] == "confirmed"
    assert _status(db, booking.id) == BookingStatus.CONFIRMED


def test_payment_after_the_place_went_is_not_confirmed(client, db):
    booking, payment = booking_awaiting_payment(db, capacity=1)
    cancellation.expire_holds(now=utcnow() + timedelta(hours=2), policy=factories.ENDING_POLICY)
    someone_else = factories.user(Role.ATTENDEE)
    taken = bookings.hold_seat(booking.session_id, someone_else, now=utcnow())
    bookings.confirm(taken, by=someone_else, now=utcnow(), via="test")
    db.session.commit()
    response = post_event(client, checkout_event("evt_gone", "checkout.session.completed", payment))
    # The refund is a row; with no Stripe key here it waits on the staff refunds page (the
    # localstripe test sends it).
    assert response.status_code == 200 and response.json["outcome"] == "refunded_no_place"
    assert _status(db, booking.id) == BookingStatus.EXPIRED
    refund = db.session.scalar(select(Refund))
    assert refund.status == RefundStatus.REQUESTED and refund.amount_pence == payment.amount_pence


def test_charge_refunded_in_stripe_dashboard_is_recorded_once(client, db):
    booking, payment = booking_awaiting_payment(db)
    post_event(client, checkout_event("evt_1", "checkout.session.completed", payment))
    charge = {
        "id": "evt_r1",
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_1",
                "object": "charge",
                "payment_intent": f"pi_for_{payment.id}",
                "amount_refunded": 1000,
                "refunds": {"data": [{"id": "re_dash_1", "amount": 1000}]},
            }
        },
    }
    assert post_event(client, charge).json["outcome"] == "refund_recorded"
    repeat_with_new_id = {**charge, "id": "evt_r2"}
    assert post_event(client, repeat_with_new_id).json["outcome"] == "refund_known"
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).refunded_pence == 1000


def test_signature_helper_matches_stripe_scheme():
    header = signature(b"{}", "whsec_x", 1700000000)
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64


def test_a_payment_arriving_after_the_fund_covered_the_fee_goes_back_and_the_place_stays(
    client, db, queued, monkeypatch
):
    """The Checkout page was left open while the hardship fund said yes to the whole fee."""
    booking, payment = booking_awaiting_payment(db)
    person, now = booking.user, utcnow()
    fund.create_fund(
        year_starting=fund.financial_year_of(now),
        name="Hardship fund",
        budget_pence=10_000,
        by=None,
        now=now,
    )
    waiver = help_requests.request_waiver(
        booking.id, person=person, reason=WaiverReason.BENEFITS, note="", now=now
    )
    help_requests.decide_waiver(
        waiver.id, by=factories.user(Role.FINANCE), approve=True, amount_pence=None, reason="",
        now=now,
    )  # fmt: skip
    db.session.commit()
    assert _status(db, booking.id) == BookingStatus.CONFIRMED
    gateway = FakeGateway()
    monkeypatch.setattr("booking.jobs.scheduled.gateway_from_config", lambda c: gateway)

    response = post_event(client, checkout_event("evt_late", "checkout.session.completed", payment))

    assert response.status_code == 200 and response.json["outcome"] == "already"
    assert _status(db, booking.id) == BookingStatus.CONFIRMED  # the place is kept
    refund = db.session.scalar(select(Refund))
    assert refund.amount_pence == payment.amount_pence and gateway.calls == []
    run_queued_tasks(queued)  # the worker, after the webhook's commit
    assert [call["amount"] for call in gateway.calls] == [payment.amount_pence]
    told = db.session.scalars(
        select(Notification).where(
            Notification.user_id == person.id, Notification.kind == "payment_refunded"
        )
    ).one()
    assert "already been covered" in told.body and "Your place is kept" in told.body
