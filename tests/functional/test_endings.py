"""Every way a booking ends settles its money, help requests and messages together."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.models import (
    Booking,
    BookingStatus,
    Notification,
    Payment,
    Refund,
    RefundStatus,
    Role,
    WaitingListEntry,
    WaitingStatus,
    WaiverRequest,
    WaiverStatus,
    utcnow,
)
from booking.services.bookings import seats as bookings
from booking.services.bookings import waitlist
from booking.services.money import fund
from tests import factories
from tests.payment_helpers import (
    FakeGateway,
    booking_awaiting_payment,
    checkout_event,
    post_event,
)
from tests.referral_factories import make_email_safe
from tests.worker_helpers import run_queued_tasks

pytestmark = pytest.mark.database

FEE = 3000
STAFF_REFERER = {"Referer": "http://localhost/admin/money/waivers"}


def _fund(db, budget=10_000):
    created = fund.create_fund(
        year_starting=fund.financial_year_of(utcnow()),
        name="Hardship fund",
        budget_pence=budget,
        by=None,
        now=utcnow(),
    )
    db.session.commit()
    return created


def _fee_session(**fields):
    return factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=FEE), **fields
    )


def _ask_for_help(client, auth, db, course_session, person):
    auth.login_as(user=person)
    booked = client.post(f"/my/sessions/{course_session.id}/book")
    reference = booked.headers["Location"].rsplit("/", 1)[-1]
    asked = client.post(
        f"/my/bookings/{reference}/help-with-fee", data={"reason": "benefits", "note": ""}
    )
    assert asked.status_code == 303
    db.session.expire_all()
    return db.session.scalar(select(Booking).where(Booking.reference == reference))


def _paid_by_card(client, db, **fields):
    """A booking confirmed by a (signed) Stripe webhook, as in production."""
    if "course_session" not in fields:
        # Far enough ahead for the automatic refund when the person cancels.
        fields["course_session"] = _fee_session(starts_at=utcnow() + timedelta(days=30))
    booking, payment = booking_awaiting_payment(db, **fields)
    event = checkout_event(f"evt_paid_{payment.id}", "checkout.session.completed", payment)
    assert post_event(client, event).json["outcome"] == "confirmed"
    db.session.expire_all()
    return db.session.get(Booking, booking.id), db.session.get(Payment, payment.id)


def _waiver(db, booking_id):
    db.session.expire_all()
    return db.session.scalar(select(WaiverRequest).where(WaiverRequest.booking_id == booking_id))


# --- help requests ----------------------------------------------------------------------------


def test_cancelling_closes_a_pending_help_request_so_approving_it_spends_nothing(client, auth, db):
    the_fund = _fund(db)
    person = factories.user(Role.ATTENDEE)
    db.session.commit()
    booking = _ask_for_help(client, auth, db, _fee_session(), person)
    assert client.post(f"/my/bookings/{booking.reference}/cancel").status_code == 303
    waiver_id = _waiver(db, booking.id).id
    auth.logout()

    auth.login_as(Role.ADMIN)
    queue = client.get("/admin/money/waivers").get_data(as_text=True)
    assert booking.reference not in queue
    decided = client.post(
        f"/admin/money/waivers/{waiver_id}", data={"approve": "Approve"}, headers=STAFF_REFERER
    )
    followed = client.get(decided.headers["Location"]).get_data(as_text=True)
    assert "This request has already been decided." in followed
    assert fund.balance(the_fund.id) == 10_000
    assert _waiver(db, booking.id).status == WaiverStatus.WITHDRAWN


def test_rescheduling_moves_a_pending_help_request_to_the_new_booking(client, auth, db):
    the_fund = _fund(db)
    person = factories.user(Role.ATTENDEE)
    course_session = _fee_session()
    later_session = factories.course_session(
        course_type_row=course_session.course_type,
        starts_at=course_session.starts_at + timedelta(days=3),
    )
    db.session.commit()
    old = _ask_for_help(client, auth, db, course_session, person)
    moved = client.post(
        f"/my/bookings/{old.reference}/reschedule", data={"session_id": later_session.id}
    )
    assert moved.status_code == 303
    db.session.expire_all()
    new = db.session.scalar(select(Booking).where(Booking.session_id == later_session.id))
    assert new.status == BookingStatus.AWAITING_WAIVER
    waiver = _waiver(db, new.id)
    assert waiver is not None and waiver.status == WaiverStatus.PENDING
    auth.logout()

    auth.login_as(Role.ADMIN)
    client.post(
        f"/admin/money/waivers/{waiver.id}", data={"approve": "Approve"}, headers=STAFF_REFERER
    )
    db.session.expire_all()
    assert db.session.get(Booking, new.id).status == BookingStatus.CONFIRMED
    assert db.session.get(Booking, old.id).status == BookingStatus.CANCELLED
    assert fund.balance(the_fund.id) == 10_000 - FEE


# --- staff cancelling a session ---------------------------------------------------------------


def test_cancelling_a_session_refunds_card_payments_and_gives_help_back_to_the_fund(
    client, auth, db
):
    the_fund = _fund(db)
    course_session = _fee_session()
    helped = factories.user(Role.ATTENDEE)
    payer = factories.user(Role.ATTENDEE)
    make_email_safe(payer)
    db.session.commit()
    paid, payment = _paid_by_card(client, db, course_session=course_session, person=payer)
    waived = _ask_for_help(client, auth, db, course_session, helped)
    auth.logout()
    auth.login_as(Role.ADMIN)
    waiver_id = _waiver(db, waived.id).id
    client.post(
        f"/admin/money/waivers/{waiver_id}", data={"approve": "Approve"}, headers=STAFF_REFERER
    )
    assert fund.balance(the_fund.id) == 10_000 - FEE

    response = client.post(
        f"/admin/sessions/{course_session.id}/cancel", data={"reason": "Trainer unwell"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund is not None and refund.amount_pence == FEE
    assert fund.balance(the_fund.id) == 10_000
    bodies = [
        n.body
        for n in db.session.scalars(
            select(Notification).where(Notification.kind == "session_cancelled")
        )
    ]
    assert bodies and not any("you have not lost anything" in body for body in bodies)
    payer_message = next(body for body in bodies if paid.reference in body)
    assert "refunding the £30 you paid" in payer_message


def test_a_fully_refunded_booking_shows_nothing_still_due(client, auth, db, monkeypatch):
    booking, _ = _paid_by_card(client, db)
    person = db.session.get(Booking, booking.id).user
    gateway = FakeGateway()
    monkeypatch.setattr("booking.jobs.scheduled.gateway_from_config", lambda c: gateway)
    auth.login_as(user=person)
    assert client.post(f"/my/bookings/{booking.reference}/cancel").status_code == 303
    assert len(gateway.calls) == 1
    auth.logout()
    auth.login_as(Role.ADMIN)
    page = client.get(f"/admin/money/bookings/{booking.reference}").get_data(as_text=True)
    assert "<dt>Still due</dt><dd>£0</dd>" in page
    auth.logout()
    auth.login_as(user=person)
    page = client.get(f"/my/bookings/{booking.reference}").get_data(as_text=True)
    assert "£30 has been refunded to the card you paid with" in page


# --- refunds after the commit -----------------------------------------------------------------


def test_the_refund_goes_to_stripe_from_the_worker_never_inside_the_request(
    client, auth, db, monkeypatch, queued
):
    booking, payment = _paid_by_card(client, db)
    person = db.session.get(Booking, booking.id).user
    gateway = FakeGateway()
    monkeypatch.setattr("booking.jobs.scheduled.gateway_from_config", lambda c: gateway)
    auth.login_as(user=person)
    assert client.post(f"/my/bookings/{booking.reference}/cancel").status_code == 303
    assert gateway.calls == []  # the person did not wait on Stripe
    db.session.expire_all()
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund.status == RefundStatus.REQUESTED

    run_queued_tasks(queued)  # what a worker would do next
    assert [call["amount"] for call in gateway.calls] == [FEE]
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == RefundStatus.SUCCEEDED


def test_a_stripe_outage_does_not_stop_a_person_cancelling(app, client, auth, db, monkeypatch):
    booking, payment = _paid_by_card(client, db)
    person = db.session.get(Booking, booking.id).user
    # A real gateway pointed at a closed port: every call to Stripe fails.
    app.config.update(STRIPE_SECRET_KEY="sk_test_outage", STRIPE_API_BASE="http://127.0.0.1:9")
    auth.login_as(user=person)
    response = client.post(f"/my/bookings/{booking.reference}/cancel")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund.status == RefundStatus.FAILED and refund.amount_pence == FEE
    auth.logout()

    auth.login_as(Role.ADMIN)
    page = client.get("/admin/money/refunds").get_data(as_text=True)
    assert booking.reference in page and "Send the refund again" in page
    gateway = FakeGateway()
    monkeypatch.setattr("booking.staff.money.refunds.gateway_from_config", lambda config: gateway)
    retried = client.post(f"/admin/money/refunds/{refund.id}/retry")
    assert retried.status_code == 303
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    assert refund.status == RefundStatus.SUCCEEDED and refund.stripe_refund_id == "re_fake_1"
    # The refund row's id is the idempotency key: a retry can never refund twice.
    assert gateway.calls == [
        {"intent": f"pi_for_{payment.id}", "amount": FEE, "key": f"waypoint-refund-{refund.id}"}
    ]
    assert refund.attempts == 2


def test_send_refunds_command_sends_what_was_left_waiting(app, client, auth, db, monkeypatch):
    booking, payment = _paid_by_card(client, db)
    person = db.session.get(Booking, booking.id).user
    auth.login_as(user=person)  # no Stripe key: the refund waits as a row
    client.post(f"/my/bookings/{booking.reference}/cancel")
    db.session.expire_all()
    refund = db.session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund.status == RefundStatus.REQUESTED
    gateway = FakeGateway()
    monkeypatch.setattr("booking.jobs.scheduled.gateway_from_config", lambda config: gateway)
    result = app.test_cli_runner().invoke(args=["send-refunds"])
    assert "Refunds sent: 1" in result.output
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == RefundStatus.SUCCEEDED
    assert app.test_cli_runner().invoke(args=["send-refunds"]).output.startswith("Refunds sent: 0")
    assert len(gateway.calls) == 1


def test_offline_payment_of_a_cancelled_booking_is_listed_for_staff_to_decide(client, auth, db):
    course_session = _fee_session()
    person = factories.user(Role.ATTENDEE)
    db.session.commit()
    auth.login_as(user=person)
    booked = client.post(f"/my/sessions/{course_session.id}/book")
    reference = booked.headers["Location"].rsplit("/", 1)[-1]
    auth.logout()
    auth.login_as(Role.ADMIN)
    client.post(
        f"/admin/money/bookings/{reference}/payments",
        data={"method": "cash", "amount": "30", "reference": "Till 3"},
    )
    auth.logout()
    auth.login_as(user=person)
    cancelled = client.post(f"/my/bookings/{reference}/cancel", follow_redirects=True)
    assert "We will be in touch about your payment" in cancelled.get_data(as_text=True)
    auth.logout()
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/money/refunds").get_data(as_text=True)
    assert reference in page and "£30 paid by cash" in page


def test_a_lapsed_hold_offers_its_seat_to_the_waiting_list(app, db):
    course_session = _fee_session(capacity=1)
    holder, waiting = factories.user(), factories.user()
    make_email_safe(waiting)
    an_hour_ago = utcnow() - timedelta(hours=1)
    bookings.book_session(course_session.id, holder, now=an_hour_ago)
    waitlist.join(course_session.id, waiting, now=an_hour_ago)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["expire-holds"])
    assert "Released 1 expired hold(s)." in result.output
    db.session.expire_all()
    entry = db.session.scalar(
        select(WaitingListEntry).where(WaitingListEntry.user_id == waiting.id)
    )
    assert entry.status == WaitingStatus.OFFERED
    offer = db.session.scalar(select(Notification).where(Notification.kind == "waitlist_offer"))
    assert "/waiting-list/claim/" in offer.body
