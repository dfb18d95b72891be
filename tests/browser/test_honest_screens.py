"""Screens say only what is so: a fresh hold is not "nearly up", an ended hold offers the date
again (no Pay button, no countdown, no empty fee heading), a finished course says so."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from booking.database import unit_of_work
from booking.extensions import db
from booking.models import (
    BookingStatus,
    CourseSession,
    CourseType,
    PoliceForce,
    Role,
    User,
    utcnow,
)
from booking.services.bookings import seats as bookings
from tests.browser.conftest import PASSWORD, sign_in, unique_email
from tests.referral_factories import referral

pytestmark = pytest.mark.browser


def _booked(live_server, email: str, *, slug: str, seconds: int, status=None, referred=False):
    """A person with a booking on a session of ``slug``, its hold ending in ``seconds``."""
    with live_server.app.app_context():
        with unit_of_work():
            person = User(email=email, role=Role.ATTENDEE, first_name="Kit")
            person.set_password(PASSWORD)
            db.session.add(person)
            db.session.flush()
            course_session = db.session.scalar(
                select(CourseSession)
                .join(CourseSession.course_type)
                .where(CourseType.slug == slug)
                .order_by(CourseSession.starts_at)
            )
            booking = bookings.book_session(course_session.id, person, now=utcnow())
            booking.hold_expires_at = utcnow() + timedelta(seconds=seconds)
            if status is not None:
                booking.status = status
            if referred:
                force = db.session.get(PoliceForce, course_session.force_id) or db.session.scalar(
                    select(PoliceForce)
                )
                booking.referral_id = referral(
                    force, course_session.course_type, date_of_birth=date(1988, 2, 2)
                ).id


def test_a_fresh_hold_does_not_say_time_is_nearly_up(new_page, live_server):
    email = unique_email()
    _booked(live_server, email, slug="evening-workshop", seconds=30 * 60)
    page = new_page(width=360)
    sign_in(page, email)
    page.get_by_role("link", name="Evening workshop").click()
    expect(page.get_by_role("heading", name="The fee")).to_be_visible()
    expect(page.get_by_text("Your time is nearly up")).to_have_count(0)


def test_a_hold_in_its_last_minutes_says_so(new_page, live_server):
    email = unique_email()
    _booked(live_server, email, slug="evening-workshop", seconds=4 * 60)
    page = new_page(width=360, javascript=False)
    sign_in(page, email)
    page.get_by_role("link", name="Evening workshop").click()
    expect(page.get_by_text("Your time is nearly up")).to_be_visible()


@pytest.mark.parametrize("status", [None, BookingStatus.EXPIRED], ids=["not-swept", "expired"])
def test_an_ended_hold_offers_the_date_again_and_nothing_to_pay(new_page, live_server, status):
    email = unique_email()
    _booked(live_server, email, slug="evening-workshop", seconds=-60, status=status)
    page = new_page(width=360)
    sign_in(page, email)
    page.goto("/my/bookings")
    page.get_by_role("link", name="Evening workshop").click()
    expect(page.get_by_role("heading", name="Your hold on this place has ended")).to_be_visible()
    expect(page.get_by_role("button", name="Pay", exact=False)).to_have_count(0)
    expect(page.get_by_text("runs out in 2 minutes")).to_have_count(0)
    expect(page.get_by_role("heading", name="The fee")).to_have_count(0)
    page.get_by_role("link", name="Book this date again").click()
    expect(page.get_by_role("heading", name="Evening workshop")).to_be_visible()


def test_a_completed_course_says_completed_not_the_deadline(new_page, live_server):
    email = unique_email()
    _booked(
        live_server,
        email,
        slug="peer-support",
        seconds=0,
        status=BookingStatus.ATTENDED,
        referred=True,
    )
    page = new_page(width=360)
    sign_in(page, email)
    page.goto("/my/bookings")
    page.get_by_role("link", name="Peer support group").first.click()
    expect(page.get_by_text("Completed: you have finished the course")).to_be_visible()
    expect(page.get_by_text("Complete the course by")).to_have_count(0)
