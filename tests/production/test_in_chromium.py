"""A person's journey in Chromium against the deployed app, over https throughout.

Found by labels and button text only. Every form is posted with the browser's own Referer and
Origin, as the app's Referrer-Policy lets it send them, and none is refused.
"""

import re
import time

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from booking.models import Booking, BookingStatus, Payment, PaymentStatus, Refund, User

pytestmark = [pytest.mark.production, pytest.mark.browser]


@pytest.fixture
def page(browser, deployed):
    context = browser.new_context(base_url=deployed.url, ignore_https_errors=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _rows(deployed):
    engine = create_engine(deployed.database_url)
    try:
        with Session(engine) as session:
            person = session.scalar(select(User).where(User.email == deployed.email))
            bookings = {
                row.session_id: row.status
                for row in session.scalars(select(Booking).where(Booking.user_id == person.id))
            }
            payments = session.scalars(select(Payment.status)).all()
            refunds = session.execute(select(Refund.amount_pence, Refund.status)).all()
            return bookings, payments, refunds
    finally:
        engine.dispose()


def test_sign_in_book_pay_by_card_and_cancel_over_https(page, deployed):
    refused = []
    visited = []
    page.on("response", lambda answer: answer.status >= 400 and refused.append(answer.url))
    page.on("request", lambda request: visited.append(request.url))

    page.goto("/account/login")
    page.get_by_label("Email address").fill(deployed.email)
    page.get_by_label("Password", exact=True).fill(deployed.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="My bookings").wait_for()
    assert page.url.startswith("https://")

    page.goto(f"/sessions/{deployed.free_session_id}")
    page.get_by_role("link", name="Book", exact=True).click()
    page.get_by_role("button", name="Book this session").click()
    page.get_by_role("heading", name="Your place is booked").wait_for()

    page.goto(f"/sessions/{deployed.paid_session_id}")
    page.get_by_role("link", name="Book", exact=True).click()
    page.get_by_role("button", name="Book this session").click()
    page.get_by_role("button", name="Pay £35 by card").click()
    # The card step is the fake Stripe page, which pays and sends the person back here.
    page.wait_for_url(re.compile(rf"^{re.escape(deployed.url)}/my/bookings/[^/]+/payment$"))
    page.get_by_role("heading", name="Your place is booked").wait_for()
    assert any(url.startswith(f"{deployed.stripe_url}/_config/checkout/") for url in visited)

    page.goto("/my/bookings")
    page.get_by_role("link", name="Evening workshop").first.click()
    page.get_by_role("link", name="Cancel my booking").click()
    # The check page says what happens to the money before anything changes.
    page.get_by_text("We refund £35 to the card you paid with.").wait_for()
    page.get_by_role("button", name="Yes, cancel my booking").click()
    page.get_by_text("Your booking is cancelled. Your place has been released.").wait_for()
    page.get_by_text("We are refunding your payment in full.").wait_for()

    assert refused == []
    # The worker sends the refund to Stripe after the commit; give it a moment.
    deadline = time.monotonic() + 60
    while (refunds := _rows(deployed)[2]) and refunds[0][1].value == "requested":
        assert time.monotonic() < deadline, "the worker did not send the refund"
        time.sleep(0.5)
    bookings, payments, refunds = _rows(deployed)
    assert bookings == {
        deployed.free_session_id: BookingStatus.CONFIRMED,
        deployed.paid_session_id: BookingStatus.CANCELLED,
    }
    assert payments == [PaymentStatus.SUCCEEDED]
    # The refund row was written with the cancellation and sent to Stripe after the commit.
    assert [(amount, status.value) for amount, status in refunds] == [(3500, "succeeded")]
