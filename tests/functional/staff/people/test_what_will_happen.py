"""The staff cancel page says what will really happen before the coordinator confirms: the
money (refunded by card now, listed for finance to give back, or nothing paid), and who will be
told and how; finance giving back a phone payment is not told Stripe has not made it."""

from sqlalchemy import select

from booking.models import (
    AttendeeProfile,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    Role,
    utcnow,
)
from booking.services.bookings import seats as bookings
from tests import factories


def _booked(db, *, paid_by=None, **profile):
    course_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=4500 if paid_by else 0)
    )
    person = factories.user(first_name="Rowan", email="rowan@example.org")
    db.session.add(AttendeeProfile(user_id=person.id, **profile))
    booking = bookings.place_booking(course_session.id, person, now=utcnow(), source="staff")
    if paid_by is not None:
        payment = Payment(
            booking_id=booking.id,
            amount_pence=4500,
            refunded_pence=0,
            method=paid_by,
            status=PaymentStatus.SUCCEEDED,
            stripe_payment_intent_id="pi_test_1" if paid_by == PaymentMethod.CARD else None,
            paid_at=utcnow(),
        )
        db.session.add(payment)
        db.session.flush()
    return booking


def _cancel_page(client, booking) -> str:
    return client.get(f"/admin/people/bookings/{booking.reference}/cancel").get_data(as_text=True)


def test_cancel_page_says_a_card_payment_is_refunded_now_and_by_email(client, auth, db):
    booking = _booked(db, paid_by=PaymentMethod.CARD, email_is_safe=True)
    auth.login_as(Role.SCHEDULER)

    page = _cancel_page(client, booking)

    assert "£45 paid by card is refunded to the card now" in page
    assert "Rowan is told by email (rowan@example.org)." in page
    assert "Anything paid is refunded" not in page


def test_cancel_page_says_a_phone_payment_is_listed_for_finance(client, auth, db):
    booking = _booked(
        db,
        paid_by=PaymentMethod.PHONE,
        phone_is_safe=True,
        phone_number="07700 900456",
    )
    auth.login_as(Role.SCHEDULER)

    page = _cancel_page(client, booking)

    assert "£45 paid by phone is not refunded automatically" in page
    assert "listed for finance to give back" in page
    assert "refunded to the card" not in page
    assert "Rowan is told by a phone call from the team" in page
    done = client.post(
        f"/admin/people/bookings/{booking.reference}/cancel",
        data={"why": "Moving away"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "£45 is listed for finance to give back." in done


def test_cancel_page_says_nothing_was_paid_and_nobody_can_be_told(client, auth, db):
    booking = _booked(db)
    auth.login_as(Role.SCHEDULER)

    page = _cancel_page(client, booking)

    assert "Nothing has been paid, so there is nothing to refund." in page
    assert "has no safe way to be contacted, so will not be told" in page


def test_finance_giving_back_a_phone_payment_is_not_told_stripe_has_not_made_it(client, auth, db):
    booking = _booked(db, paid_by=PaymentMethod.PHONE)
    payment = db.session.scalars(select(Payment)).one()
    auth.login_as(Role.FINANCE)

    page = client.post(
        f"/admin/money/bookings/{booking.reference}/payments/{payment.id}/refund",
        data={"amount": "", "reason": "Cancelled by staff"},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert "Stripe has not made it yet" not in page
    assert "£45 paid by phone is given back to the person" in page
    assert db.session.scalars(select(Refund)).one().amount_pence == 4500
