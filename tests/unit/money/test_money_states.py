"""Payment, refund and help-request statuses change only through one audited transition."""

import pytest
from sqlalchemy import select

from booking.models import (
    AuditEvent,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    Role,
    WaiverReason,
    WaiverRequest,
    WaiverStatus,
    utcnow,
)
from booking.services.bookings import seats as bookings
from booking.services.errors import DomainError
from booking.services.money import states
from tests import factories

pytestmark = pytest.mark.database


def _payment(db, status=PaymentStatus.PENDING):
    course_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=3000)
    )
    booking = bookings.book_session(course_session.id, factories.user(), now=utcnow())
    payment = Payment(
        booking_id=booking.id, amount_pence=3000, method=PaymentMethod.CARD, status=status
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def test_a_transition_writes_its_audit_event(db):
    payment = _payment(db)
    states.transition(payment, PaymentStatus.SUCCEEDED, by=None, now=utcnow())
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "payment", AuditEvent.entity_id == payment.id
        )
    )
    assert event.action == "payment.succeeded" and event.detail["previous"] == "pending"


@pytest.mark.parametrize(
    ("make", "start", "to"),
    [
        ("payment", PaymentStatus.SUCCEEDED, PaymentStatus.PENDING),
        ("refund", RefundStatus.SUCCEEDED, RefundStatus.FAILED),
        ("refund", RefundStatus.REQUESTED, RefundStatus.REQUESTED),
        ("waiver", WaiverStatus.APPROVED, WaiverStatus.WITHDRAWN),
        ("waiver", WaiverStatus.DECLINED, WaiverStatus.APPROVED),
    ],
)
def test_a_move_the_table_forbids_is_refused_and_changes_nothing(db, make, start, to):
    payment = _payment(db, PaymentStatus.SUCCEEDED)
    if make == "payment":
        record = payment
    elif make == "refund":
        record = Refund(payment_id=payment.id, amount_pence=100, status=start)
    else:
        record = WaiverRequest(
            booking_id=payment.booking_id,
            user_id=payment.booking.user_id,
            reason_category=WaiverReason.BENEFITS,
            fee_pence=3000,
            approved_pence=3000 if start == WaiverStatus.APPROVED else None,
            status=start,
        )
    db.session.add(record)
    db.session.flush()
    with pytest.raises(DomainError) as refused:
        states.transition(record, to, by=None, now=utcnow())
    assert refused.value.code == "invalid_transition"
    assert record.status == start


def test_retrying_a_refund_that_already_succeeded_is_a_calm_refusal(client, auth, db):
    payment = _payment(db, PaymentStatus.SUCCEEDED)
    refund = Refund(payment_id=payment.id, amount_pence=100, status=RefundStatus.SUCCEEDED)
    db.session.add(refund)
    db.session.commit()
    auth.login_as(Role.ADMIN)
    response = client.post(f"/admin/money/refunds/{refund.id}/retry")
    assert response.status_code == 409
    assert "already changed" in response.get_data(as_text=True)
