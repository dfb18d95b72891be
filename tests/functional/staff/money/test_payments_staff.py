"""Offline payments, refunds of them, the fund page, the money report, and card payment off."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from booking.models import Booking, BookingStatus, Payment, PaymentMethod, Refund, Role, utcnow
from booking.services.money import fund
from booking.services.money.amounts import parse_pounds
from booking.services.money.fees import fee_for
from tests import factories


def _awaiting(client, auth, db, fee=4500):
    course_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=fee)
    )
    db.session.commit()
    auth.login_as(Role.ATTENDEE)
    booked = client.post(f"/my/sessions/{course_session.id}/book")
    reference = booked.headers["Location"].rsplit("/", 1)[-1]
    return reference


def test_without_a_stripe_key_card_payment_is_off_and_says_so(client, auth, db):
    reference = _awaiting(client, auth, db)
    page = client.get(f"/my/bookings/{reference}").get_data(as_text=True)
    assert "Paying by card online is not available" in page
    assert "Paying the fee would be hard for me" in page
    response = client.post(
        f"/my/bookings/{reference}/pay",
        headers={"Referer": f"http://localhost/my/bookings/{reference}"},
        follow_redirects=True,
    )
    assert "not available at the moment" in response.get_data(as_text=True)
    assert db.session.scalar(select(Payment.id)) is None


def test_staff_record_a_phone_payment_which_confirms_then_refund_part(client, auth, db):
    reference = _awaiting(client, auth, db)
    auth.logout()
    auth.login_as(Role.ADMIN)
    page = client.get(f"/admin/money/bookings/{reference}").get_data(as_text=True)
    assert "Record a payment taken another way" in page and "£45" in page

    wrong = client.post(
        f"/admin/money/bookings/{reference}/payments",
        data={"method": "phone", "amount": "40", "reference": "T1"},
        headers={"Referer": f"http://localhost/admin/money/bookings/{reference}"},
        follow_redirects=True,
    )
    assert "must match what is still due" in wrong.get_data(as_text=True)
    assert db.session.scalar(select(Payment.id)) is None

    done = client.post(
        f"/admin/money/bookings/{reference}/payments",
        data={"method": "phone", "amount": "45.00", "reference": "T2"},
        follow_redirects=True,
    )
    assert "The booking is confirmed" in done.get_data(as_text=True)
    db.session.expire_all()
    booking = db.session.scalar(select(Booking).where(Booking.reference == reference))
    assert booking.status == BookingStatus.CONFIRMED
    payment = db.session.scalar(select(Payment))
    assert payment.method == PaymentMethod.PHONE and payment.reference == "T2"

    client.post(
        f"/admin/money/bookings/{reference}/payments/{payment.id}/refund",
        data={"amount": "15", "reason": "Travel costs"},
    )
    over = client.post(
        f"/admin/money/bookings/{reference}/payments/{payment.id}/refund",
        data={"amount": "30.01", "reason": "Too much"},
        headers={"Referer": f"http://localhost/admin/money/bookings/{reference}"},
        follow_redirects=True,
    )
    assert "cannot be more than what was paid" in over.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).refunded_pence == 1500
    assert [r.amount_pence for r in db.session.scalars(select(Refund))] == [1500]
    report = client.get("/admin/money/reports").get_data(as_text=True)
    assert "£45" in report and "£15" in report


def test_fund_page_creates_a_fund_and_tops_it_up(client, auth, db):
    auth.login_as(Role.ADMIN)
    year = fund.financial_year_of(utcnow())
    client.post(
        "/admin/money/fund",
        data={"year_starting": year, "name": "Commissioner fund", "budget": "500", "force_id": 0},
    )
    page = client.get("/admin/money/fund").get_data(as_text=True)
    assert "Commissioner fund" in page and "£500" in page
    fund_id = fund.fund_for(utcnow()).id
    client.post(f"/admin/money/fund/{fund_id}/top-up", data={"amount": "250", "note": "Grant"})
    assert fund.balance(fund_id) == 75_000
    bad = client.post(
        f"/admin/money/fund/{fund_id}/top-up",
        data={"amount": "-5"},
        headers={"Referer": "http://localhost/admin/money/fund"},
        follow_redirects=True,
    )
    assert "Enter an amount" in bad.get_data(as_text=True)
    assert fund.balance(fund_id) == 75_000


def test_money_pages_are_for_staff_only(client, auth, db):
    auth.login_as(Role.TRAINER)
    for url in ("/admin/money/fund", "/admin/money/reports", "/admin/money/bookings"):
        assert client.get(url).status_code == 403


def test_other_people_cannot_see_or_pay_my_booking(client, auth, db):
    reference = _awaiting(client, auth, db)
    auth.logout()
    auth.login_as(Role.ATTENDEE)
    assert client.get(f"/my/bookings/{reference}/payment").status_code == 404
    assert client.get(f"/my/bookings/{reference}/help-with-fee").status_code == 404


def test_scheme_fee_overrides_the_course_type_fee(db):
    course_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=3000)
    )
    scheme_free = type("S", (), {"fee_pence": 0})()
    scheme_default = type("S", (), {"fee_pence": None})()
    assert fee_for(course_session) == 3000
    assert fee_for(course_session, scheme_free) == 0
    assert fee_for(course_session, scheme_default) == 3000


def test_parse_pounds_and_financial_years():
    assert parse_pounds("£30") == 3000 and parse_pounds("30.5") == 3050
    assert parse_pounds("0") is None and parse_pounds("abc") is None
    assert parse_pounds("1.234") is None and parse_pounds("-5") is None
    assert fund.financial_year_of(date(2026, 3, 31)) == 2025
    assert fund.financial_year_of(date(2026, 4, 1)) == 2026
    # 31 March 23:30 UTC is already 1 April in London (summer time): the new year.
    assert fund.financial_year_of(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == 2026
