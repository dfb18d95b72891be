"""Money and endings racing each other, with real threads and separate connections.

Staff recording an offline payment while the person cancels, and Stripe's webhook arriving
while the person cancels, lock in the one order (session, booking, payments): no deadlock, no
5xx, and every booking's money adds up whichever wins. Meaningful on PostgreSQL (row locks);
on SQLite the unit of work's BEGIN IMMEDIATE makes the writers take turns.
"""

from datetime import timedelta
from threading import Barrier, Thread

import pytest
from sqlalchemy import select

from booking.models import (
    Booking,
    BookingStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    Role,
    utcnow,
)
from booking.services.bookings import seats as bookings
from booking.services.money import payments as money
from booking.services.money import refunds
from tests import factories
from tests.databases import postgres_url
from tests.payment_helpers import booking_awaiting_payment, checkout_event, post_event

PAIRS = 30
FEE = 3000

pytestmark = [
    pytest.mark.database,
    pytest.mark.skipif(
        postgres_url() is None,
        reason="row-lock order and deadlocks only exist on PostgreSQL (set TEST_DATABASE_URL); "
        "SQLite's single write lock serialises these writers",
    ),
]


def _signed_in(app, email):
    client = app.test_client()
    with app.app_context():
        response = client.post(
            "/account/login", data={"email": email, "password": factories.PASSWORD}
        )
    assert response.status_code == 302
    return client


def _race(app, first, second):
    """Run two callables at the same instant in two threads, each with its own app context
    (so its own database session and connection); return both status codes."""
    barrier = Barrier(2)
    results = {}

    def run(name, action):
        barrier.wait()
        with app.app_context():
            results[name] = action()

    threads = [Thread(target=run, args=(name, action)) for name, action in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _far_session(capacity=PAIRS + 1):
    return factories.course_session(
        capacity=capacity,
        starts_at=utcnow() + timedelta(days=30),
        course_type_row=factories.course_type(default_fee_pence=FEE),
    )


def test_offline_payment_racing_the_person_cancelling(app, db):
    course_session = _far_session()
    staff = factories.user(Role.ADMIN)
    people = [factories.user(Role.ATTENDEE) for _ in range(PAIRS)]
    booked = [bookings.book_session(course_session.id, p, now=utcnow()) for p in people]
    references = [b.reference for b in booked]
    emails = [p.email for p in people]
    staff_email = staff.email
    db.session.commit()

    statuses = []
    for reference, email in zip(references, emails, strict=True):
        staff_client = _signed_in(app, staff_email)
        person_client = _signed_in(app, email)
        result = _race(
            app,
            (
                "payment",
                lambda c=staff_client, r=reference: (
                    c.post(
                        f"/admin/money/bookings/{r}/payments",
                        data={"method": "cash", "amount": "30", "reference": "Till"},
                    ).status_code
                ),
            ),
            (
                "cancel",
                lambda c=person_client, r=reference: c.post(f"/my/bookings/{r}/cancel").status_code,
            ),
        )
        statuses.append(result)

    assert all(len(r) == 2 and max(r.values()) < 500 for r in statuses), statuses
    db.session.rollback()
    for reference in references:
        booking = db.session.scalar(select(Booking).where(Booking.reference == reference))
        paid = db.session.scalars(
            select(Payment).where(
                Payment.booking_id == booking.id, Payment.status == PaymentStatus.SUCCEEDED
            )
        ).all()
        # The person's cancel always wins in the end (it came before or after the payment).
        assert booking.status == BookingStatus.CANCELLED
        assert money.amount_due(booking) == 0
        assert len(paid) <= 1
        if paid:
            # Cash taken, then cancelled: the money is held for staff to decide.
            assert paid[0].method == PaymentMethod.CASH and paid[0].refundable_pence == FEE
            assert paid[0] in refunds.payments_to_decide()


def test_stripe_webhook_racing_the_person_cancelling(app, client, db):
    course_session = _far_session()
    pending = []
    for _ in range(PAIRS):
        booking, payment = booking_awaiting_payment(db, course_session=course_session)
        pending.append((booking.reference, booking.user.email, payment))
    db.session.commit()

    statuses = []
    for number, (reference, email, payment) in enumerate(pending):
        person_client = _signed_in(app, email)
        webhook_client = app.test_client()
        event = checkout_event(f"evt_race_{number}", "checkout.session.completed", payment)
        result = _race(
            app,
            ("webhook", lambda c=webhook_client, e=event: post_event(c, e).status_code),
            (
                "cancel",
                lambda c=person_client, r=reference: c.post(f"/my/bookings/{r}/cancel").status_code,
            ),
        )
        statuses.append(result)

    assert all(len(r) == 2 and max(r.values()) < 500 for r in statuses), statuses
    db.session.rollback()
    for reference, _, payment in pending:
        booking = db.session.scalar(select(Booking).where(Booking.reference == reference))
        payment = db.session.get(Payment, payment.id)
        given_back = db.session.scalars(select(Refund).where(Refund.payment_id == payment.id)).all()
        # Paid, then cancelled (or cancelled, then paid): exactly one full refund, to be sent.
        assert booking.status == BookingStatus.CANCELLED
        assert payment.status == PaymentStatus.SUCCEEDED
        assert [r.amount_pence for r in given_back] == [FEE]
        assert given_back[0].status == RefundStatus.REQUESTED
        assert payment.refunded_pence == FEE and money.amount_due(booking) == 0
