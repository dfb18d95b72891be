"""Two staff approve different waivers at once against the last £30 of the fund: one succeeds.

Runs on SQLite (BEGIN IMMEDIATE serialises the writers) and, with TEST_DATABASE_URL, on
PostgreSQL, where the fund row lock (SELECT ... FOR UPDATE) does the work.
"""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import select

from booking.models import Role, WaiverReason, WaiverRequest, WaiverStatus, utcnow
from booking.services.bookings import seats as bookings
from booking.services.money import fund
from booking.services.money import help_requests as waivers
from tests import factories

FEE = 3000


def test_concurrent_approvals_against_the_last_of_the_fund(app, db):
    the_fund = fund.create_fund(
        year_starting=fund.financial_year_of(utcnow()),
        name="Hardship fund",
        budget_pence=FEE,
        by=None,
        now=utcnow(),
    )
    course_session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=FEE)
    )
    waiver_ids = []
    for _ in range(2):
        person = factories.user(Role.ATTENDEE)
        booking = bookings.book_session(course_session.id, person, now=utcnow())
        waiver = waivers.request_waiver(
            booking.id, person=person, reason=WaiverReason.BENEFITS, note="", now=utcnow()
        )
        db.session.flush()
        waiver_ids.append(waiver.id)
    staff_emails = [factories.user(Role.ADMIN).email for _ in range(2)]
    fund_id = the_fund.id
    db.session.commit()
    barrier = Barrier(2)

    def approve(args):
        email, waiver_id = args
        client = app.test_client()
        with app.app_context():
            client.post("/account/login", data={"email": email, "password": factories.PASSWORD})
        barrier.wait()
        with app.app_context():
            response = client.post(
                f"/admin/money/waivers/{waiver_id}",
                data={"approve": "Approve"},
                headers={"Referer": "http://localhost/admin/money/waivers"},
                follow_redirects=True,
            )
        return response.status_code, response.get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(approve, zip(staff_emails, waiver_ids, strict=True)))

    assert all(status < 500 for status, _ in results), [status for status, _ in results]
    db.session.rollback()
    statuses = db.session.scalars(
        select(WaiverRequest.status).where(WaiverRequest.id.in_(waiver_ids))
    ).all()
    assert sorted(statuses) == sorted([WaiverStatus.APPROVED, WaiverStatus.PENDING])
    assert fund.balance(fund_id) == 0
    refused = [body for _, body in results if "more than the fund has left" in body]
    assert len(refused) == 1
