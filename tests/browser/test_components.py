"""Components people know: 40 px radios and checkboxes, a date of birth in three boxes, and a
header that leaves the page's heading in view on a phone."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from booking.database import unit_of_work
from booking.extensions import db
from booking.models import Booking, BookingStatus, CourseSession, CourseType, User
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
HEADER_MOST = 160  # px above the page's heading at 360 px wide, signed in or not


def _heading_top(page) -> float:
    return page.evaluate("document.querySelector('h1').getBoundingClientRect().top")


def test_radios_and_checkboxes_are_40_pixels(new_page, live_server):
    with live_server.app.app_context():
        session_id = db.session.scalar(
            select(CourseSession.id)
            .join(CourseSession.course_type)
            .where(CourseType.slug == "peer-support")
        )
    page = new_page(width=360)
    page.goto(f"/sessions/{session_id}/your-details")
    sizes = page.evaluate(
        "Array.from(document.querySelectorAll('main input[type=checkbox], main input[type=radio]'))"
        ".map(e => { const r = e.getBoundingClientRect(); return [e.id, r.width, r.height]; })"
    )
    assert sizes, "no radios or checkboxes found"
    small = [size for size in sizes if size[1] < 40 or size[2] < 40]
    assert small == []


def test_date_of_birth_is_three_boxes_not_a_date_picker(new_page):
    page = new_page(width=360)
    page.goto("/referral/start")
    expect(page.locator("input[type=date]")).to_have_count(0)
    for label in ("Day", "Month", "Year"):
        expect(page.get_by_label(label, exact=True)).to_have_attribute("inputmode", "numeric")


def test_the_header_leaves_the_heading_in_view_on_a_phone(new_page):
    page = new_page(width=360)
    page.goto("/")
    assert _heading_top(page) <= HEADER_MOST
    sign_in(page, "has.bookings@example.org")
    page.get_by_role("heading", name="My bookings").wait_for()
    assert _heading_top(page) <= HEADER_MOST


def test_a_confirmed_booking_opens_with_a_confirmation_panel(new_page, live_server):
    with live_server.app.app_context():
        with unit_of_work():
            booking = db.session.scalar(
                select(Booking)
                .join(User, Booking.user_id == User.id)
                .where(User.email == "has.bookings@example.org")
                .order_by(Booking.id)
                .limit(1)
            )
            booking.status = BookingStatus.CONFIRMED
            reference = booking.reference
    page = new_page(width=360)
    sign_in(page, "has.bookings@example.org")
    page.get_by_role("heading", name="My bookings").wait_for()
    page.goto(f"/my/bookings/{reference}")
    panel = page.locator(".panel--confirmation")
    expect(panel.get_by_role("heading", name="Your place is booked")).to_be_visible()
    expect(panel).to_contain_text(reference)
